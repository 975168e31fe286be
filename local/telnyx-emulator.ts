// A stand-in for Telnyx's fax API (FAX_API.md §6): POST /v2/faxes, GET /v2/faxes/{id} and
// GET /v2/faxes, the media download, signed webhooks in Telnyx's order, and the account's channel
// limit. The destination number picks the outcome; see the README's "Telnyx emulator" section.
// It also receives faxes (INBOUND.md §2.6): `receive()` or POST /_emulator/receive, a short-lived
// media link, the inbound webhooks, and POST /v2/faxes/{id}/actions/refresh.
import { createServer } from 'node:http';
import type { MediaCheck } from './fax-media-check';
import { closeHttpServer, listen } from './listen';
import type { CallStats } from './telnyx-channels';
import { createEmulatorState } from './telnyx-emulator-state';
import type { ReceiveOptions } from './telnyx-inbound';
import { receive } from './telnyx-receive';
import type { TelnyxError } from './telnyx-request-schema';
import { route } from './telnyx-routes';
import type { FaxEventType, WebhookAnswer, WebhookAttempt, WebhookRetry } from './telnyx-webhooks';

export interface EmulatorOptions {
  /** 0: any free port. */
  port?: number;
  host?: string;
  /** The Bearer key requests must carry. */
  apiKey: string;
  /** Send every webhook twice (same event id), as Telnyx sometimes does. */
  duplicateWebhooks?: boolean;
  /** Send each fax's webhooks in a random order, never the documented one. */
  shuffleWebhooks?: boolean;
  /** Pause before each step of a fax (queued, download, sending, result). Default 0. */
  stepDelayMs?: number;
  /**
   * Calls the account may have at once. A fax accepted while all are taken fails with
   * `user_channel_limit_exceeded`, as Telnyx's do. Default: no limit.
   */
  channels?: number;
  /** Default: 6 attempts, 1 s doubling (about 30 s in all). */
  webhookRetry?: WebhookRetry;
  /** How long a webhook endpoint may take to answer. Default 10 s. */
  webhookTimeoutMs?: number;
  /** Where webhooks go when a request has no webhook_url (a Fax Application's URL). */
  defaultWebhookUrl?: string;
  /** The Fax Application that receives faxes: `connection_id` of inbound faxes. */
  connectionId?: string;
  onActivity?: (activity: EmulatorActivity) => void;
}

/** What a request's activity entry adds to method, path and status. */
export interface RequestNote {
  faxId?: string;
  to?: string;
  errors?: TelnyxError[];
}

export type EmulatorActivity =
  | ({ kind: 'request'; at: string; method: string; path: string; status: number } & RequestNote)
  | { kind: 'download'; at: string; faxId: string; url: string; result: MediaCheck }
  /** A GET of a received fax's media link (faxId when the link was good). */
  | { kind: 'media'; at: string; status: number; faxId?: string }
  | {
      kind: 'webhook';
      at: string;
      faxId: string;
      eventType: FaxEventType;
      eventId: string;
      url: string;
      attempt: number;
      answer: WebhookAnswer;
      willRetry: boolean;
    };

export type TelnyxFaxStatus =
  | 'queued'
  | 'media.processed'
  | 'sending'
  | 'delivered'
  | 'failed'
  | 'receiving'
  | 'received';

/** The `Fax` object of Telnyx's API. */
export interface TelnyxFax {
  record_type: 'fax';
  id: string;
  connection_id: string;
  direction: 'outbound' | 'inbound';
  from: string;
  to: string;
  from_display_name?: string;
  media_url?: string;
  quality: string;
  status: TelnyxFaxStatus;
  store_media: boolean;
  webhook_url?: string;
  webhook_failover_url: string;
  client_state?: string;
  created_at: string;
  updated_at: string;
  failure_reason: string | null;
}

/** A fax as the emulator knows it: the API object plus what only webhooks tell. */
export interface EmulatedFax extends TelnyxFax {
  page_count?: number;
  call_duration_secs?: number;
  /** The events raised for this fax, in the order they happened (not necessarily as sent). */
  events: { type: FaxEventType; id: string }[];
}

/** One `POST /v2/faxes` as it arrived and was answered. */
export interface ReceivedPost {
  at: string;
  status: number;
  to?: string;
  clientState?: string;
  t38Enabled?: boolean;
  faxId?: string;
}

export type { CallStats } from './telnyx-channels';
export type { ReceiveOptions } from './telnyx-inbound';

/** One delivery attempt of a fax's webhook. */
export interface WebhookDelivery extends WebhookAttempt {
  eventType: FaxEventType;
  url: string;
}

/** A received fax, once its webhooks were all delivered or given up. */
export interface InboundReceipt {
  fax: TelnyxFax;
  /** What the webhooks said; like Telnyx's, the `Fax` object has none. */
  pageCount?: number;
  webhooks: WebhookDelivery[];
}

export interface TelnyxEmulator {
  /** Base URL, e.g. http://127.0.0.1:4010/v2 */
  url: string;
  /** Base64 of the raw 32-byte Ed25519 key that verifies the webhooks. */
  publicKey: string;
  faxes(): EmulatedFax[];
  /** Every POST received, refused and throttled ones too, in order. */
  posts(): ReceivedPost[];
  /** Calls in flight now, at their peak and over time, and the channel-limit failures. */
  calls(): CallStats;
  /**
   * A fax arrives on the account: its webhooks go out (signed, duplicated or shuffled as the
   * options say); resolves once each was delivered or given up.
   */
  receive(options: ReceiveOptions): Promise<InboundReceipt>;
  stop(): Promise<void>;
}

export async function startTelnyxEmulator(options: EmulatorOptions): Promise<TelnyxEmulator> {
  const host = options.host ?? '127.0.0.1';
  const state = createEmulatorState(options);
  const server = createServer((req, res) => route(state, req, res));
  const port = await listen(server, options.port ?? 0, host, 'LOCAL_TELNYX_PORT');
  state.origin = `http://${host}:${port}`;

  return {
    url: `http://${host}:${port}/v2`,
    publicKey: state.signer.publicKey,
    faxes: () => [...state.records.values()].map(({ fax }) => structuredClone(fax)),
    posts: () => state.posts.map((post) => ({ ...post })),
    calls: () => state.channels.stats(),
    receive: (request) => receive(state, request),
    async stop() {
      state.stopping.abort();
      await Promise.all([...state.work]);
      await closeHttpServer(server);
    },
  };
}
