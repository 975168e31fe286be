import * as z from 'zod/mini';
import type { InboundSettings } from '../core/inbound/process-inbound';
import { type AwsSettings, awsSettings } from './aws-settings';
import { type Env, parseEnv } from './config-error';
import {
  clientStateSecret,
  clientStateSecretRequired,
  type SecretSetting,
  variablesSchema,
} from './runtime-variables';

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
  'CLIENT_STATE_SECRET_ID',
  'CLIENT_STATE_SECRET',
  'TELNYX_CONNECTION_ID',
  'FAX_FROM_NUMBER',
  'WEBHOOK_URL',
  'NOTICE_FROM',
  'NOTICE_TIME_ZONE',
  'ADMIN_CONTACT',
  'COVER_ORGANISATION',
  'COVER_PHONE',
  'COVER_NOTICE',
  'MEDIA_URL_TTL_SECONDS',
  'MAX_RECIPIENTS',
  'MAX_PAGES',
  'PAGE_SIZE',
  'RETENTION_DAYS',
  'MAX_EMAIL_AGE_HOURS',
  'MAX_FAXES_PER_SENDER_PER_DAY',
  'MAX_PAGES_PER_SENDER_PER_DAY',
  'MAX_PAGES_PER_DAY',
] as const;

const schema = variablesSchema(INBOUND_VARIABLES).check(
  z.refine((s) => Boolean(s.TELNYX_API_KEY_SECRET || s.TELNYX_API_KEY), {
    path: ['TELNYX_API_KEY_SECRET'],
    message: 'is missing (or set TELNYX_API_KEY in the local mode)',
  }),
  clientStateSecretRequired,
);

/** The API key comes from Secrets Manager on AWS, or is given itself in the local mode. */
export type ApiKeySetting = { secretId: string } | { key: string };

export interface InboundFunctionSettings {
  flow: InboundSettings;
  faxBucket: string;
  ledgerTable: string;
  telnyxApi: { url: string; apiKey: ApiKeySetting };
  /** Signs the client_state of each fax. */
  clientStateSecret: SecretSetting;
  aws: AwsSettings;
}

/** ALLOWED_COUNTRIES, or when unset the one country national numbers are read in. */
export const allowedCountries = (s: { ALLOWED_COUNTRIES?: string[]; DEFAULT_COUNTRY: string }) =>
  s.ALLOWED_COUNTRIES ?? [s.DEFAULT_COUNTRY];

/** Said at the foot of every cover sheet unless COVER_NOTICE replaces it, or is `none`. */
export const DEFAULT_COVER_NOTICE =
  'CONFIDENTIAL: This fax may contain health, legal or other privileged information meant only ' +
  'for the recipient named above. If you are not that recipient, do not read, copy or share it: ' +
  'call the sender at the callback number above and destroy the pages you received.';

export const coverNotice = (value: string | undefined): string | undefined =>
  value === undefined ? DEFAULT_COVER_NOTICE : value.toLowerCase() === 'none' ? undefined : value;

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
      adminContact: s.ADMIN_CONTACT,
      cover: {
        organisation: s.COVER_ORGANISATION,
        phone: s.COVER_PHONE ?? s.FAX_FROM_NUMBER,
        notice: coverNotice(s.COVER_NOTICE),
      },
      mediaUrlTtlSeconds: s.MEDIA_URL_TTL_SECONDS,
      maxRecipients: s.MAX_RECIPIENTS,
      maxPages: s.MAX_PAGES,
      pageSize: s.PAGE_SIZE,
      retentionDays: s.RETENTION_DAYS,
      maxEmailAgeHours: s.MAX_EMAIL_AGE_HOURS,
      dailyCaps: {
        senderFaxes: s.MAX_FAXES_PER_SENDER_PER_DAY,
        senderPages: s.MAX_PAGES_PER_SENDER_PER_DAY,
        bridgePages: s.MAX_PAGES_PER_DAY,
      },
    },
    faxBucket: s.FAX_BUCKET,
    ledgerTable: s.LEDGER_TABLE,
    telnyxApi: {
      url: s.TELNYX_API_URL,
      apiKey: s.TELNYX_API_KEY
        ? { key: s.TELNYX_API_KEY }
        : { secretId: s.TELNYX_API_KEY_SECRET as string },
    },
    clientStateSecret: clientStateSecret(s),
    aws: awsSettings(env),
  };
}
