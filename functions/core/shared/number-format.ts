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

/** Whether the number is in `country`, where people write it in the national form. */
export function isDomestic(e164: string, country: string): boolean {
  return parsePhoneNumberFromString(e164)?.country === country;
}

/** The form a sender in `country` reads best: national at home, international abroad. */
export function formatForSender(e164: string, country: string | undefined): string {
  return country && isDomestic(e164, country) ? formatNational(e164) : formatForPeople(e164);
}
