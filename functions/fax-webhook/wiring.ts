// The webhook function's composition root: settings → adapters → the core call. The handler, the
// local mode, the tests and the bench all build the function here, each with its own settings.
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { CLIENT_STATE_KEY, secretFromSetting } from '../adapters/api-key';
import {
  dynamoDbClient,
  s3Client,
  secretsProvider,
  sesClient,
  sqsClient,
} from '../adapters/aws-clients';
import { DynamoDbCallLeases } from '../adapters/dynamodb-call-leases';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { lambdaObservability, type Observability } from '../adapters/observability';
import { S3Store } from '../adapters/s3-store';
import { SesMailer } from '../adapters/ses-mailer';
import { SqsDispatchQueue } from '../adapters/sqs-dispatch-queue';
import { SqsFaxInQueue } from '../adapters/sqs-fax-in-queue';
import { DOWNLOAD_PATH } from '../adapters/storage-layout';
import type { WebhookFunctionSettings } from '../config/webhook-settings';
import { type DownloadDeps, serveDownload } from '../core/webhook/download';
import { handleFaxWebhook, type WebhookDeps } from '../core/webhook/handle-fax-webhook';
import { webhookPublicKey } from '../core/webhook/webhook-signature';
import { reportDownload, reportWebhook } from './outcome-report';

export interface WebhookFunction {
  handle(event: LambdaFunctionURLEvent, context?: Context): Promise<LambdaFunctionURLResult>;
  deps: WebhookDeps;
  download: DownloadDeps;
}

// Built once per Lambda instance: Telnyx expects an answer within 2 s, so no request pays for
// settings, clients or the key again.
export function wireWebhook(
  settings: WebhookFunctionSettings,
  observability: Observability = lambdaObservability(),
): WebhookFunction {
  const { aws } = settings;
  const db = dynamoDbClient(aws);
  const sqs = sqsClient(aws);
  const store = new S3Store({ bucket: settings.faxBucket, client: s3Client(aws) });
  const clientStateSecret = secretFromSetting(
    settings.clientStateSecret,
    CLIENT_STATE_KEY,
    secretsProvider(aws),
  );
  const deps: WebhookDeps = {
    settings: settings.flow,
    ledger: new DynamoDbLedger({ table: settings.ledgerTable, client: db }),
    leases: new DynamoDbCallLeases({ table: settings.ledgerTable, client: db }),
    queue: new SqsDispatchQueue({ queueUrl: settings.dispatchQueueUrl, client: sqs }),
    faxIn: new SqsFaxInQueue({ queueUrl: settings.faxInQueueUrl, client: sqs }),
    random: Math.random,
    mailer: new SesMailer({ client: sesClient(aws) }),
    media: store,
    clock: () => new Date(),
    log: observability.log,
    publicKey: webhookPublicKey(settings.telnyxPublicKey),
    clientStateSecret,
  };
  const download: DownloadDeps = {
    received: store,
    clock: deps.clock,
    log: observability.log,
    linkSecret: clientStateSecret,
  };
  return {
    deps,
    download,
    async handle(event, context) {
      if (context) observability.log.addContext(context);
      const token = downloadToken(event);
      if (token !== undefined) {
        const { outcome, ...answer } = await serveDownload(token, download);
        reportDownload(outcome, observability);
        return answer;
      }
      const response = await handleFaxWebhook(
        {
          method: event.requestContext.http.method,
          headers: event.headers ?? {},
          body: event.body,
          isBase64Encoded: event.isBase64Encoded,
        },
        deps,
      );
      reportWebhook(response.outcome, observability);
      return {
        statusCode: response.statusCode,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: response.body,
      };
    },
  };
}

/** The token of a download link: a GET under DOWNLOAD_PATH. Anything else goes to the webhook. */
function downloadToken(event: LambdaFunctionURLEvent): string | undefined {
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== 'GET' || !event.rawPath.startsWith(DOWNLOAD_PATH)) return undefined;
  return event.rawPath.slice(DOWNLOAD_PATH.length);
}
