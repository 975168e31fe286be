// The receiver function's composition root: settings → adapters → the core call, for each message
// the SQS event source hands it. A message whose work is not done (a document not fetched yet, an
// email SES refused) is reported as a batch item failure and comes back after the visibility
// timeout; what was done is not done again.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CLIENT_STATE_KEY, secretFromSetting } from '../adapters/api-key';
import { dynamoDbClient, s3Client, secretsProvider, sesClient } from '../adapters/aws-clients';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { DynamoDbReceivedFaxes } from '../adapters/dynamodb-received-faxes';
import { HttpMediaFetcher } from '../adapters/media-fetcher';
import { lambdaObservability, type Observability } from '../adapters/observability';
import { S3Store } from '../adapters/s3-store';
import { SesMailer } from '../adapters/ses-mailer';
import { readFaxInMessage } from '../adapters/sqs-fax-in-queue';
import { DOWNLOAD_PATH } from '../adapters/storage-layout';
import { telnyxClient } from '../adapters/telnyx-api';
import type { ReceiverFunctionSettings } from '../config/receiver-settings';
import {
  deliverReceivedFax,
  type FaxInDeps,
  type FaxInSettings,
} from '../core/fax-in/deliver-received-fax';
import { reportFailedArrival as notifyFailedArrival } from '../core/fax-in/failed-arrival';
import type { FaxInMessage } from '../core/shared/ports';
import { comesBack, reportFailedArrival, reportReceived } from './outcome-report';

export interface ReceiverFunction {
  handle(event: SQSEvent): Promise<SQSBatchResponse>;
  /** One message, as the queue delivers it: true when it must come back. */
  receive(message: FaxInMessage): Promise<boolean>;
  settings: FaxInSettings;
  deps: FaxInDeps;
}

export function wireReceiver(
  settings: ReceiverFunctionSettings,
  observability: Observability = lambdaObservability(),
): ReceiverFunction {
  const { aws } = settings;
  const secrets = secretsProvider(aws);
  const db = dynamoDbClient(aws);
  const deps: FaxInDeps = {
    received: new DynamoDbReceivedFaxes({ table: settings.ledgerTable, client: db }),
    store: new S3Store({ bucket: settings.faxBucket, client: s3Client(aws) }),
    fetcher: new HttpMediaFetcher(),
    telnyx: telnyxClient(settings.telnyxApi, secrets),
    ledger: new DynamoDbLedger({ table: settings.ledgerTable, client: db }),
    mailer: new SesMailer({ client: sesClient(aws) }),
    clock: () => new Date(),
    log: observability.log,
    linkSecret: secretFromSetting(settings.clientStateSecret, CLIENT_STATE_KEY, secrets),
  };
  const flow: FaxInSettings = {
    ...settings.flow,
    linkBase: `${settings.publicUrl}${DOWNLOAD_PATH}`,
  };
  const { log, counters } = observability;

  async function receive(message: FaxInMessage): Promise<boolean> {
    const { faxId } = message.fax;
    if (message.kind === 'received') {
      const outcome = await deliverReceivedFax(message.fax, flow, deps);
      reportReceived(faxId, outcome, observability);
      return comesBack(outcome);
    }
    const outcome = await notifyFailedArrival(message, flow, deps);
    reportFailedArrival(faxId, outcome, observability);
    return comesBack(outcome);
  }

  return {
    settings: flow,
    deps,
    receive,
    async handle(event) {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        const message = readFaxInMessage(record.body);
        if (!message) {
          log.error('fax-in message unreadable: dropped', { sqsMessageId: record.messageId });
          continue;
        }
        log.appendKeys({ faxId: message.fax.faxId });
        try {
          if (await receive(message)) batchItemFailures.push({ itemIdentifier: record.messageId });
        } catch (error) {
          log.error('received fax not handled; the message comes back', {
            error: error instanceof Error ? error.name : 'error',
          });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        } finally {
          log.removeKeys(['faxId']);
        }
      }
      counters.flush();
      return { batchItemFailures };
    },
  };
}
