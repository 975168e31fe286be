import type { InboundSettings } from '../core/inbound/process-inbound';
import { type AwsSettings, awsSettings } from './aws-settings';
import { type Env, parseEnv } from './config-error';
import { variablesSchema } from './runtime-variables';

export const INBOUND_VARIABLES = [
  'FAX_BUCKET',
  'LEDGER_TABLE',
  'DISPATCH_QUEUE_URL',
  'FAX_DOMAINS',
  'ALLOWED_SENDERS',
  'REQUIRE_SENDER_AUTH',
  'DEFAULT_COUNTRY',
  'ALLOWED_COUNTRIES',
  'FAX_FROM_NUMBER',
  'NOTICE_FROM',
  'NOTICE_TIME_ZONE',
  'ADMIN_CONTACT',
  'COVER_ORGANISATION',
  'COVER_PHONE',
  'COVER_NOTICE',
  'MAX_RECIPIENTS',
  'MAX_PAGES',
  'PAGE_SIZE',
  'RETENTION_DAYS',
  'MAX_EMAIL_AGE_HOURS',
  'MAX_FAXES_PER_SENDER_PER_DAY',
  'MAX_PAGES_PER_SENDER_PER_DAY',
  'MAX_PAGES_PER_DAY',
] as const;

const schema = variablesSchema(INBOUND_VARIABLES);

export interface InboundFunctionSettings {
  flow: InboundSettings;
  faxBucket: string;
  ledgerTable: string;
  dispatchQueueUrl: string;
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
      telnyx: { fromNumber: s.FAX_FROM_NUMBER },
      noticeFrom: s.NOTICE_FROM,
      noticeTimeZone: s.NOTICE_TIME_ZONE,
      adminContact: s.ADMIN_CONTACT,
      cover: {
        organisation: s.COVER_ORGANISATION,
        phone: s.COVER_PHONE ?? s.FAX_FROM_NUMBER,
        notice: coverNotice(s.COVER_NOTICE),
      },
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
    dispatchQueueUrl: s.DISPATCH_QUEUE_URL,
    aws: awsSettings(env),
  };
}
