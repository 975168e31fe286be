// The dispatch function's composition root: settings → adapters → the core call, for each message
// the SQS event source hands it. A message that throws is reported as a batch item failure and
// comes back after the queue's visibility timeout; the others of the batch are done.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { faxCollaborators } from '../adapters/fax-collaborators';
import { lambdaObservability, type Observability } from '../adapters/observability';
import { readDispatchMessage } from '../adapters/sqs-dispatch-queue';
import type { TelnyxClient } from '../adapters/telnyx-client';
import type { DispatchFunctionSettings } from '../config/dispatch-settings';
import { type DispatchDeps, dispatchFax } from '../core/dispatch/dispatch-fax';
import { reportDispatch } from './outcome-report';

export interface DispatchFunction {
  handle(event: SQSEvent): Promise<SQSBatchResponse>;
  deps: DispatchDeps & { fax: TelnyxClient };
}

export function wireDispatch(
  settings: DispatchFunctionSettings,
  observability: Observability = lambdaObservability(),
): DispatchFunction {
  const deps = faxCollaborators(settings, observability);
  const { log, counters } = observability;
  return {
    deps,
    async handle(event) {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        const message = readDispatchMessage(record.body);
        if (!message) {
          log.error('dispatch message unreadable: dropped', { sqsMessageId: record.messageId });
          continue;
        }
        log.appendKeys({ messageId: message.messageId, attempt: message.attempt });
        try {
          reportDispatch(await dispatchFax(message, settings.flow, deps), observability);
        } catch (error) {
          log.error('dispatch failed; the message comes back', {
            error: error instanceof Error ? error.message : String(error),
          });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        } finally {
          log.removeKeys(['messageId', 'attempt']);
        }
      }
      counters.flush();
      return { batchItemFailures };
    },
  };
}
