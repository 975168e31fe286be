import { createPublicKey, type KeyObject, verify } from 'node:crypto';

// Telnyx signs `${telnyx-timestamp}|${raw body}` with the account's Ed25519 key and the SDK allows
// five minutes of clock difference either way; we judge exactly as the SDK does (FAX_API.md §4.5).
export const SIGNATURE_HEADER = 'telnyx-signature-ed25519';
export const TIMESTAMP_HEADER = 'telnyx-timestamp';
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

export type SignatureVerdict =
  | { valid: true }
  | {
      valid: false;
      reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature';
    };

export type Headers = Record<string, string | undefined>;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The Ed25519 public key from the Telnyx portal (base64 of 32 raw bytes), ready to verify with. */
export function webhookPublicKey(base64: string): KeyObject {
  const raw = STRICT_BASE64.test(base64) ? Buffer.from(base64, 'base64') : Buffer.alloc(0);
  if (raw.length !== 32) throw new Error('the Telnyx public key must be base64 of 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** A header by name, whatever its case. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export function verifyWebhookSignature(input: {
  headers: Headers;
  rawBody: Buffer;
  publicKey: KeyObject;
  now: Date;
}): SignatureVerdict {
  const signature = headerValue(input.headers, SIGNATURE_HEADER);
  const timestamp = headerValue(input.headers, TIMESTAMP_HEADER);
  if (!signature || !timestamp) return { valid: false, reason: 'missing_headers' };

  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds)) {
    return { valid: false, reason: 'bad_timestamp' };
  }
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  if (Math.abs(nowSeconds - seconds) > TIMESTAMP_TOLERANCE_SECONDS) {
    return { valid: false, reason: 'stale_timestamp' };
  }

  const signatureBytes = STRICT_BASE64.test(signature) ? Buffer.from(signature, 'base64') : null;
  if (signatureBytes?.length !== 64) return { valid: false, reason: 'bad_signature' };
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), input.rawBody]);
  try {
    return verify(null, signed, input.publicKey, signatureBytes)
      ? { valid: true }
      : { valid: false, reason: 'bad_signature' };
  } catch {
    return { valid: false, reason: 'bad_signature' };
  }
}
