// Every variable a function reads, each with its one validator. A function's settings pick the
// variables it uses from here, and the CDK config checks the deploy settings against the same rules.
import * as z from 'zod/mini';
import {
  apiUrl,
  countryCode,
  countryList,
  e164Number,
  ed25519PublicKey,
  emailAddress,
  flag,
  list,
  optionalText,
  pageSize,
  requiredText,
  senderList,
  timeZone,
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
  WEBHOOK_URL: url,
  NOTICE_FROM: emailAddress,
  NOTICE_TIME_ZONE: timeZone,
  ATTACH_FAILED_DOCUMENT: flag(false),
  MEDIA_URL_TTL_SECONDS: wholeNumber(900, 60, 43_200),
  MAX_RECIPIENTS: wholeNumber(10, 1, 100),
  MAX_PAGES: wholeNumber(100, 1, 350),
  PAGE_SIZE: pageSize,
  RETENTION_DAYS: wholeNumber(7, 1, 3650),
};

export type RuntimeVariable = keyof typeof RUNTIME_VARIABLES;

/** The schema of the variables `names`, for one function. */
export function variablesSchema<const K extends RuntimeVariable>(names: readonly K[]) {
  const shape = Object.fromEntries(names.map((name) => [name, RUNTIME_VARIABLES[name]]));
  return z.object(shape as Pick<typeof RUNTIME_VARIABLES, K>);
}
