// The link in a received-fax email: the bridge's own URL and a token that names the fax and when
// the link stops working, with a MAC. Served by the webhook function, so it keeps working after
// any Lambda credentials expire (a presigned S3 URL lasts 7 days at most, and less when signed
// with a role's session). A changed or expired token gets 403.
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16;
const MAX_TOKEN_LENGTH = 256;
// The client_state key signs links too, under another purpose: one secret fewer to manage.
const PURPOSE = 'fax-bridge download link v1';

export type LinkVerdict =
  | { valid: true; faxId: string; expiresAt: Date }
  | { valid: false; reason: 'malformed' | 'bad_mac' | 'expired' };

const macOf = (payload: string, secret: string) => {
  if (secret.length === 0) throw new Error('the link key is empty');
  return createHmac('sha256', secret)
    .update(PURPOSE)
    .update('\0')
    .update(payload)
    .digest()
    .subarray(0, MAC_BYTES);
};

/** `<fax id>.<expiry, epoch seconds>.<MAC>`, each base64url. */
export function signDownloadToken(faxId: string, expiresAt: Date, secret: string): string {
  const payload = `${Buffer.from(faxId).toString('base64url')}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${macOf(payload, secret).toString('base64url')}`;
}

export function verifyDownloadToken(token: string, now: Date, secret: string): LinkVerdict {
  if (token.length > MAX_TOKEN_LENGTH) return { valid: false, reason: 'malformed' };
  const match = /^([A-Za-z0-9_-]+)\.(\d{1,12})\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!match) return { valid: false, reason: 'malformed' };
  const [, id = '', expiry = '', mac = ''] = match;
  const expected = macOf(`${id}.${expiry}`, secret);
  const given = Buffer.from(mac, 'base64url');
  // The last character of 16 bytes in base64 carries 2 bits and 4 of padding: a token whose
  // padding bits were changed decodes to the same MAC, so only the one canonical text passes.
  const canonical = given.toString('base64url') === mac;
  if (!canonical || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'bad_mac' };
  }
  const expiresAt = new Date(Number(expiry) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { valid: false, reason: 'expired' };
  return { valid: true, faxId: Buffer.from(id, 'base64url').toString('utf8'), expiresAt };
}
