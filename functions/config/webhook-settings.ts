import type { WebhookSettings } from '../core/webhook/handle-fax-webhook';
import { type AwsSettings, awsSettings } from './aws-settings';
import { type Env, parseEnv } from './config-error';
import {
  clientStateSecret,
  clientStateSecretRequired,
  type SecretSetting,
  variablesSchema,
} from './runtime-variables';

export const WEBHOOK_VARIABLES = [
  'FAX_BUCKET',
  'LEDGER_TABLE',
  'TELNYX_PUBLIC_KEY',
  'CLIENT_STATE_SECRET_ID',
  'CLIENT_STATE_SECRET',
  'NOTICE_FROM',
  'NOTICE_TIME_ZONE',
  'ATTACH_FAILED_DOCUMENT',
  'TRANSMISSION_REPORT',
  'ADMIN_CONTACT',
  'RETENTION_DAYS',
] as const;

const schema = variablesSchema(WEBHOOK_VARIABLES).check(clientStateSecretRequired);

export interface WebhookFunctionSettings {
  flow: WebhookSettings;
  /** Read to attach a failed fax's document (ATTACH_FAILED_DOCUMENT) or to show its page 1 (TRANSMISSION_REPORT). */
  faxBucket: string;
  ledgerTable: string;
  /** Canonical base64 of the 32-byte key. */
  telnyxPublicKey: string;
  /** Checks the client_state of each event. */
  clientStateSecret: SecretSetting;
  aws: AwsSettings;
}

export function loadWebhookSettings(env: Env): WebhookFunctionSettings {
  const s = parseEnv(schema, env);
  return {
    flow: {
      noticeFrom: s.NOTICE_FROM,
      noticeTimeZone: s.NOTICE_TIME_ZONE,
      attachFailedDocument: s.ATTACH_FAILED_DOCUMENT,
      transmissionReport: s.TRANSMISSION_REPORT,
      adminContact: s.ADMIN_CONTACT,
      retentionDays: s.RETENTION_DAYS,
    },
    faxBucket: s.FAX_BUCKET,
    ledgerTable: s.LEDGER_TABLE,
    telnyxPublicKey: s.TELNYX_PUBLIC_KEY,
    clientStateSecret: clientStateSecret(s),
    aws: awsSettings(env),
  };
}
