import type { FaxInSettings } from '../core/fax-in/deliver-received-fax';
import { type AwsSettings, awsSettings } from './aws-settings';
import { type Env, parseEnv } from './config-error';
import {
  type ApiKeySetting,
  apiKeyRequired,
  TELNYX_API_VARIABLES,
  telnyxApi,
} from './fax-settings';
import {
  clientStateSecret,
  clientStateSecretRequired,
  type SecretSetting,
  variablesSchema,
} from './runtime-variables';

export const RECEIVER_VARIABLES = [
  'FAX_BUCKET',
  'LEDGER_TABLE',
  ...TELNYX_API_VARIABLES,
  'CLIENT_STATE_SECRET_ID',
  'CLIENT_STATE_SECRET',
  'FAX_DOMAINS',
  'NOTICE_FROM',
  'NOTICE_TIME_ZONE',
  'ADMIN_CONTACT',
  'RETENTION_DAYS',
  'INBOUND_ROUTES',
  'INBOUND_LINK_DAYS',
  'INBOUND_BLOCKED_NUMBERS',
  'PUBLIC_URL',
] as const;

const schema = variablesSchema(RECEIVER_VARIABLES).check(apiKeyRequired, clientStateSecretRequired);

export interface ReceiverFunctionSettings {
  /** The flow's settings but the download address, which the wiring completes with its path. */
  flow: Omit<FaxInSettings, 'linkBase'>;
  /** The webhook function's URL, without a trailing slash. */
  publicUrl: string;
  faxBucket: string;
  ledgerTable: string;
  telnyxApi: { url: string; apiKey: ApiKeySetting };
  /** Signs the download links (the client_state key, under another purpose). */
  clientStateSecret: SecretSetting;
  aws: AwsSettings;
}

export function loadReceiverSettings(env: Env): ReceiverFunctionSettings {
  const s = parseEnv(schema, env);
  return {
    flow: {
      noticeFrom: s.NOTICE_FROM,
      timeZone: s.NOTICE_TIME_ZONE,
      adminContact: s.ADMIN_CONTACT,
      faxDomain: s.FAX_DOMAINS[0] as string,
      routes: s.INBOUND_ROUTES,
      blockedNumbers: s.INBOUND_BLOCKED_NUMBERS,
      linkDays: s.INBOUND_LINK_DAYS ?? s.RETENTION_DAYS,
      retentionDays: s.RETENTION_DAYS,
    },
    publicUrl: s.PUBLIC_URL.replace(/\/+$/, ''),
    faxBucket: s.FAX_BUCKET,
    ledgerTable: s.LEDGER_TABLE,
    telnyxApi: telnyxApi(s),
    clientStateSecret: clientStateSecret(s),
    aws: awsSettings(env),
  };
}
