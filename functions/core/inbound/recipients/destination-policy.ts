import {
  getCountryCallingCode,
  isSupportedCountry,
  type PhoneNumber,
  type PhoneNumberType,
} from 'libphonenumber-js/max';
import type { DestinationProblem } from '../refusals';

export interface DestinationPolicy {
  /** ISO 3166 codes of the countries faxes may go to. */
  allowedCountries: string[];
  /** ISO 3166 country the fax service calls from, as far as toll-free numbers are concerned. */
  defaultCountry: string;
}

/** Why a number is not dialled; `typed` and `e164` are the caller's to add. */
export type DestinationRefusal =
  | { code: 'premium_number' }
  | DistributiveOmit<DestinationProblem, 'typed' | 'e164'>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

// NANP premium-rate area codes; 976 is gone from the metadata, so it would read as merely unassigned.
const NANP_PREMIUM = /^(900|976)/;

// Each of these bills the caller above an ordinary call and pays the number's holder a share,
// which is what toll fraud feeds on. Shared-cost numbers (DE 0180, FR 081, ES 902) belong here
// too. Personal numbers (UK 070) forward anywhere in the world at the caller's cost.
// UAN and VoIP are not refused: UK 03 (UAN) and 056 (VoIP) cost what a geographic call does,
// and the non-geographic VoIP networks (+882, +883) have no country, so they are refused as such.
const COSTLY_TYPES: Partial<
  Record<PhoneNumberType, 'premium_number' | 'shared_cost_number' | 'personal_number'>
> = {
  PREMIUM_RATE: 'premium_number',
  SHARED_COST: 'shared_cost_number',
  PERSONAL_NUMBER: 'personal_number',
};

/**
 * Whether the fax service may dial `phone`: undefined when nothing about where the call goes stops
 * it (whether the number exists is the reader's question), otherwise why not. Costly types come
 * first, since adding a country to the list would not make them dialled.
 */
export function refusedDestination(
  phone: PhoneNumber,
  policy: DestinationPolicy,
): DestinationRefusal | undefined {
  if (phone.countryCallingCode === '1' && phone.isPossible()) {
    if (NANP_PREMIUM.test(phone.nationalNumber)) return { code: 'premium_number' };
  }
  // Types and countries come from the metadata of valid numbers only.
  if (!phone.isValid()) return undefined;
  const type = phone.getType();
  const costly = type && COSTLY_TYPES[type];
  if (costly) return { code: costly };
  // Valid numbers without a country are the "001" networks: satellite (+881 Iridium, +870
  // Inmarsat), +882/+883 carriers, and the international +800/+808 ranges.
  const country = phone.country;
  if (country === undefined) return { code: 'international_network' };
  if (type === 'TOLL_FREE') {
    // A freephone number is free within its own numbering plan (1-800 from all of NANP), and is
    // then free wherever in that plan it is, whatever the country list says.
    return phone.countryCallingCode === callingCodeOf(policy.defaultCountry)
      ? undefined
      : { code: 'foreign_toll_free', country };
  }
  if (!policy.allowedCountries.includes(country)) return { code: 'country_not_allowed', country };
  return undefined;
}

const callingCodeOf = (country: string) =>
  isSupportedCountry(country) ? getCountryCallingCode(country) : undefined;
