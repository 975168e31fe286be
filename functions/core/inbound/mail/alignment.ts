// DMARC's relaxed alignment: two domains belong to one organisation when they share a registrable
// domain under the Public Suffix List. Private suffixes count (github.io, uk.com, eu.org), so
// that two customers of one hosting service are two organisations.
import { getDomain } from 'tldts';

const normalised = (domain: string) => domain.trim().toLowerCase().replace(/\.$/, '');

/** The registrable domain (`mail.clinic.co.uk` → `clinic.co.uk`); the name itself without one. */
export function organisationalDomain(domain: string): string {
  const name = normalised(domain);
  return getDomain(name, { allowPrivateDomains: true }) ?? name;
}

export function isAligned(a: string, b: string): boolean {
  const organisation = organisationalDomain(a);
  return organisation !== '' && organisation === organisationalDomain(b);
}

/** The domain of `local@domain`, lower case, without a trailing dot. */
export function domainOf(address: string): string {
  return normalised(address.slice(address.lastIndexOf('@') + 1));
}
