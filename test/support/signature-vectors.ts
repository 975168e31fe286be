// Telnyx webhook signature cases, made with real Ed25519 key pairs, shared by our verifier's test
// and the test that holds it to the official SDK's judgement.
import { generateKeyPairSync, sign } from 'node:crypto';

export interface TestSigner {
  /** Base64 of the raw 32-byte public key, as the Telnyx portal shows it. */
  publicKey: string;
  /** What Telnyx sends in `telnyx-signature-ed25519`. */
  sign(timestamp: string, body: string): string;
  /** A signature over any message, to build wrong ones. */
  signMessage(message: string): string;
}

export function createTestSigner(): TestSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const signMessage = (message: string) =>
    sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64');
  return {
    publicKey: Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString(
      'base64',
    ),
    sign: (timestamp, body) => signMessage(`${timestamp}|${body}`),
    signMessage,
  };
}

export interface SignatureVector {
  name: string;
  headers: Record<string, string>;
  /** As the Function URL event carries it: base64 when `isBase64Encoded`. */
  body: string;
  isBase64Encoded: boolean;
  valid: boolean;
}

export const SAMPLE_EVENT = JSON.stringify({
  data: {
    event_type: 'fax.delivered',
    id: '3320554f-6b74-4138-a74b-a1e2ec7eaf8b',
    occurred_at: '2022-01-07T10:01:43.677850Z',
    record_type: 'event',
    payload: {
      call_duration_secs: 79,
      direction: 'outbound',
      fax_id: 'c62be5bc-9b13-4b6c-abda-34dd8b541287',
      page_count: 1,
      status: 'delivered',
      to: '+13129457420',
    },
  },
  meta: { attempt: 1, delivered_to: 'https://hooks.example.com/fax' },
});

const headersOf = (timestamp: string, signature: string) => ({
  'telnyx-timestamp': timestamp,
  'telnyx-signature-ed25519': signature,
});

/** The raw body a vector stands for, as the SDK (which takes a string) is given it. */
export const rawBodyOf = (vector: SignatureVector): string =>
  vector.isBase64Encoded ? Buffer.from(vector.body, 'base64').toString('utf8') : vector.body;

/** Cases judged at `now`; `signer` holds the key the verifier trusts. */
export function signatureVectors(signer: TestSigner, now: Date): SignatureVector[] {
  const stranger = createTestSigner();
  const seconds = Math.floor(now.getTime() / 1000);
  const ts = String(seconds);
  const at = (offset: number) => String(seconds + offset);
  const body = SAMPLE_EVENT;
  const signature = signer.sign(ts, body);
  const plain = (name: string, headers: Record<string, string>, valid: boolean, text = body) => ({
    name,
    headers,
    body: text,
    isBase64Encoded: false,
    valid,
  });
  const encoded = (
    name: string,
    text: string,
    headers: Record<string, string>,
    valid: boolean,
  ) => ({
    name,
    headers,
    body: Buffer.from(text, 'utf8').toString('base64'),
    isBase64Encoded: true,
    valid,
  });
  const unicode = body.replace('+13129457420', 'Zürich ✓ 東京');
  const tampered = body.replace('"page_count":1', '"page_count":9');
  return [
    plain('valid', headersOf(ts, signature), true),
    plain(
      'valid, header names in mixed case',
      { 'Telnyx-Timestamp': ts, 'Telnyx-Signature-Ed25519': signature },
      true,
    ),
    plain('valid, non-ASCII body', headersOf(ts, signer.sign(ts, unicode)), true, unicode),
    plain('valid, 300 s old', headersOf(at(-300), signer.sign(at(-300), body)), true),
    plain('valid, 300 s ahead', headersOf(at(300), signer.sign(at(300), body)), true),
    plain('body with a trailing space', headersOf(ts, signature), false, `${body} `),
    plain('body with a changed value', headersOf(ts, signature), false, tampered),
    plain('timestamp changed after signing', headersOf(at(1), signature), false),
    plain('signed with another key', headersOf(ts, stranger.sign(ts, body)), false),
    plain('301 s old', headersOf(at(-301), signer.sign(at(-301), body)), false),
    plain('301 s in the future', headersOf(at(301), signer.sign(at(301), body)), false),
    plain('an hour old', headersOf(at(-3600), signer.sign(at(-3600), body)), false),
    plain('timestamp in milliseconds', headersOf(`${ts}000`, signer.sign(`${ts}000`, body)), false),
    plain('timestamp not a number', headersOf(`${ts}a`, signer.sign(`${ts}a`, body)), false),
    plain('signature over the body alone', headersOf(ts, signer.signMessage(body)), false),
    plain('missing signature header', { 'telnyx-timestamp': ts }, false),
    plain('missing timestamp header', { 'telnyx-signature-ed25519': signature }, false),
    plain('no headers', {}, false),
    plain('empty signature', headersOf(ts, ''), false),
    plain('truncated signature', headersOf(ts, signature.slice(0, 44)), false),
    plain('signature without base64 padding', headersOf(ts, signature.replace(/=+$/, '')), false),
    plain('signature of 64 zero bytes', headersOf(ts, Buffer.alloc(64).toString('base64')), false),
    encoded('valid, base64-encoded body', body, headersOf(ts, signature), true),
    encoded(
      'valid, base64-encoded non-ASCII body',
      unicode,
      headersOf(ts, signer.sign(ts, unicode)),
      true,
    ),
    encoded('base64-encoded body changed after signing', tampered, headersOf(ts, signature), false),
  ];
}
