// A stand-in for Telnyx's fax API (FAX_API.md §6): POST /v2/faxes, GET /v2/faxes/{id} and
// GET /v2/faxes, the media download, signed webhooks in Telnyx's order, and the account's channel
// limit. The destination number picks the outcome; see the README's "Telnyx emulator" section.
// It also receives faxes (INBOUND.md §2.6): `receive()` or POST /_emulator/receive, a short-lived
// media link, the inbound webhooks, and POST /v2/faxes/{id}/actions/refresh.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkFaxMedia, type MediaCheck } from './fax-media-check';
import { closeHttpServer, listen } from './listen';
import { type CallStats, createChannels } from './telnyx-channels';
import { listFaxes } from './telnyx-fax-list';
import {
  INTERNAL,
  NOT_FOUND,
  RATE_LIMITED_HEADERS,
  readJson,
  reply,
  TOO_MANY_REQUESTS,
  UNAUTHENTICATED,
} from './telnyx-http';
import {
  arrivalEventType,
  arrivalFields,
  checkReceiveRequest,
  detailsOf,
  documentPages,
  type InboundDetails,
  RECEIVE_PATH,
  type ReceiveOptions,
} from './telnyx-inbound';
import { answerMedia, createMediaLinks, MEDIA_LINK_MS, MEDIA_PATH } from './telnyx-media-links';
import { callDurationFor, createOutcomes } from './telnyx-outcomes';
import {
  checkSendFaxRequest,
  type SendFaxRequest,
  type TelnyxError,
} from './telnyx-request-schema';
import {
  createWebhookSigner,
  deliverWebhook,
  type FaxEvent,
  type FaxEventType,
  type WebhookAnswer,
  type WebhookAttempt,
  type WebhookRetry,
} from './telnyx-webhooks';

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
// A received document in base64 (Telnyx takes up to 50 MB), with the rest of the request.
const MAX_RECEIVE_BYTES = 70 * 1024 * 1024;

interface FaxRecord {
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

export async function startTelnyxEmulator(options: EmulatorOptions): Promise<TelnyxEmulator> {
  const host = options.host ?? '127.0.0.1';
  const signer = createWebhookSigner();
  const userId = randomUUID();
  const records = new Map<string, FaxRecord>();
  const links = createMediaLinks();
  const documents = new Map<string, Uint8Array>();
  const connectionId = options.connectionId ?? 'emulator-fax-app';
  // Known once the server listens; media links are only made after that.
  let origin = '';
  const posts: ReceivedPost[] = [];
  const outcomes = createOutcomes();
  const channels = createChannels(options.channels);
  const work = new Set<Promise<void>>();
  const stopping = new AbortController();
  const { signal } = stopping;
  const now = () => new Date().toISOString();

  const report = (activity: EmulatorActivity) => {
    try {
      options.onActivity?.(activity);
    } catch {
      // A broken listener must not break the fax.
    }
  };

  const reportRequest = (method: string, path: string, status: number, note: RequestNote = {}) =>
    report({ kind: 'request', at: now(), method, path, status, ...note });

  const track = (promise: Promise<void>) => {
    const settled = promise.catch(() => undefined);
    work.add(settled);
    void settled.finally(() => work.delete(settled));
  };

  const step = () => sleep(options.stepDelayMs ?? 0, undefined, { signal });

  function raise(record: FaxRecord, type: FaxEventType, extra: Record<string, unknown> = {}) {
    const { fax } = record;
    fax.status = STATUS_OF[type];
    fax.updated_at = now();
    const event: FaxEvent = {
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
        user_id: userId,
        ...extra,
      },
    };
    fax.events.push({ type, id: event.id });
    if ((type === 'fax.delivered' || type === 'fax.failed') && record.holdsChannel) {
      record.holdsChannel = false;
      channels.release();
    }
    if (record.silent) return;
    if (options.shuffleWebhooks) record.held.push(event);
    else send(record, event);
  }

  function send(record: FaxRecord, event: FaxEvent) {
    const copies = options.duplicateWebhooks ? 2 : 1;
    record.queue = record.queue.then(async () => {
      for (let copy = 0; copy < copies && !signal.aborted; copy++) {
        await deliver(record, event).catch(() => undefined);
      }
    });
    track(record.queue);
  }

