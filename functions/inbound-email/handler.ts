import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SESEvent, SESMail, SESReceipt } from 'aws-lambda';
import { secretApiKey, staticApiKey } from '../adapters/api-key';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { logger, metrics } from '../adapters/observability';
import { createS3Client, S3Store } from '../adapters/s3-store';
import { SesMailer } from '../adapters/ses-mailer';
import { TelnyxClient } from '../adapters/telnyx-client';
import { loadSettings } from '../config';
import {
  type InboundOutcome,
  processInbound,
  type ReceivedMail,
} from '../core/inbound/process-inbound';

const settings = loadSettings(process.env);
const store = new S3Store({ bucket: settings.faxBucket, client: createS3Client(process.env) });
const deps = {
  mail: store,
  media: store,
  ledger: new DynamoDbLedger({ table: settings.ledgerTable }),
  fax: new TelnyxClient({
    apiUrl: settings.telnyx.apiUrl,
    apiKey: settings.telnyx.apiKey
      ? staticApiKey(settings.telnyx.apiKey)
      : secretApiKey(settings.telnyx.apiKeySecret as string),
  }),
  mailer: new SesMailer(),
  clock: () => new Date(),
  log: logger,
};

/** SES Lambda action: the body is not in the event; it waits in the bucket under raw/. */
export const handler = async (event: SESEvent): Promise<void> => {
  try {
    for (const record of event.Records) {
      const received = toReceivedMail(record.ses.mail, record.ses.receipt);
      logger.appendKeys({ messageId: received.messageId });
      metrics.addMetric('EmailsReceived', MetricUnit.Count, 1);
      const outcome = await processInbound(received, settings, deps);
      report(outcome);
    }
  } finally {
    logger.removeKeys(['messageId']);
    metrics.publishStoredMetrics();
  }
};

export function toReceivedMail(mail: SESMail, receipt: SESReceipt): ReceivedMail {
  return {
    messageId: mail.messageId,
    source: mail.source,
    recipients: receipt.recipients,
    headers: trustedHeaders(mail),
    commonHeaders: {
      from: mail.commonHeaders?.from,
      subject: mail.commonHeaders?.subject,
      messageId: mail.commonHeaders?.messageId,
    },
    verdicts: {
      spf: receipt.spfVerdict?.status,
      dkim: receipt.dkimVerdict?.status,
      dmarc: receipt.dmarcVerdict?.status,
      spam: receipt.spamVerdict?.status,
      virus: receipt.virusVerdict?.status,
    },
  };
}

function report(outcome: InboundOutcome): void {
  switch (outcome.kind) {
    case 'dropped':
      logger.warn('email dropped without reply', { reason: outcome.reason });
      metrics.addMetric('EmailsDropped', MetricUnit.Count, 1);
      return;
    case 'refused':
      logger.info('email refused', { code: outcome.refusal.code, noticeSent: outcome.noticeSent });
      countRefusal(outcome.refusal.code);
      return;
    case 'faxed': {
      const queued = outcome.results.filter((r) => r.kind === 'queued');
      logger.info('email handled', {
        pages: outcome.pages,
        results: outcome.results.map((r) => r.kind),
        faxIds: queued.map((r) => r.faxId),
        noticeSent: outcome.noticeSent,
      });
      metrics.addMetric('FaxesRequested', MetricUnit.Count, queued.length);
      metrics.addMetric('Pages', MetricUnit.Count, outcome.pages * queued.length);
      for (const r of outcome.results) if (r.kind === 'problem') countRefusal(r.problem.code);
    }
  }
}

function countRefusal(reason: string): void {
  const single = metrics.singleMetric();
  single.addDimension('reason', reason);
  single.addMetric('Refusals', MetricUnit.Count, 1);
}

/**
 * SES cuts `mail.headers` when they are long. A DKIM signature hidden past the cut could make a
 * forged, aligned one look like the only one, so a cut list vouches for no DKIM domain.
 */
function trustedHeaders(mail: SESMail): { name: string; value: string }[] {
  const headers = mail.headers ?? [];
  return mail.headersTruncated
    ? headers.filter((h) => h.name.toLowerCase() !== 'dkim-signature')
    : headers;
}
