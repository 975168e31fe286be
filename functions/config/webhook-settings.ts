import type { WebhookSettings } from '../core/webhook/handle-fax-webhook';
import { type AwsSettings, awsSettings } from './aws-settings';
import { type Env, parseEnv } from './config-error';
import { variablesSchema } from './runtime-variables';

export const WEBHOOK_VARIABLES = [
  'FAX_BUCKET',
  'LEDGER_TABLE',
  'TELNYX_PUBLIC_KEY',
  'NOTICE_FROM',
  'NOTICE_TIME_ZONE',
  'ATTACH_FAILED_DOCUMENT',
  'RETENTION_DAYS',
] as const;

const schema = variablesSchema(WEBHOOK_VARIABLES);

export interface WebhookFunctionSettings {
  flow: WebhookSettings;
  /** Read only to attach a failed fax's document (ATTACH_FAILED_DOCUMENT). */
  faxBucket: string;
  ledgerTable: string;
  /** Canonical base64 of the 32-byte key. */
  telnyxPublicKey: string;
  aws: AwsSettings;
}

export function loadWebhookSettings(env: Env): WebhookFunctionSettings {
  const s = parseEnv(schema, env);
  return {
    flow: {
      noticeFrom: s.NOTICE_FROM,
      noticeTimeZone: s.NOTICE_TIME_ZONE,
      attachFailedDocument: s.ATTACH_FAILED_DOCUMENT,
      retentionDays: s.RETENTION_DAYS,
    },
    faxBucket: s.FAX_BUCKET,
    ledgerTable: s.LEDGER_TABLE,
    telnyxPublicKey: s.TELNYX_PUBLIC_KEY,
    aws: awsSettings(env),
  };
}