  async function deliver(record: FaxRecord, event: FaxEvent) {
    const { fax } = record;
    const url = fax.webhook_url ?? options.defaultWebhookUrl ?? '';
    const onAttempt = (attempt: WebhookAttempt) => {
      record.deliveries.push({ eventType: event.event_type, url, ...attempt });
      report({
        kind: 'webhook',
        at: now(),
        faxId: fax.id,
        eventType: event.event_type,
        eventId: event.id,
        url,
        ...attempt,
      });
    };
    if (!url) {
      const answer = { error: 'no webhook_url in the request and no default' };
      return onAttempt({ attempt: 1, answer, willRetry: false });
    }
    await deliverWebhook(url, event, {
      signer,
      retry: options.webhookRetry ?? DEFAULT_RETRY,
      timeoutMs: options.webhookTimeoutMs ?? 10_000,
      signal,
      onAttempt,
    });
  }

  async function run(record: FaxRecord) {
    await step();
    raise(record, 'fax.queued');
    await step();
    if (record.holdsChannel) await call(record);
    else finishFailed(record, 'user_channel_limit_exceeded');
    sendHeld(record);
  }

  function sendHeld(record: FaxRecord) {
    if (!options.shuffleWebhooks) return;
    for (const event of shuffled(record.held)) send(record, event);
    record.held = [];
  }

  async function call(record: FaxRecord) {
    const { fax } = record;
    const media = await checkFaxMedia(fax.media_url ?? '', { signal });
    signal.throwIfAborted();
    report({ kind: 'download', at: now(), faxId: fax.id, url: fax.media_url ?? '', result: media });
    if (media.kind === 'failed') {
      finishFailed(record, media.reason);
    } else {
      raise(record, 'fax.media.processed');
      await step();
      raise(record, 'fax.sending.started');
      await step();
      const outcome = outcomes.dial(fax.to);
      if (outcome.kind === 'failed') {
        finishFailed(record, outcome.reason);
      } else {
        fax.page_count = media.pages;
        fax.call_duration_secs = callDurationFor(media.pages);
        raise(record, 'fax.delivered', {
          page_count: fax.page_count,
          call_duration_secs: fax.call_duration_secs,
        });
      }
    }
  }

  function finishFailed(record: FaxRecord, reason: string) {
    record.fax.failure_reason = reason;
    raise(record, 'fax.failed', { failure_reason: reason });
  }

  function accept(request: SendFaxRequest): EmulatedFax {
    const created = now();
    const fax: EmulatedFax = {
      record_type: 'fax',
      id: randomUUID(),
      connection_id: request.connection_id,
      direction: 'outbound',
      from: request.from,
      to: request.to,
      ...(request.from_display_name === undefined
        ? {}
        : { from_display_name: request.from_display_name }),
      media_url: request.media_url,
      quality: request.quality ?? 'high',
      status: 'queued',
      store_media: request.store_media ?? false,
      ...(request.webhook_url === undefined ? {} : { webhook_url: request.webhook_url }),
      webhook_failover_url: '',
      ...(request.client_state === undefined ? {} : { client_state: request.client_state }),
      created_at: created,
      updated_at: created,
      failure_reason: null,
      events: [],
    };
    records.set(fax.id, {
      fax,
      holdsChannel: channels.take(),
      silent: outcomes.losesWebhooks(fax.to),
      queue: Promise.resolve(),
      held: [],
      deliveries: [],
    });
    return fax;
  }

  async function receive(request: ReceiveOptions): Promise<InboundReceipt> {
    const record = await acceptInbound(request);
    const arrival = arrive(record, request.expireLinkAfterMs ?? MEDIA_LINK_MS);
    track(arrival);
    await arrival;
    await record.queue;
    const { page_count: pageCount } = record.fax;
    return {
      fax: apiObject(record.fax),
      ...(pageCount === undefined ? {} : { pageCount }),
      webhooks: [...record.deliveries],
    };
  }

