import { describe, expect, it } from 'vitest';
import {
  verifyWebhookSignature,
  webhookPublicKey,
} from '../../../../functions/core/webhook/webhook-signature';
import {
  createTestSigner,
  SAMPLE_EVENT,
  type SignatureVector,
  signatureVectors,
} from '../../../support/signature-vectors';

const signer = createTestSigner();
const publicKey = webhookPublicKey(signer.publicKey);
const now = new Date('2026-03-05T15:14:07.500Z');
const ts = String(Math.floor(now.getTime() / 1000));

const judge = (vector: Pick<SignatureVector, 'headers' | 'body' | 'isBase64Encoded'>) =>
  verifyWebhookSignature({
    headers: vector.headers,
    rawBody: Buffer.from(vector.body, vector.isBase64Encoded ? 'base64' : 'utf8'),
    publicKey,
    now,
  });

describe('webhook signature', () => {
  it.each(signatureVectors(signer, now))('$name → valid: $valid', (vector) => {
    expect(judge(vector).valid).toBe(vector.valid);
  });

  it('says why a webhook is refused', () => {
    const plain = (headers: Record<string, string>) =>
      judge({ headers, body: SAMPLE_EVENT, isBase64Encoded: false });
    expect(plain({ 'telnyx-timestamp': ts })).toEqual({ valid: false, reason: 'missing_headers' });
    const old = String(Number(ts) - 301);
    expect(
      plain({
        'telnyx-timestamp': old,
        'telnyx-signature-ed25519': signer.sign(old, SAMPLE_EVENT),
      }),
    ).toEqual({ valid: false, reason: 'stale_timestamp' });
    expect(
      plain({
        'telnyx-timestamp': '1e9',
        'telnyx-signature-ed25519': signer.sign('1e9', SAMPLE_EVENT),
      }),
    ).toEqual({ valid: false, reason: 'bad_timestamp' });
    expect(
      plain({
        'telnyx-timestamp': ts,
        'telnyx-signature-ed25519': signer.sign(ts, `${SAMPLE_EVENT}\n`),
      }),
    ).toEqual({ valid: false, reason: 'bad_signature' });
  });

  it('verifies the raw bytes, not a re-serialised body', () => {
    const pretty = JSON.stringify(JSON.parse(SAMPLE_EVENT), null, 2);
    const headers = { 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': signer.sign(ts, pretty) };
    expect(judge({ headers, body: pretty, isBase64Encoded: false }).valid).toBe(true);
    expect(judge({ headers, body: SAMPLE_EVENT, isBase64Encoded: false }).valid).toBe(false);
  });

  it('accepts only a 32-byte base64 public key', () => {
    expect(() => webhookPublicKey(Buffer.alloc(31).toString('base64'))).toThrow(/32 bytes/);
    expect(() => webhookPublicKey('not base64!')).toThrow(/32 bytes/);
    expect(webhookPublicKey(signer.publicKey).asymmetricKeyType).toBe('ed25519');
  });
});
