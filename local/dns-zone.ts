// DNS answers for the local mode's SPF, DKIM and DMARC checks, from a JSON file
// (LOCAL_DNS_ZONE_FILE): `{"clinic.example": {"TXT": ["v=spf1 ip4:127.0.0.1 -all"]}, …}`. Names are
// lower case without the trailing dot; a name or type the file lacks does not exist.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DnsResolver } from '../functions/core/shared/ports';

export type { DnsResolver };

const zoneSchema = z.record(
  z.string().regex(/^[a-z0-9_.-]+$/, 'names are lower case, without the trailing dot'),
  z.partialRecord(z.enum(['TXT', 'A', 'AAAA', 'MX', 'CNAME']), z.array(z.unknown())),
);

export type DnsZone = z.infer<typeof zoneSchema>;

export async function loadDnsZone(file: string): Promise<DnsZone> {
  const parsed = zoneSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`LOCAL_DNS_ZONE_FILE ${file}: ${issue?.path.join('.')} ${issue?.message}`);
  }
  return parsed.data;
}

const notFound = (name: string, rrtype: string) =>
  Object.assign(new Error(`query${rrtype} ENOTFOUND ${name}`), {
    code: 'ENOTFOUND',
    hostname: name,
  });

/** Answers as node:dns would: TXT records as arrays of strings, a missing record as ENOTFOUND. */
export function zoneResolver(zone: DnsZone): DnsResolver {
  return async (name, rrtype) => {
    const records = zone[name.toLowerCase().replace(/\.$/, '')]?.[rrtype.toUpperCase() as 'TXT'];
    if (!records || records.length === 0) throw notFound(name, rrtype);
    return rrtype.toUpperCase() === 'TXT'
      ? records.map((record) => (Array.isArray(record) ? record : [String(record)]))
      : records;
  };
}
