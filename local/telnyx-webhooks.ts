// Signs and delivers the Telnyx emulator's webhooks the way Telnyx does (FAX_API.md §4): an
// Ed25519 signature over `${timestamp}|${body}`, the body serialised once and sent as signed,
// and retries with `meta.attempt` counting up while the endpoint fails.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export type FaxEventType =
  | 'fax.queued'
  | 'fax.media.processed'
  | 'fax.sending.started'
  | 'fax.delivered'
  | 'fax.failed'
  | 'fax.receiving.started'
  | 'fax.received';

export interface FaxEvent {
  event_type: FaxEventType;
  id: string;
  occurred_at: string;
  record_type: 'event';
  payload: Record<string, unknown>;
}

export interface WebhookSigner {
  /** Base64 of the raw 32-byte Ed25519 public key, as the Telnyx portal shows it. */
  publicKey: string;
  /** Base64 signature of `${timestamp}|${body}`. */
  sign(timestamp: string, body: string): string;
}

export function createWebhookSigner(): WebhookSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: rawPublicKey(publicKey).toString('base64'),
    sign: (timestamp, body) =>
      sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64'),
  };
}

// The SPKI DER form of an Ed25519 key ends with the 32 raw key bytes.
const rawPublicKey = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).subarray(-32);

export type WebhookAnswer = { status: number } | { error: string };

export interface WebhookAttempt {
  attempt: number;
  answer: WebhookAnswer;
  willRetry: boolean;
}

export interface WebhookRetry {
  /** Deliveries tried in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; it doubles after each further failure. */
  delayMs: number;
}

export interface DeliveryOptions {
  signer: WebhookSigner;
  retry: WebhookRetry;
  timeoutMs: number;
  signal: AbortSignal;
  onAttempt: (attempt: WebhookAttempt) => void;
}

/** Delivers one event, retrying until a 2xx or the attempts run out. True when delivered. */
export async function deliverWebhook(
  url: string,
  event: FaxEvent,
  options: DeliveryOptions,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const answer = await postOnce(url, event, attempt, options);
    const delivered = 'status' in answer && answer.status >= 200 && answer.status < 300;
    const willRetry = !delivered && attempt < options.retry.attempts;
    options.onAttempt({ attempt, answer, willRetry });
    if (!willRetry) return delivered;
    await sleep(options.retry.delayMs * 2 ** (attempt - 1), undefined, { signal: options.signal });
  }
}

async function postOnce(
  url: string,
  event: FaxEvent,
  attempt: number,
  options: DeliveryOptions,
): Promise<WebhookAnswer> {
  const body = JSON.stringify({ data: event, meta: { attempt, delivered_to: url } });
  const timestamp = String(Math.floor(Date.now() / 1000));
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      signal: options.signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'telnyx-webhooks (fax-bridge emulator)',
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519': options.signer.sign(timestamp, body),
      },
    });
    await response.body.dump();
    return { status: response.statusCode };
  } catch (error) {
    if (options.signal.aborted) throw error;
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
