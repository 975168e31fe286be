// What one running Telnyx emulator holds, shared by its request handlers and its fax lifecycles:
// the faxes, the received documents and their links, the posts, and the work still in flight.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Channels, createChannels } from './telnyx-channels';
import type {
  EmulatedFax,
  EmulatorActivity,
  EmulatorOptions,
  ReceivedPost,
  RequestNote,
  TelnyxFax,
  WebhookDelivery,
} from './telnyx-emulator';
import type { InboundDetails } from './telnyx-inbound';
import { createMediaLinks, type MediaLinks } from './telnyx-media-links';
import { createOutcomes, type Outcomes } from './telnyx-outcomes';
import { createWebhookSigner, type FaxEvent, type WebhookSigner } from './telnyx-webhooks';

export interface FaxRecord {
  fax: EmulatedFax;
  /** False when every channel was taken at its acceptance: it fails without a call. */
  holdsChannel: boolean;
  /** Its webhooks are raised but never sent (a fax whose webhooks all got lost). */
  silent: boolean;
  /** Deliveries of this fax's webhooks, one after another so a failing one holds back the rest. */
  queue: Promise<void>;
  held: FaxEvent[];
  deliveries: WebhookDelivery[];
  /** Set on a fax the account received. */
  inbound?: InboundDetails;
}

export interface EmulatorState {
  options: EmulatorOptions;
  signer: WebhookSigner;
  userId: string;
  records: Map<string, FaxRecord>;
  links: MediaLinks;
  documents: Map<string, Uint8Array>;
  connectionId: string;
  /** Known once the server listens; media links are only made after that. */
  origin: string;
  posts: ReceivedPost[];
  outcomes: Outcomes;
  channels: Channels;
  work: Set<Promise<void>>;
  stopping: AbortController;
  signal: AbortSignal;
}

export function createEmulatorState(options: EmulatorOptions): EmulatorState {
  const stopping = new AbortController();
  return {
    options,
    signer: createWebhookSigner(),
    userId: randomUUID(),
    records: new Map(),
    links: createMediaLinks(),
    documents: new Map(),
    connectionId: options.connectionId ?? 'emulator-fax-app',
    origin: '',
    posts: [],
    outcomes: createOutcomes(),
    channels: createChannels(options.channels),
    work: new Set(),
    stopping,
    signal: stopping.signal,
  };
}

export const now = () => new Date().toISOString();

export function report(state: EmulatorState, activity: EmulatorActivity) {
  try {
    state.options.onActivity?.(activity);
  } catch {
    // A broken listener must not break the fax.
  }
}

export const reportRequest = (
  state: EmulatorState,
  method: string,
  path: string,
  status: number,
  note: RequestNote = {},
) => report(state, { kind: 'request', at: now(), method, path, status, ...note });

/** Keeps `promise` among the work `stop()` waits for, until it settles. */
export function track(state: EmulatorState, promise: Promise<void>) {
  const settled = promise.catch(() => undefined);
  state.work.add(settled);
  void settled.finally(() => state.work.delete(settled));
}

export const step = (state: EmulatorState) =>
  sleep(state.options.stepDelayMs ?? 0, undefined, { signal: state.signal });

export function newRecord(fax: EmulatedFax, fields: Partial<FaxRecord> = {}): FaxRecord {
  return {
    fax,
    holdsChannel: false,
    silent: false,
    queue: Promise.resolve(),
    held: [],
    deliveries: [],
    ...fields,
  };
}

export function apiObject(fax: EmulatedFax): TelnyxFax {
  const { page_count: _pages, call_duration_secs: _seconds, events: _events, ...object } = fax;
  return object;
}
