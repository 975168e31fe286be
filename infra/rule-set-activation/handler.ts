// The custom resource that activates the stack's own receipt rule set (create-and-activate):
// CloudFormation's request in, SES's two receipt rule set calls, CloudFormation's answer out.
import {
  DescribeActiveReceiptRuleSetCommand,
  SESClient,
  SetActiveReceiptRuleSetCommand,
} from '@aws-sdk/client-ses';
import type {
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceResponse,
} from 'aws-lambda';
import { applyActivation, describeOutcome, type ReceiptRuleSets } from './activation';

/** The SES v1 API's receipt rule sets. */
export function sesRuleSets(ses: SESClient): ReceiptRuleSets {
  return {
    async active() {
      const answer = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
      return answer.Metadata?.Name;
    },
    async setActive(name) {
      await ses.send(new SetActiveReceiptRuleSetCommand(name ? { RuleSetName: name } : {}));
    },
  };
}

export interface ActivationDeps {
  sets: ReceiptRuleSets;
  /** Sends the answer to CloudFormation's presigned response URL. */
  send?: typeof fetch;
  /** Where the one JSON line per request goes (the function's log group). */
  log?: (line: string) => void;
}

/** Applies one CloudFormation request and always answers it, or the stack waits for an hour. */
export async function handleActivation(
  event: CloudFormationCustomResourceEvent,
  { sets, send = fetch, log = console.log }: ActivationDeps,
): Promise<CloudFormationCustomResourceResponse> {
  const ruleSetName = String(event.ResourceProperties.RuleSetName ?? '');
  const physicalId =
    event.RequestType === 'Create' ? ruleSetName : event.PhysicalResourceId || ruleSetName;
  let status: 'SUCCESS' | 'FAILED';
  let reason: string;
  try {
    if (!ruleSetName) throw new Error('RuleSetName is missing from the resource properties');
    const outcome = await applyActivation(event.RequestType, ruleSetName, sets);
    status = outcome.kind === 'refused' ? 'FAILED' : 'SUCCESS';
    reason = describeOutcome(outcome, ruleSetName);
  } catch (error) {
    status = 'FAILED';
    reason = `SES receipt rule set ${ruleSetName}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const response: CloudFormationCustomResourceResponse = {
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  log(JSON.stringify({ requestType: event.RequestType, status, reason }));
  const body = JSON.stringify(response);
  // The URL is presigned for a PUT without a content type.
  const answered = await send(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  if (!answered.ok) throw new Error(`CloudFormation's response URL answered ${answered.status}`);
  return response;
}

const rules = sesRuleSets(new SESClient({}));

export const handler = (event: CloudFormationCustomResourceEvent) =>
  handleActivation(event, { sets: rules });
