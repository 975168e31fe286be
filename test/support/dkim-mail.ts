// DKIM-signed mail for tests, with real keys: a key pair per signing domain, its DNS record in an
// in-memory zone (local/dns-zone.ts answers from it), and signatures made by mailauth, or by hand
// for the tag lists no honest signer writes.
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import type { DnsZone } from '../../local/dns-zone';

export interface SigningKey {
  domain: string;
  selector: string;
  privateKey: string;
  /** The key's DNS record (`<selector>._domainkey.<domain>` TXT). */
  zone: DnsZone;
}

export function signingKey(domain: string, selector = 'sel'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    zone: { [`${selector}._domainkey.${domain}`]: { TXT: [`v=DKIM1; k=rsa; p=${p}`] } },
  };
}

/** The DNS of several domains at once. */
export const zoneOf = (...parts: DnsZone[]): DnsZone => Object.assign({}, ...parts);

export interface SignOptions {
  /** The fields signed (default: mailauth's list, which holds From, To, Cc, Subject, Date…). */
  headerList?: string[];
  /** An `l=` tag: the body bytes the signature covers. */
  maxBodyLength?: number;
  signTime?: Date;
}

/** `raw` with a DKIM-Signature field on top, as the sender's server would send it. */
export async function signMail(raw: Buffer, key: SigningKey, options: SignOptions = {}) {
  // mailauth signs what `signatureData` lists, which its types leave out.
  const sign = {
    signatureData: [
      {
        signingDomain: key.domain,
        selector: key.selector,
        privateKey: key.privateKey,
        maxBodyLength: options.maxBodyLength,
      },
    ],
    // mailauth reads the list as one colon-separated string (its default list is one too).
    headerList: options.headerList?.join(':'),
    signTime: options.signTime ?? new Date('2026-11-27T10:00:00Z'),
  } as unknown as Parameters<typeof dkimSign>[1];
  const { signatures, errors } = await dkimSign(raw, sign);
  if (errors.length > 0) throw errors[0];
  return Buffer.concat([Buffer.from(signatures), raw]);
}

/**
 * `raw` signed with `key` under a DKIM-Signature whose tags are written as given (before `h=`,
 * `bh=` and `b=`): `D=clinic.example; d=attacker.example` and the like. Relaxed/relaxed.
 */
export function signWithTags(raw: Buffer, key: SigningKey, tags: string, signed: string[]) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, split + 2).toString('latin1');
  const body = raw.subarray(split + 4).toString('latin1');
  const bh = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  const fields = unfoldedFields(head);
  const covered = signed.flatMap((name) => {
    const field = fields.findLast((f) => f.name === name);
    return field ? [relaxedField(field.line)] : [];
  });
  const unsigned = `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; ${tags}; s=${key.selector}; t=1795773600; h=${signed.join(':')}; bh=${bh}; b=`;
  const sign = createSign('RSA-SHA256');
  sign.update([...covered, relaxedField(unsigned)].join('\r\n'), 'latin1');
  const signature = `${unsigned}${sign.sign(key.privateKey, 'base64')}\r\n`;
  return Buffer.concat([Buffer.from(signature, 'latin1'), raw]);
}

function unfoldedFields(head: string) {
  return head
    .split(/\r\n(?![ \t])/)
    .filter(Boolean)
    .map((line) => ({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), line }));
}

/** RFC 6376 §3.4.2. */
function relaxedField(line: string): string {
  const colon = line.indexOf(':');
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

/** RFC 6376 §3.4.4. */
function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}
