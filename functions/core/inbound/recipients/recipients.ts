import {
  type CountryCode,
  isSupportedCountry,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import type { RecipientProblem } from '../refusals';
import {
  type DestinationPolicy,
  type DestinationRefusal,
  refusedDestination,
} from './destination-policy';

export interface FaxNumber {
  e164: string;
  /** The local part as the sender wrote it (without the `<>` or quotes of address syntax). */
  typed: string;
}

export type RecipientsResult =
  | { kind: 'ok'; numbers: FaxNumber[]; problems: RecipientProblem[] }
  | { kind: 'too_many'; count: number; limit: number };

export interface RecipientOptions {
  /** Lower-case domains whose local part is a fax number. */
  faxDomains: string[];
  /** ISO 3166 country for numbers written without a country code. */
  defaultCountry: string;
  /** ISO 3166 countries faxes may go to. */
  allowedCountries: string[];
  maxRecipients: number;
}

type Reading =
  | { code: 'ok'; e164: string }
  | { code: 'invalid_number' | 'special_number' }
  | { code: 'refused_destination'; e164: string; refusal: DestinationRefusal };

// Only what people write around a phone number. Anything else (sip:, *67, #31#, letters, ;ext=)
// is refused rather than guessed at: a dialling code must never reach the fax line.
const DIALLABLE = /^\+?[\d().\- ]*\d[\d().\- ]*$/;
// Emergency and N11 services (911, 112, 999, 000, 311…) and SMS short codes (12345) are this long.
const SHORT_CODE = /^\d{3,6}$/;

/**
 * The fax numbers an email is addressed to, from the SES envelope recipients. Addresses outside
 * the fax domains are other mailboxes and are ignored. Equivalent numbers count once, first
 * spelling kept, order preserved.
 */
export function parseRecipients(addresses: string[], options: RecipientOptions): RecipientsResult {
  const country = isSupportedCountry(options.defaultCountry) ? options.defaultCountry : undefined;
  const seen = new Set<string>();
  const numbers: FaxNumber[] = [];
  const problems: RecipientProblem[] = [];
  for (const address of addresses) {
    const typed = faxLocalPart(address, options.faxDomains);
    if (typed === undefined) continue;
    const reading = readNumber(typed, country, options);
    const key = 'e164' in reading ? reading.e164 : `typed:${typed}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (reading.code === 'ok') numbers.push({ e164: reading.e164, typed });
    else problems.push(problemOf(reading, typed));
  }
  if (seen.size > options.maxRecipients) {
    return { kind: 'too_many', count: seen.size, limit: options.maxRecipients };
  }
  return { kind: 'ok', numbers, problems };
}

/** `+13125551234` → `+1 312 555 1234`, for the emails people read. */
function faxLocalPart(address: string, faxDomains: string[]): string | undefined {
  const bare = address.trim().replace(/^<(.*)>$/, '$1');
  const at = bare.lastIndexOf('@');
  if (at < 0) return undefined;
  const domain = bare
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  if (!faxDomains.some((faxDomain) => faxDomain.toLowerCase() === domain)) return undefined;
  return bare.slice(0, at).replace(/^"(.*)"$/, '$1');
}

function readNumber(
  typed: string,
  country: CountryCode | undefined,
  policy: DestinationPolicy,
): Reading {
  if (!DIALLABLE.test(typed)) return { code: 'invalid_number' };
  const phone = parsePhone(typed, country);
  if (!phone) return { code: 'invalid_number' };
  const refusal = refusedDestination(phone, policy);
  if (refusal) return { code: 'refused_destination', e164: phone.number, refusal };
  if (phone.isValid()) return { code: 'ok', e164: phone.number };
  if (SHORT_CODE.test(phone.nationalNumber)) return { code: 'special_number' };
  return { code: 'invalid_number' };
}

function parsePhone(typed: string, country: CountryCode | undefined): PhoneNumber | undefined {
  const phone = parsePhoneNumberFromString(typed, country);
  if (phone?.isValid() || typed.startsWith('+')) return phone;
  // 00 is the international prefix in most of the world, even where the local plan uses 011.
  const digits = typed.replace(/\D/g, '');
  if (!digits.startsWith('00')) return phone;
  const international = parsePhoneNumberFromString(`+${digits.slice(2)}`);
  return international?.isValid() ? international : phone;
}

function problemOf(reading: Exclude<Reading, { code: 'ok' }>, typed: string): RecipientProblem {
  if (reading.code !== 'refused_destination') return { code: reading.code, typed };
  const { refusal, e164 } = reading;
  // premium_number predates the destination rules and names only what the sender typed.
  return refusal.code === 'premium_number' ? { ...refusal, typed } : { ...refusal, typed, e164 };
}
