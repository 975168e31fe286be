// A stand-in for Telnyx's fax API (FAX_API.md §6): POST /v2/faxes and GET /v2/faxes/{id}, the
// media download, and signed webhooks in Telnyx's order. The destination number picks the
// outcome; see the README's "Telnyx emulator" section.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkFaxMedia, type MediaCheck } from './fax-media-check';
import { closeHttpServer, listen } from './listen';
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
  /** Default: 6 attempts, 1 s doubling (about 30 s in all). */
  webhookRetry?: WebhookRetry;
  /** How long a webhook endpoint may take to answer. Default 10 s. */
  webhookTimeoutMs?: number;
  /** Where webhooks go when a request has no webhook_url (a Fax Application's URL). */
  defaultWebhookUrl?: string;
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

export type TelnyxFaxStatus = 'queued' | 'media.processed' | 'sending' | 'delivered' | 'failed';

/** The `Fax` object of Telnyx's API. */
export interface TelnyxFax {
  record_type: 'fax';
  id: string;
  connection_id: string;
  direction: 'outbound';
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

export interface TelnyxEmulator {
  /** Base URL, e.g. http://127.0.0.1:4010/v2 */
  url: string;
  /** Base64 of the raw 32-byte Ed25519 key that verifies the webhooks. */
  publicKey: string;
  faxes(): EmulatedFax[];
  stop(): Promise<void>;
}

type Outcome = { kind: 'delivered' } | { kind: 'failed'; reason: string };

const FAILING_ENDINGS: Record<string, string> = {
  '0001': 'user_busy',
  '0002': 'receiver_no_answer',
  '0004': 'receiver_call_dropped',
};
const REFUSED_ENDING = '0003';

export const outcomeFor = (to: string): Outcome => {
  const reason = FAILING_ENDINGS[to.slice(-4)];
  return reason ? { kind: 'failed', reason } : { kind: 'delivered' };
};

/** Plausible seconds on the line: call set-up plus about 20 s a page. */
export const callDurationFor = (pages: number) => 15 + 20 * pages;

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_RETRY: WebhookRetry = { attempts: 6, delayMs: 1000 };
const STATUS_OF: Record<FaxEventType, TelnyxFaxStatus> = {
  'fax.queued': 'queued',
  'fax.media.processed': 'media.processed',
  'fax.sending.started': 'sending',
  'fax.delivered': 'delivered',
  'fax.failed': 'failed',
};

interface FaxRecord {
  fax: EmulatedFax;
  /** Deliveries of this fax's webhooks, one after another so a failing one holds back the rest. */
  queue: Promise<void>;
  held: FaxEvent[];
}

export async function startTelnyxEmulator(options: EmulatorOptions): Promise<TelnyxEmulator> {
  const host = options.host ?? '127.0.0.1';
  const signer = createWebhookSigner();
  const userId = randomUUID();
  const records = new Map<string, FaxRecord>();
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
        direction: 'outbound',
        fax_id: fax.id,
        from: fax.from,
        to: fax.to,
        original_media_url: fax.media_url,
        status: fax.status,
        user_id: userId,
        ...extra,
      },
    };
    fax.events.push({ type, id: event.id });
    if (options.shuffleWebhooks) record.held.push(event);
    else send(record, event);
  }

  function send(record: FaxRecord, event: FaxEvent) {
    const copies = options.duplicateWebhooks ? 2 : 1;
    record.queue = record.queue.then(async () => {
      for (let copy = 0; copy < copies && !signal.aborted; copy++) {
        await deliver(record.fax, event).catch(() => undefined);
      }
    });
    track(record.queue);
  }

  async function deliver(fax: EmulatedFax, event: FaxEvent) {
    const url = fax.webhook_url ?? options.defaultWebhookUrl ?? '';
    const onAttempt = (attempt: WebhookAttempt) =>
      report({
        kind: 'webhook',
        at: now(),
        faxId: fax.id,
        eventType: event.event_type,
        eventId: event.id,
        url,
        ...attempt,
      });
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
    const { fax } = record;
    await step();
    raise(record, 'fax.queued');
    await step();
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
      const outcome = outcomeFor(fax.to);
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
    if (options.shuffleWebhooks) {
      for (const event of shuffled(record.held)) send(record, event);
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
    records.set(fax.id, { fax, queue: Promise.resolve(), held: [] });
    return fax;
  }

  async function sendFax(req: IncomingMessage, res: ServerResponse, path: string) {
    const answer = (status: number, body: unknown, note: RequestNote = {}) => {
      reply(res, status, body);
      reportRequest('POST', path, status, note);
    };
    const body = await readJson(req);
    if (!body.ok) return answer(body.status, { errors: [body.error] }, { errors: [body.error] });
    const check = checkSendFaxRequest(body.value);
    if (!check.ok) return answer(422, { errors: check.errors }, { errors: check.errors });
    const { request } = check;
    const refusal = refusalOf(request);
    if (refusal) return answer(422, { errors: [refusal] }, { to: request.to, errors: [refusal] });
    const fax = accept(request);
    res.once('finish', () => track(run(records.get(fax.id) as FaxRecord)));
    answer(202, { data: apiObject(fax) }, { faxId: fax.id, to: fax.to });
  }

  function viewFax(res: ServerResponse, path: string, id: string) {
    const record = records.get(id);
    const status = record ? 200 : 404;
    reply(res, status, record ? { data: apiObject(record.fax) } : { errors: [NOT_FOUND] });
    reportRequest('GET', path, status, { faxId: id });
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    const method = req.method ?? 'GET';
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      req.resume();
      reply(res, 401, { errors: [UNAUTHENTICATED] });
      reportRequest(method, path, 401);
      return;
    }
    const view = /^\/v2\/faxes\/([^/]+)$/.exec(path);
    if (method === 'POST' && path === '/v2/faxes') {
      sendFax(req, res, path).catch(() => reply(res, 500, { errors: [INTERNAL] }));
    } else if (method === 'GET' && view) {
      viewFax(res, path, decodeURIComponent(view[1] as string));
    } else {
      req.resume();
      reply(res, 404, { errors: [NOT_FOUND] });
      reportRequest(method, path, 404);
    }
  });
  const port = await listen(server, options.port ?? 0, host, 'LOCAL_TELNYX_PORT');

  return {
    url: `http://${host}:${port}/v2`,
    publicKey: signer.publicKey,
    faxes: () => [...records.values()].map(({ fax }) => structuredClone(fax)),
    async stop() {
      stopping.abort();
      await Promise.all([...work]);
      await closeHttpServer(server);
    },
  };
}

