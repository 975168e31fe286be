// The webhook function's composition root: settings → adapters → the core call. The handler, the
// local mode, the tests and the bench all build the function here, each with its own settings.
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { CLIENT_STATE_KEY, secretFromSetting } from '../adapters/api-key';
import { dynamoDbClient, s3Client, secretsProvider, sesClient } from '../adapters/aws-clients';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { lambdaObservability, type Observability } from '../adapters/observability';
import { S3Store } from '../adapters/s3-store';
import { SesMailer } from '../adapters/ses-mailer';
import type { WebhookFunctionSettings } from '../config/webhook-settings';
import { handleFaxWebhook, type WebhookDeps } from '../core/webhook/handle-fax-webhook';
import { webhookPublicKey } from '../core/webhook/webhook-signature';
import { reportWebhook } from './outcome-report';

export interface WebhookFunction {
  handle(event: LambdaFunctionURLEvent, context?: Context): Promise<LambdaFunctionURLResult>;
  deps: WebhookDeps;
}

// Built once per Lambda instance: Telnyx expects an answer within 2 s, so no request pays for
// settings, clients or the key again.
export function wireWebhook(
  settings: WebhookFunctionSettings,
  observability: Observability = lambdaObservability(),
): WebhookFunction {
  const { aws } = settings;
  const deps: WebhookDeps = {
    settings: settings.flow,
    ledger: new DynamoDbLedger({ table: settings.ledgerTable, client: dynamoDbClient(aws) }),
    mailer: new SesMailer({ client: sesClient(aws) }),
    media: new S3Store({ bucket: settings.faxBucket, client: s3Client(aws) }),
    clock: () => new Date(),
    log: observability.log,
    publicKey: webhookPublicKey(settings.telnyxPublicKey),
    clientStateSecret: secretFromSetting(
      settings.clientStateSecret,
      CLIENT_STATE_KEY,
      secretsProvider(aws),
    ),
  };
  return {
    deps,
    async handle(event, context) {
      if (context) observability.log.addContext(context);
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