  async function acceptInbound(request: ReceiveOptions): Promise<FaxRecord> {
    const created = now();
    const details = detailsOf(request);
    const fax: EmulatedFax = {
      record_type: 'fax',
      id: randomUUID(),
      connection_id: connectionId,
      direction: 'inbound',
      from: request.from,
      to: request.to,
      quality: 'high',
      status: 'receiving',
      store_media: false,
      ...(request.webhookUrl === undefined ? {} : { webhook_url: request.webhookUrl }),
      webhook_failover_url: '',
      created_at: created,
      updated_at: created,
      failure_reason: null,
      events: [],
    };
    if (request.document && !details.fail) {
      documents.set(fax.id, request.document);
      fax.page_count = request.pages ?? (await documentPages(request.document)) ?? 1;
      fax.call_duration_secs = callDurationFor(fax.page_count);
    }
    const record: FaxRecord = {
      fax,
      holdsChannel: false,
      silent: false,
      queue: Promise.resolve(),
      held: [],
      deliveries: [],
      inbound: details,
    };
    records.set(fax.id, record);
    return record;
  }

  async function arrive(record: FaxRecord, linkLifetimeMs: number) {
    const details = record.inbound as InboundDetails;
    await step();
    raise(record, 'fax.receiving.started');
    await step();
    if (details.fail) {
      finishFailed(record, details.fail);
    } else {
      // Telnyx makes the link when the fax has arrived: its lifetime starts with the webhook.
      record.fax.media_url = links.issue(origin, record.fax.id, linkLifetimeMs);
      raise(record, arrivalEventType(details), arrivalFields(record.fax, details));
    }
    sendHeld(record);
  }

  async function sendFax(req: IncomingMessage, res: ServerResponse, path: string) {
    const received: ReceivedPost = { at: now(), status: 0 };
    posts.push(received);
    const answer = (status: number, body: unknown, note: RequestNote = {}, headers = {}) => {
      received.status = status;
      if (note.faxId) received.faxId = note.faxId;
      reply(res, status, body, headers);
      reportRequest('POST', path, status, note);
    };
    const body = await readJson(req);
    if (!body.ok) return answer(body.status, { errors: [body.error] }, { errors: [body.error] });
    const check = checkSendFaxRequest(body.value);
    if (!check.ok) return answer(422, { errors: check.errors }, { errors: check.errors });
    const { request } = check;
    Object.assign(received, postedFields(request));
    const refusal = refusalOf(request, outcomes.refuses(request.to));
    if (refusal) return answer(422, { errors: [refusal] }, { to: request.to, errors: [refusal] });
    if (outcomes.throttles(request.to)) {
      const errors = [TOO_MANY_REQUESTS];
      return answer(429, { errors }, { to: request.to, errors }, RATE_LIMITED_HEADERS);
    }
    const fax = accept(request);
    res.once('finish', () => track(run(records.get(fax.id) as FaxRecord)));
    answer(202, { data: apiObject(fax) }, { faxId: fax.id, to: fax.to });
  }

  function listed(res: ServerResponse, path: string, query: URLSearchParams) {
    const page = listFaxes(
      [...records.values()].map(({ fax }) => apiObject(fax)),
      query,
    );
    const status = page.ok ? 200 : 422;
    reply(res, status, page.ok ? { data: page.data, meta: page.meta } : { errors: [page.error] });
    reportRequest('GET', path, status, page.ok ? {} : { errors: [page.error] });
  }

  async function receiveRequest(req: IncomingMessage, res: ServerResponse, path: string) {
    const answer = (status: number, body: unknown, note: RequestNote = {}) => {
      reply(res, status, body);
      reportRequest('POST', path, status, note);
    };
    const body = await readJson(req, MAX_RECEIVE_BYTES);
    if (!body.ok) return answer(body.status, { errors: [body.error] }, { errors: [body.error] });
    const check = checkReceiveRequest(body.value);
    if (!check.ok) return answer(422, { errors: check.errors }, { errors: check.errors });
    const { fax, pageCount, webhooks } = await receive(check.options);
    answer(200, { data: fax, meta: { pageCount, webhooks } }, { faxId: fax.id, to: fax.to });
  }

  function refreshMedia(res: ServerResponse, path: string, id: string) {
    const record = records.get(id);
    if (!record) {
      reply(res, 404, { errors: [NOT_FOUND] });
      return reportRequest('POST', path, 404, { faxId: id });
    }
    if (!documents.has(id)) {
      const errors = [NO_MEDIA_TO_REFRESH];
      reply(res, 422, { errors });
      return reportRequest('POST', path, 422, { faxId: id, errors });
    }
    record.fax.media_url = links.issue(origin, id, MEDIA_LINK_MS);
    record.fax.updated_at = now();
    reply(res, 200, { data: { result: 'ok' } });
    reportRequest('POST', path, 200, { faxId: id });
  }

