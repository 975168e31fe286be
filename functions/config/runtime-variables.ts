// Every variable a function reads, each with its one validator. A function's settings pick the
// variables it uses from here, and the CDK config checks the deploy settings against the same rules.
import * as z from 'zod/mini';
import {
  apiUrl,
  countryCode,
  countryList,
  e164Number,
  ed25519PublicKey,
  flag,
  inboundRoutes,
  list,
  mailbox,
  numberList,
  optionalKey,
  optionalText,
  optionalWholeNumber,
  pageSize,
  requiredText,
  senderList,
  timeZone,
  transmissionReport,
  url,
  wholeNumber,
} from './fields';

export const RUNTIME_VARIABLES = {
  FAX_BUCKET: requiredText,
  LEDGER_TABLE: requiredText,
  FAX_DOMAINS: list,
  ALLOWED_SENDERS: senderList,
  REQUIRE_SENDER_AUTH: flag(true),
  DEFAULT_COUNTRY: countryCode('US'),
  ALLOWED_COUNTRIES: countryList,
  TELNYX_API_URL: apiUrl('https://api.telnyx.com/v2'),
  TELNYX_API_KEY_SECRET: optionalText,
  TELNYX_API_KEY: optionalText,
  TELNYX_CONNECTION_ID: requiredText,
  FAX_FROM_NUMBER: e164Number,
  TELNYX_PUBLIC_KEY: ed25519PublicKey,
  CLIENT_STATE_SECRET_ID: optionalText,
  CLIENT_STATE_SECRET: optionalKey,
  WEBHOOK_URL: url,
  NOTICE_FROM: mailbox,
  ADMIN_CONTACT: optionalText,
  NOTICE_TIME_ZONE: timeZone,
  COVER_ORGANISATION: optionalText,
  COVER_PHONE: optionalText,
  COVER_NOTICE: optionalText,
  ATTACH_FAILED_DOCUMENT: flag(false),
  TRANSMISSION_REPORT: transmissionReport,
  MEDIA_URL_TTL_SECONDS: wholeNumber(900, 60, 43_200),
  MAX_RECIPIENTS: wholeNumber(10, 1, 100),
  MAX_PAGES: wholeNumber(100, 1, 350),
  PAGE_SIZE: pageSize,
  RETENTION_DAYS: wholeNumber(7, 1, 3650),
  MAX_EMAIL_AGE_HOURS: wholeNumber(72, 1, 720),
  MAX_FAXES_PER_SENDER_PER_DAY: wholeNumber(100, 1, 100_000),
  MAX_PAGES_PER_SENDER_PER_DAY: wholeNumber(1000, 1, 1_000_000),
  MAX_PAGES_PER_DAY: wholeNumber(3000, 1, 1_000_000),
  DISPATCH_QUEUE_URL: url,
  TELNYX_CHANNELS: wholeNumber(2, 1, 1000),
  DISPATCH_WAIT_SECONDS: wholeNumber(30, 1, 900),
  RETRY_ATTEMPTS: wholeNumber(3, 1, 10),
  RETRY_DELAY_SECONDS: wholeNumber(300, 1, 86_400),
  SWEEP_INTERVAL_SECONDS: wholeNumber(600, 1, 86_400),
  SWEEP_AFTER_SECONDS: wholeNumber(1800, 1, 86_400),
  /** Where received faxes go (see core/fax-in/routes.ts); absent: received faxes are only stored. */
  INBOUND_ROUTES: inboundRoutes,
  /** Days a download link in a received-fax email works; absent: RETENTION_DAYS. */
  INBOUND_LINK_DAYS: optionalWholeNumber(1, 3650),
  /** Callers whose faxes are stored but not emailed. */
  INBOUND_BLOCKED_NUMBERS: numberList,
  /** The fax-in queue, where the webhook hands received faxes to the receiver. */
  FAX_IN_QUEUE_URL: url,
  /** The webhook function's own URL: received-fax download links point at it. */
  PUBLIC_URL: url,
};

export type RuntimeVariable = keyof typeof RUNTIME_VARIABLES;

/** The schema of the variables `names`, for one function. */
export function variablesSchema<const K extends RuntimeVariable>(names: readonly K[]) {
  const shape = Object.fromEntries(names.map((name) => [name, RUNTIME_VARIABLES[name]]));
  return z.object(shape as Pick<typeof RUNTIME_VARIABLES, K>);
}

/** A key kept in Secrets Manager (its id, on AWS), or given itself (the local mode). */
export type SecretSetting = { secretId: string } | { value: string };

type ClientStateVariables = { CLIENT_STATE_SECRET_ID?: string; CLIENT_STATE_SECRET?: string };

/** Both functions need the client_state key: the inbound one signs with it, the webhook checks. */
export const clientStateSecretRequired = z.refine<ClientStateVariables>(
  (s) => Boolean(s.CLIENT_STATE_SECRET_ID || s.CLIENT_STATE_SECRET),
  {
    path: ['CLIENT_STATE_SECRET_ID'],
    message: 'is missing (or set CLIENT_STATE_SECRET in the local mode)',
  },
);

export const clientStateSecret = (s: ClientStateVariables): SecretSetting =>
  s.CLIENT_STATE_SECRET
    ? { value: s.CLIENT_STATE_SECRET }
    : { secretId: s.CLIENT_STATE_SECRET_ID as string };
