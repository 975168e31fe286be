import Telnyx from 'telnyx';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  verifyWebhookSignature,
  webhookPublicKey,
} from '../../../../functions/core/webhook/webhook-signature';
import { createTestSigner, rawBodyOf, signatureVectors } from '../../../support/signature-vectors';

// The official SDK is the reference: every vector must be judged by our verifier exactly as
// `client.webhooks.unwrap` judges it.
const signer = createTestSigner();
const now = new Date('2026-03-05T15:14:07.500Z');
const client = new Telnyx({ apiKey: 'KEY-unused', publicKey: signer.publicKey });
const publicKey = webhookPublicKey(signer.publicKey);

async function sdkAccepts(body: string, headers: Record<string, string>): Promise<boolean> {
  try {
    await client.webhooks.unwrap(body, { headers });
    return true;
  } catch (error) {
    if ((error as Error).name !== 'TelnyxWebhookVerificationError') throw error;
    return false;
  }
}

describe('webhook signature against the official telnyx SDK', () => {
  // The SDK reads the clock with Date.now(); pin it so both judge at the same instant.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'], now });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it.each(signatureVectors(signer, now))('$name', async (vector) => {
    const ours = verifyWebhookSignature({
      headers: vector.headers,
      rawBody: Buffer.from(vector.body, vector.isBase64Encoded ? 'base64' : 'utf8'),
      publicKey,
      now,
    }).valid;
    const sdk = await sdkAccepts(rawBodyOf(vector), vector.headers);
    expect({ ours, sdk }).toEqual({ ours: vector.valid, sdk: vector.valid });
  });
});
