import type { WebhookSettings } from '../core/webhook/handle-fax-webhook';
import { type AwsSettings, awsSettings } from './aws-settings';
import { type Env, parseEnv } from './config-error';
import { OUTCOME_VARIABLES, retrySettings } from './fax-settings';
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
  'DISPATCH_QUEUE_URL',
  'FAX_IN_QUEUE_URL',
  'RETRY_ATTEMPTS',
  'RETRY_DELAY_SECONDS',
  ...OUTCOME_VARIABLES,
] as const;

const schema = variablesSchema(WEBHOOK_VARIABLES).check(clientStateSecretRequired);

export interface WebhookFunctionSettings {
  flow: WebhookSettings;
  /**
   * Read to attach a failed fax's document (ATTACH_FAILED_DOCUMENT), to show its page 1
   * (TRANSMISSION_REPORT), and to serve received faxes by link.
   */
  faxBucket: string;
  ledgerTable: string;
  /** Where a failed fax's next attempt waits. */
  dispatchQueueUrl: string;
  /** Where each received (or failed) inbound fax is handed to the receiver. */
  faxInQueueUrl: string;
  /** Canonical base64 of the 32-byte key. */
  telnyxPublicKey: string;
  /** Checks the client_state of each event, and the download links of received faxes. */
  clientStateSecret: SecretSetting;
  aws: AwsSettings;
}

export function loadWebhookSettings(env: Env): WebhookFunctionSettings {
  const s = parseEnv(schema, env);
  return {
    flow: retrySettings(s),
    faxBucket: s.FAX_BUCKET,
    ledgerTable: s.LEDGER_TABLE,
    dispatchQueueUrl: s.DISPATCH_QUEUE_URL,
    faxInQueueUrl: s.FAX_IN_QUEUE_URL,
    telnyxPublicKey: s.TELNYX_PUBLIC_KEY,
    clientStateSecret: clientStateSecret(s),
    aws: awsSettings(env),
  };
}
