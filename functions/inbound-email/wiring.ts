// The inbound function's composition root: settings → adapters → the core call. The handler, the
// local mode, the tests and the bench all build the function here, each with its own settings.
import type { SESEvent } from 'aws-lambda';
import { dynamoDbClient, s3Client, sesClient, sqsClient } from '../adapters/aws-clients';
import { dnsResolver } from '../adapters/dns-resolver';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { lambdaObservability, type Observability } from '../adapters/observability';
import { S3Store } from '../adapters/s3-store';
import { SesMailer } from '../adapters/ses-mailer';
import { SqsDispatchQueue } from '../adapters/sqs-dispatch-queue';
import type { InboundFunctionSettings } from '../config/inbound-settings';
import { type InboundDeps, processInbound } from '../core/inbound/process-inbound';
import type { DnsResolver } from '../core/shared/ports';
import { reportInbound } from './outcome-report';
import { toReceivedMail } from './ses-event';

export interface InboundFunction {
  /** The SES Lambda action: the body is not in the event; it waits in the bucket under raw/. */
  handle(event: SESEvent): Promise<void>;
  deps: InboundDeps;
}

/** What the local mode and the tests give instead of the real thing. */
export interface InboundOverrides {
  /** DNS for the DKIM keys (default: node:dns); the local mode answers from its zone file. */
  resolver?: DnsResolver;
}

export function wireInbound(
  settings: InboundFunctionSettings,
  observability: Observability = lambdaObservability(),
  overrides: InboundOverrides = {},
): InboundFunction {
  const { aws } = settings;
  const store = new S3Store({ bucket: settings.faxBucket, client: s3Client(aws) });
  const deps: InboundDeps = {
    mail: store,
    media: store,
    ledger: new DynamoDbLedger({ table: settings.ledgerTable, client: dynamoDbClient(aws) }),
    queue: new SqsDispatchQueue({ queueUrl: settings.dispatchQueueUrl, client: sqsClient(aws) }),
    mailer: new SesMailer({ client: sesClient(aws) }),
    clock: () => new Date(),
    log: observability.log,
    resolver: overrides.resolver ?? dnsResolver(),
  };
  const { log, counters } = observability;
  return {
    deps,
    async handle(event) {
      try {
        for (const record of event.Records) {
          const received = toReceivedMail(record.ses.mail, record.ses.receipt);
          log.appendKeys({ messageId: received.messageId });
          counters.count('EmailsReceived');
          reportInbound(await processInbound(received, settings.flow, deps), observability);
        }
      } finally {
        log.removeKeys(['messageId']);
        counters.flush();
      }
    },
  };
}