function refusalOf(request: SendFaxRequest): TelnyxError | undefined {
  if (request.media_name !== undefined) {
    return {
      code: '10005',
      title: 'Resource not found',
      detail: `No media named ${request.media_name}: this emulator has no media storage; use media_url.`,
      source: { pointer: '/media_name' },
    };
  }
  if (request.to.endsWith(REFUSED_ENDING)) {
    return {
      code: '422',
      title: 'Unprocessable Entity',
      detail: 'The destination number cannot receive faxes.',
      source: { pointer: '/to' },
    };
  }
  return undefined;
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

type JsonBody = { ok: true; value: unknown } | { ok: false; status: number; error: TelnyxError };

async function readJson(req: IncomingMessage): Promise<JsonBody> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    req.resume();
    return { ok: false, status: 415, error: UNSUPPORTED_TYPE };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, error: TOO_LARGE };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, error: INVALID_JSON };
  }
}

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const UNAUTHENTICATED: TelnyxError & { meta: { url: string } } = {
  code: '10009',
  title: 'Authentication failed',
  detail: 'Could not understand the provided credentials.',
  meta: { url: 'https://developers.telnyx.com/docs/overview/errors/10009' },
};
const NOT_FOUND: TelnyxError = {
  code: '404',
  title: 'Not Found',
  detail: 'The requested resource does not exist',
};
const INVALID_JSON: TelnyxError = {
  code: '10023',
  title: 'Invalid JSON',
  detail: 'The request body is not valid JSON.',
  source: { pointer: '/' },
};
const UNSUPPORTED_TYPE: TelnyxError = {
  code: '10024',
  title: 'Unsupported Content-Type',
  detail: "Must encode request as 'application/json'.",
};
const TOO_LARGE: TelnyxError = {
  code: '10015',
  title: 'Bad Request',
  detail: 'The request body is too large.',
  source: { pointer: '/' },
};
const INTERNAL: TelnyxError = {
  code: '10007',
  title: 'Unexpected error',
  detail: 'The emulator failed to handle the request.',
};
