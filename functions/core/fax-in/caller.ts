// The caller of a received fax as the email shows it. What Telnyx reports is the far end's
// signalling: a number, a name, or neither, and any of it may be garbage.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { formatForPeople } from '../shared/number-format';
import { headerSafe } from '../shared/text-safety';

const E164 = /^\+[1-9]\d{6,14}$/;

/** As people write it (see shared/number-format.ts); what is not an E.164 number, as it came. */
export const numberForPeople = (e164: string): string =>
  E164.test(e164) ? formatForPeople(e164) : e164;

/** Whether a reply can fax this number back: a real, dialable number, not "anonymous". */
export const isDialable = (from: string): boolean =>
  E164.test(from) && parsePhoneNumberFromString(from)?.isValid() === true;

/** The caller in words: its number, or "an unknown number" when Telnyx gives none. */
export function callerNumber(from: string): string {
  return E164.test(from) ? numberForPeople(from) : 'an unknown number';
}

/**
 * The caller's name when it is one: text, not the number again, and safe in a header. A caller
 * chooses it, so it is shown as a name and never trusted beyond that.
 */
export function callerName(name: string | undefined, from: string): string | undefined {
  if (!name) return undefined;
  const safe = headerSafe(name, 60)
    .replace(/=\?/g, '= ?')
    .replace(/[()<>]/g, '');
  const digits = (text: string) => text.replace(/\D/g, '');
  if (!/\p{L}/u.test(safe) || (digits(safe) !== '' && digits(safe) === digits(from))) {
    return undefined;
  }
  return safe.trim() || undefined;
}

/** `Dr. Ortiz (+1 312-555-1234)`, or the number alone. */
export function callerLabel(from: string, name: string | undefined): string {
  const label = callerName(name, from);
  return label ? `${label} (${callerNumber(from)})` : callerNumber(from);
}
