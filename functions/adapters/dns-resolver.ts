// DNS for the DKIM key lookups through node:dns and the system's name servers, with a bound on
// each query so that a slow name server cannot hold the function until it times out.
import { Resolver } from 'node:dns/promises';
import type { DnsResolver } from '../core/shared/ports';

export interface DnsResolverOptions {
  /** Per try, in milliseconds. */
  timeoutMs?: number;
  tries?: number;
}

export function dnsResolver({
  timeoutMs = 2_000,
  tries = 2,
}: DnsResolverOptions = {}): DnsResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries });
  return (name, rrtype) => resolver.resolve(name, rrtype);
}
