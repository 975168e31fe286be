import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { logger, metrics } from '../adapters/observability';
import { createS3Client, S3Store } from '../adapters/s3-store';
import { SesMailer } from '../adapters/ses-mailer';
import { loadSettings } from '../config';
import {
  handleFaxWebhook,
  type WebhookDeps,
  type WebhookOutcome,
} from '../core/webhook/handle-fax-webhook';
import { webhookPublicKey } from '../core/webhook/webhook-signature';

// Built once per Lambda instance: Telnyx expects an answer within 2 s, so no request pays for
// settings, clients or the key again.
const settings = loadSettings(process.env);

const deps: WebhookDeps = {
  settings,
  ledger: new DynamoDbLedger({ table: settings.ledgerTable }),
  mailer: new SesMailer(),
  media: new S3Store({ bucket: settings.faxBucket, client: createS3Client(process.env) }),
  clock: () => new Date(),
  log: logger,
  publicKey: webhookPublicKey(settings.telnyx.publicKey),
};

export const handler = async (
  event: LambdaFunctionURLEvent,
  context?: Context,
): Promise<LambdaFunctionURLResult> => {
  if (context) logger.addContext(context);
  const response = await handleFaxWebhook(
    {
      method: event.requestContext.http.method,
      headers: event.headers ?? {},
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
    },
    deps,
  );
  recordMetrics(response.outcome);
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: response.body,
  };
};

function recordMetrics(outcome: WebhookOutcome): void {
  const byOutcome = metrics.singleMetric();
  byOutcome.addDimension('Outcome', outcome.kind);
  byOutcome.addMetric('Webhooks', MetricUnit.Count, 1);
  if (outcome.kind === 'rejected') metrics.addMetric('WebhookRejected', MetricUnit.Count, 1);
  if (outcome.kind === 'result_sent') metrics.addMetric('ResultEmailsSent', MetricUnit.Count, 1);
  if (outcome.kind === 'result_failed')
    metrics.addMetric('ResultEmailsFailed', MetricUnit.Count, 1);
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
