// client_state goes to Telnyx with each fax and comes back in every webhook about it. Telnyx signs
// webhooks for any of its customers, and any customer can send a fax with a client_state and a
// webhook URL of its choosing: a valid Telnyx signature says nothing about whose fax it was. The
// MAC says this bridge sent the fax, for this job and this attempt.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JobKey } from './ports';

/** Reads the key client_state is signed with; the adapter behind it caches it. */
export type ClientStateSecret = () => Promise<string>;

/** Faxes are sent once today; a dispatch queue with retries will count on from here. */
export const FIRST_ATTEMPT = 1;

export type ClientStateVerdict =
  | { valid: true; key: JobKey; attempt: number }
  | { valid: false; reason: 'malformed' | 'bad_mac' };

const VERSION = 1;
// 128 bits: a forger gets one guess per signed webhook Telnyx delivers.
const MAC_BYTES = 16;
// What we write is under 300 characters; anything much longer is not ours and not worth parsing.
const MAX_LENGTH = 1024;
// Telnyx refuses a client_state that is not strict base64.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface Signed {
  v: number;
  m: string;
  r: string;
  a: number;
  mac: string;
}

function mac(key: JobKey, attempt: number, secret: string): string {
  // An empty key would make every MAC computable by anyone.
  if (secret.length === 0) throw new Error('the client_state key is empty');
  // JSON of an array keeps the fields apart whatever characters they hold.
  const fields = JSON.stringify([VERSION, key.messageId, key.recipient, attempt]);
  return createHmac('sha256', secret)
    .update(fields)
    .digest()
    .subarray(0, MAC_BYTES)
    .toString('base64url');
}

/** The client_state for one attempt at one job: base64 of the job, the attempt and their MAC. */
export function encodeClientState(key: JobKey, attempt: number, secret: string): string {
  const signed: Signed = {
    v: VERSION,
    m: key.messageId,
    r: key.recipient,
    a: attempt,
    mac: mac(key, attempt, secret),
  };
  return Buffer.from(JSON.stringify(signed)).toString('base64');
}

/** The job and attempt a client_state names, when this bridge's key signed it. */
export function verifyClientState(value: unknown, secret: string): ClientStateVerdict {
  const signed = readSigned(value);
  if (!signed) return { valid: false, reason: 'malformed' };
  const key = { messageId: signed.m, recipient: signed.r };
  const expected = Buffer.from(mac(key, signed.a, secret));
  const given = Buffer.from(signed.mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'bad_mac' };
  }
  return { valid: true, key, attempt: signed.a };
}

function readSigned(value: unknown): Signed | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || !STRICT_BASE64.test(value)) {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { v, m, r, a, mac } = json as Record<string, unknown>;
  const wellFormed =
    v === VERSION &&
    typeof m === 'string' &&
    m !== '' &&
    typeof r === 'string' &&
    r !== '' &&
    typeof a === 'number' &&
    Number.isSafeInteger(a) &&
    a >= FIRST_ATTEMPT &&
    typeof mac === 'string';
  return wellFormed ? { v, m, r, a, mac } : undefined;
}
