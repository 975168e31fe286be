// A fax's events as Telnyx raises them: each one sets the fax's status, frees its channel at the
// end, and queues its webhook (duplicated, shuffled or lost as the options and outcomes say).
import { randomUUID } from 'node:crypto';
import type { TelnyxFaxStatus } from './telnyx-emulator';
import { type EmulatorState, type FaxRecord, now, report, track } from './telnyx-emulator-state';
import {
  deliverWebhook,
  type FaxEvent,
  type FaxEventType,
  type WebhookAttempt,
  type WebhookRetry,
} from './telnyx-webhooks';

const DEFAULT_RETRY: WebhookRetry = { attempts: 6, delayMs: 1000 };
const STATUS_OF: Record<FaxEventType, TelnyxFaxStatus> = {
  'fax.queued': 'queued',
  'fax.media.processed': 'media.processed',
  'fax.sending.started': 'sending',
  'fax.delivered': 'delivered',
  'fax.failed': 'failed',
  'fax.receiving.started': 'receiving',
  'fax.received': 'received',
};

export function raise(
  state: EmulatorState,
  record: FaxRecord,
  type: FaxEventType,
  extra: Record<string, unknown> = {},
) {
  const { fax } = record;
  fax.status = STATUS_OF[type];
  fax.updated_at = now();
  const event = eventOf(state, record, type, extra);
  fax.events.push({ type, id: event.id });
  if ((type === 'fax.delivered' || type === 'fax.failed') && record.holdsChannel) {
    record.holdsChannel = false;
    state.channels.release();
  }
  if (record.silent) return;
  if (state.options.shuffleWebhooks) record.held.push(event);
  else send(state, record, event);
}

function eventOf(
  state: EmulatorState,
  { fax }: FaxRecord,
  type: FaxEventType,
  extra: Record<string, unknown>,
): FaxEvent {
  return {
    event_type: type,
    id: randomUUID(),
    occurred_at: fax.updated_at.replace('Z', '000Z'),
    record_type: 'event',
    payload: {
      ...(fax.client_state === undefined ? {} : { client_state: fax.client_state }),
      connection_id: fax.connection_id,
      direction: fax.direction,
      fax_id: fax.id,
      from: fax.from,
      to: fax.to,
      ...(fax.direction === 'outbound' ? { original_media_url: fax.media_url } : {}),
      status: fax.status,
      user_id: state.userId,
      ...extra,
    },
  };
}

export function finishFailed(state: EmulatorState, record: FaxRecord, reason: string) {
  record.fax.failure_reason = reason;
  raise(state, record, 'fax.failed', { failure_reason: reason });
}

/** Sends the events a shuffling emulator held back, in a new order. */
export function sendHeld(state: EmulatorState, record: FaxRecord) {
  if (!state.options.shuffleWebhooks) return;
  for (const event of shuffled(record.held)) send(state, record, event);
  record.held = [];
}

function send(state: EmulatorState, record: FaxRecord, event: FaxEvent) {
  const copies = state.options.duplicateWebhooks ? 2 : 1;
  record.queue = record.queue.then(async () => {
    for (let copy = 0; copy < copies && !state.signal.aborted; copy++) {
      await deliver(state, record, event).catch(() => undefined);
    }
  });
  track(state, record.queue);
}

async function deliver(state: EmulatorState, record: FaxRecord, event: FaxEvent) {
  const { options } = state;
  const url = record.fax.webhook_url ?? options.defaultWebhookUrl ?? '';
  const onAttempt = (attempt: WebhookAttempt) => noteAttempt(state, record, event, url, attempt);
  if (!url) {
    const answer = { error: 'no webhook_url in the request and no default' };
    return onAttempt({ attempt: 1, answer, willRetry: false });
  }
  await deliverWebhook(url, event, {
    signer: state.signer,
    retry: options.webhookRetry ?? DEFAULT_RETRY,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    signal: state.signal,
    onAttempt,
  });
}

function noteAttempt(
  state: EmulatorState,
  record: FaxRecord,
  event: FaxEvent,
  url: string,
  attempt: WebhookAttempt,
) {
  record.deliveries.push({ eventType: event.event_type, url, ...attempt });
  report(state, {
    kind: 'webhook',
    at: now(),
    faxId: record.fax.id,
    eventType: event.event_type,
    eventId: event.id,
    url,
    ...attempt,
  });
}

/** A random order that is never the original one (when there is more than one event). */
function shuffled<T>(items: T[]): T[] {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return order.every((item, i) => item === items[i]) ? order.reverse() : order;
}