  function serveMedia(res: ServerResponse, path: string, query: URLSearchParams) {
    const check = links.check(path, query);
    const status = answerMedia(res, check, check.ok ? documents.get(check.faxId) : undefined);
    report({ kind: 'media', at: now(), status, ...(check.ok ? { faxId: check.faxId } : {}) });
  }

  function viewFax(res: ServerResponse, path: string, id: string) {
    const record = records.get(id);
    const status = record ? 200 : 404;
    reply(res, status, record ? { data: apiObject(record.fax) } : { errors: [NOT_FOUND] });
    reportRequest('GET', path, status, { faxId: id });
  }

  const server = createServer((req, res) => {
    const { pathname: path, searchParams } = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    // A presigned link carries its own proof; Telnyx's key must not be needed (nor sent) for it.
    if (method === 'GET' && path.startsWith(MEDIA_PATH)) {
      req.resume();
      return serveMedia(res, path, searchParams);
    }
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      req.resume();
      reply(res, 401, { errors: [UNAUTHENTICATED] });
      reportRequest(method, path, 401);
      return;
    }
    const view = /^\/v2\/faxes\/([^/]+)$/.exec(path);
    const refresh = /^\/v2\/faxes\/([^/]+)\/actions\/refresh$/.exec(path);
    if (method === 'POST' && path === '/v2/faxes') {
      sendFax(req, res, path).catch(() => reply(res, 500, { errors: [INTERNAL] }));
    } else if (method === 'POST' && path === RECEIVE_PATH) {
      receiveRequest(req, res, path).catch(() => reply(res, 500, { errors: [INTERNAL] }));
    } else if (method === 'POST' && refresh) {
      req.resume();
      refreshMedia(res, path, decodeURIComponent(refresh[1] as string));
    } else if (method === 'GET' && path === '/v2/faxes') {
      listed(res, path, searchParams);
    } else if (method === 'GET' && view) {
      viewFax(res, path, decodeURIComponent(view[1] as string));
    } else {
      req.resume();
      reply(res, 404, { errors: [NOT_FOUND] });
      reportRequest(method, path, 404);
    }
  });
  const port = await listen(server, options.port ?? 0, host, 'LOCAL_TELNYX_PORT');
  origin = `http://${host}:${port}`;

  return {
    url: `http://${host}:${port}/v2`,
    publicKey: signer.publicKey,
    faxes: () => [...records.values()].map(({ fax }) => structuredClone(fax)),
    posts: () => posts.map((post) => ({ ...post })),
    calls: () => channels.stats(),
    receive,
    async stop() {
      stopping.abort();
      await Promise.all([...work]);
      await closeHttpServer(server);
    },
  };
}

function refusalOf(request: SendFaxRequest, refusedNumber: boolean): TelnyxError | undefined {
  if (request.media_name !== undefined) {
    return {
      code: '10005',
      title: 'Resource not found',
      detail: `No media named ${request.media_name}: this emulator has no media storage; use media_url.`,
      source: { pointer: '/media_name' },
    };
  }
  if (refusedNumber) {
    return {
      code: '422',
      title: 'Unprocessable Entity',
      detail: 'The destination number cannot receive faxes.',
      source: { pointer: '/to' },
    };
  }
  return undefined;
}

const NO_MEDIA_TO_REFRESH: TelnyxError = {
  code: '10015',
  title: 'Bad Request',
  detail: 'Only a received fax has media to refresh.',
};

function postedFields(request: SendFaxRequest): Partial<ReceivedPost> {
  return {
    to: request.to,
    ...(request.client_state === undefined ? {} : { clientState: request.client_state }),
    ...(request.t38_enabled === undefined ? {} : { t38Enabled: request.t38_enabled }),
  };
}

function apiObject(fax: EmulatedFax): TelnyxFax {
  const { page_count: _pages, call_duration_secs: _seconds, events: _events, ...object } = fax;
  return object;
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
