import * as z from 'zod/mini';
import type { InboundSettings } from '../core/inbound/process-inbound';
import { type AwsSettings, awsSettings } from './aws-settings';
import { type Env, parseEnv } from './config-error';
import { variablesSchema } from './runtime-variables';

export const INBOUND_VARIABLES = [
  'FAX_BUCKET',
  'LEDGER_TABLE',
  'FAX_DOMAINS',
  'ALLOWED_SENDERS',
  'REQUIRE_SENDER_AUTH',
  'DEFAULT_COUNTRY',
  'ALLOWED_COUNTRIES',
  'TELNYX_API_URL',
  'TELNYX_API_KEY_SECRET',
  'TELNYX_API_KEY',
  'TELNYX_CONNECTION_ID',
  'FAX_FROM_NUMBER',
  'WEBHOOK_URL',
  'NOTICE_FROM',
  'NOTICE_TIME_ZONE',
  'MEDIA_URL_TTL_SECONDS',
  'MAX_RECIPIENTS',
  'MAX_PAGES',
  'PAGE_SIZE',
  'RETENTION_DAYS',
] as const;

const schema = variablesSchema(INBOUND_VARIABLES).check(
  z.refine((s) => Boolean(s.TELNYX_API_KEY_SECRET || s.TELNYX_API_KEY), {
    path: ['TELNYX_API_KEY_SECRET'],
    message: 'is missing (or set TELNYX_API_KEY in the local mode)',
  }),
);

/** The API key comes from Secrets Manager on AWS, or is given itself in the local mode. */
export type ApiKeySetting = { secretId: string } | { key: string };

export interface InboundFunctionSettings {
  flow: InboundSettings;
  faxBucket: string;
  ledgerTable: string;
  telnyxApi: { url: string; apiKey: ApiKeySetting };
  aws: AwsSettings;
}

/** ALLOWED_COUNTRIES, or when unset the one country national numbers are read in. */
export const allowedCountries = (s: { ALLOWED_COUNTRIES?: string[]; DEFAULT_COUNTRY: string }) =>
  s.ALLOWED_COUNTRIES ?? [s.DEFAULT_COUNTRY];

export function loadInboundSettings(env: Env): InboundFunctionSettings {
  const s = parseEnv(schema, env);
  return {
    flow: {
      faxDomains: s.FAX_DOMAINS,
      allowedSenders: s.ALLOWED_SENDERS,
      requireSenderAuth: s.REQUIRE_SENDER_AUTH,
      defaultCountry: s.DEFAULT_COUNTRY,
      allowedCountries: allowedCountries(s),
      telnyx: { connectionId: s.TELNYX_CONNECTION_ID, fromNumber: s.FAX_FROM_NUMBER },
      webhookUrl: s.WEBHOOK_URL,
      noticeFrom: s.NOTICE_FROM,
      noticeTimeZone: s.NOTICE_TIME_ZONE,
      mediaUrlTtlSeconds: s.MEDIA_URL_TTL_SECONDS,
      maxRecipients: s.MAX_RECIPIENTS,
      maxPages: s.MAX_PAGES,
      pageSize: s.PAGE_SIZE,
      retentionDays: s.RETENTION_DAYS,
    },
    faxBucket: s.FAX_BUCKET,
    ledgerTable: s.LEDGER_TABLE,
    telnyxApi: {
      url: s.TELNYX_API_URL,
      apiKey: s.TELNYX_API_KEY
        ? { key: s.TELNYX_API_KEY }
        : { secretId: s.TELNYX_API_KEY_SECRET as string },
    },
    aws: awsSettings(env),
  };
}
