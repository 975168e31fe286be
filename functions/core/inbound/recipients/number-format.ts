import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** `+1 312-555-1234` for North America (as people there write it), the international format elsewhere. */
export function formatForPeople(e164: string): string {
  const number = parsePhoneNumberFromString(e164);
  if (!number) return e164;
  const international = number.formatInternational();
  return number.countryCallingCode === '1'
    ? international.replace(/^\+1 (\d{3}) (\d{3}) (\d{4})$/, '+1 $1-$2-$3')
    : international;
}

/** The national form, e.g. `(312) 555-1234`. */
export function formatNational(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatNational() ?? e164;
}
