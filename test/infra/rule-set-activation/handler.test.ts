import { SESClient } from '@aws-sdk/client-ses';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handleActivation, sesRuleSets } from '../../../infra/rule-set-activation/handler';
import { LOCAL_CREDENTIALS } from '../../../local/stand-ins';
import {
  type HttpStandIn,
  type SesReceiptStandIn,
  startHttpStandIn,
  startSesReceiptStandIn,
} from '../../support/aws-api-stand-ins';

const OURS = 'FaxBridge';
const THEIRS = 'company-mail';

let ses: SesReceiptStandIn | undefined;
let cloudFormation: HttpStandIn | undefined;

afterEach(async () => {
  await ses?.stop();
  await cloudFormation?.stop();
});

/** Runs one CloudFormation request through the handler, as the deployed function would. */
async function request(
  requestType: 'Create' | 'Update' | 'Delete',
  state: { active?: string; ruleSets?: string[] },
) {
  ses = await startSesReceiptStandIn({ ruleSets: state.ruleSets ?? [OURS, THEIRS], ...state });
  cloudFormation = await startHttpStandIn(() => ({ status: 200, body: '' }));
  const client = new SESClient({
    endpoint: ses.url,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const common = {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:activation',
    ResponseURL: `${cloudFormation.url}/cloudformation-response?X-Amz-Signature=abc`,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/FaxBridge/1',
    RequestId: 'request-1',
    LogicalResourceId: 'MailIntakeActivation',
    ResourceType: 'Custom::ReceiptRuleSetActivation',
    ResourceProperties: { ServiceToken: 'token', RuleSetName: OURS },
  };
  const event = (
    requestType === 'Create'
      ? { ...common, RequestType: 'Create' }
      : requestType === 'Update'
        ? {
            ...common,
            RequestType: 'Update',
            PhysicalResourceId: OURS,
            OldResourceProperties: common.ResourceProperties,
          }
        : { ...common, RequestType: 'Delete', PhysicalResourceId: OURS }
  ) as CloudFormationCustomResourceEvent;
  await handleActivation(event, { sets: sesRuleSets(client), log: () => {} });
  const [answer, ...more] = cloudFormation.requests;
  expect(more).toEqual([]);
  expect(answer?.method).toBe('PUT');
  expect(answer?.path).toBe('/cloudformation-response?X-Amz-Signature=abc');
  return {
    answer: JSON.parse(answer?.body ?? '{}') as Record<string, string>,
    activations: ses.activations,
    active: ses.active(),
  };
}

describe('the receipt rule set activation, against SES', () => {
  it('activates its own rule set when none is active', async () => {
    const { answer, activations, active } = await request('Create', {});
    expect(activations).toEqual([OURS]);
    expect(active).toBe(OURS);
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: OURS,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/FaxBridge/1',
      RequestId: 'request-1',
      LogicalResourceId: 'MailIntakeActivation',
    });
  });

  it.each(['Create', 'Update'] as const)(
    'refuses to switch off another active rule set (%s), naming it and use-active:',
    async (requestType) => {
      const { answer, activations, active } = await request(requestType, { active: THEIRS });
      expect(activations).toEqual([]);
      expect(active).toBe(THEIRS);
      expect(answer.Status).toBe('FAILED');
      expect(answer.Reason).toContain(`The SES receipt rule set ${THEIRS} is active`);
      expect(answer.Reason).toContain(`-c receiptRuleSet=use-active:${THEIRS}`);
    },
  );

  it('succeeds without a call when its rule set is active already', async () => {
    const { answer, activations } = await request('Update', { active: OURS });
    expect(activations).toEqual([]);
    expect(answer.Status).toBe('SUCCESS');
  });

  it('deactivates on delete only while its own rule set is the active one', async () => {
    const ours = await request('Delete', { active: OURS });
    expect(ours.activations).toEqual([undefined]);
    expect(ours.active).toBeUndefined();
    expect(ours.answer.Status).toBe('SUCCESS');
  });

  it.each([
    ['another set is active', THEIRS],
    ['none is active', undefined],
  ])('leaves receiving alone on delete when %s', async (_case, active) => {
    const deleted = await request('Delete', { active });
    expect(deleted.activations).toEqual([]);
    expect(deleted.active).toBe(active);
    expect(deleted.answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: OURS });
  });

  it('answers CloudFormation with SES’s error rather than leaving the stack waiting', async () => {
    const { answer } = await request('Create', { ruleSets: [THEIRS] });
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(/^SES receipt rule set FaxBridge: Rule set does not exist/);
  });
});
