import { STATUS_CODES } from 'node:http';
import { setTimeout as wait } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type {
  FaxApi,
  FaxListing,
  FaxLookup,
  FaxNotSentCode,
  FaxRequest,
  FaxSendResult,
  FaxUnknownCode,
  ReceivedFaxApi,
  ReceivedFaxLookup,
  TelnyxFax,
} from '../core/shared/ports';

export interface TelnyxClientOptions {
  /** e.g. `https://api.telnyx.com/v2`, without a trailing slash. */
  apiUrl: string;
  apiKey: () => Promise<string>;
  connectTimeoutMs?: number;
  /** Limit on waiting for the answer's headers, and again for its body. */
  responseTimeoutMs?: number;
  /** Tries in all while Telnyx cannot be reached. */
  maxTries?: number;
  /** Cap on any one wait between tries. */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The outcome of one POST: final, or worth another try because Telnyx certainly did not take it. */
type Attempt = { final: FaxSendResult } | { final?: undefined; detail: string };

/** One GET's answer, or why there is none. */
type Fetched =
  | { kind: 'answer'; status: number; body: unknown; detail: string }
  | { kind: 'failed'; detail: string };

type Headers = Record<string, string | string[] | undefined>;

// Errors that happen before the request leaves this machine.
const NOT_REACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
// Only a 429 certainly left the fax untaken: a 503 may come from a gateway after Telnyx took
// it, so it is a fate unknown, which the sweeper looks up, never a reason to post again.
const THROTTLED = new Set([429]);
const FIRST_BACKOFF_MS = 1000;
/** Faxes per page of `GET /faxes`, and pages read at most: a sweep asks about one number. */
const PAGE_SIZE = 50;
const MAX_PAGES = 10;

/**
 * Telnyx's fax API with bounded time. Telnyx has no idempotency key, so a POST that may have
 * reached it is never sent again: only failed connections are retried, and a busy Telnyx is
 * answered (429) at once as `throttled` so that the dispatch queue, not this call, does the waiting.
 */
export class TelnyxClient implements FaxApi, ReceivedFaxApi {
  private readonly apiUrl: string;
  private readonly apiKey: () => Promise<string>;
  private readonly responseTimeoutMs: number;
  private readonly maxTries: number;
  private readonly maxRetryWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly agent: Agent;

  constructor(options: TelnyxClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 20_000;
    this.maxTries = options.maxTries ?? 3;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => wait(ms));
    this.agent = new Agent({ connect: { timeout: options.connectTimeoutMs ?? 5_000 } });
  }

  async sendFax(fax: FaxRequest): Promise<FaxSendResult> {
    let apiKey: string;
    try {
      apiKey = await this.apiKey();
    } catch (error) {
      return notSent('api_key_unreadable', messageOf(error));
    }
    const body = JSON.stringify({
      connection_id: fax.connectionId,
      from: fax.from,
      to: fax.to,
      media_url: fax.mediaUrl,
      quality: fax.quality,
      webhook_url: fax.webhookUrl,
      client_state: fax.clientState,
      ...(fax.t38Enabled === undefined ? {} : { t38_enabled: fax.t38Enabled }),
    });
    for (let tries = 1; ; tries++) {
      const attempt = await this.post(body, apiKey);
      if (attempt.final) return attempt.final;
      if (tries >= this.maxTries)
        return notSent('unreachable', `${attempt.detail}, ${tries} tries`);
      await this.sleep(Math.min(FIRST_BACKOFF_MS * 2 ** (tries - 1), this.maxRetryWaitMs));
    }
  }

  async getFax(faxId: string): Promise<FaxLookup> {
    const fetched = await this.get(`/faxes/${encodeURIComponent(faxId)}`);
    if (fetched.kind === 'failed') return unavailable(fetched.detail);
    if (fetched.status === 404) return { kind: 'not_found' };
    if (fetched.status !== 200) return unavailable(fetched.detail);
    const fax = telnyxFaxOf((fetched.body as { data?: unknown } | undefined)?.data);
    return fax ? { kind: 'found', fax } : unavailable(`${fetched.detail} without a fax`);
  }

  async listFaxes(query: { to: string; createdSince: Date }): Promise<FaxListing> {
    const faxes: TelnyxFax[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const params = new URLSearchParams({
        'filter[to][eq]': query.to,
        'filter[created_at][gte]': query.createdSince.toISOString(),
        'page[size]': String(PAGE_SIZE),
        'page[number]': String(page),
      });
      const fetched = await this.get(`/faxes?${params}`);
      if (fetched.kind === 'failed') return unavailable(fetched.detail);
      if (fetched.status !== 200) return unavailable(fetched.detail);
      const { data, meta } = (fetched.body ?? {}) as {
        data?: unknown;
        meta?: { total_pages?: unknown };
      };
      if (!Array.isArray(data)) return unavailable(`${fetched.detail} without a list of faxes`);
      for (const item of data) {
        const fax = telnyxFaxOf(item);
        if (fax) faxes.push(fax);
      }
      const totalPages = typeof meta?.total_pages === 'number' ? meta.total_pages : 1;
      if (page >= totalPages || data.length === 0) break;
    }
    return { kind: 'listed', faxes };
  }

  /**
   * A fresh link to a received fax's document: `POST /faxes/{id}/actions/refresh`, then the fax
   * as `GET /faxes/{id}` shows it. Refreshing twice does no harm, so a failed POST is asked again.
   */
  async refreshMedia(
    faxId: string,
  ): Promise<{ kind: 'refreshed'; mediaUrl: string } | { kind: 'unavailable'; detail: string }> {
    const path = `/faxes/${encodeURIComponent(faxId)}`;
    const refreshed = await this.get(`${path}/actions/refresh`, 'POST');
    if (refreshed.kind === 'failed') return unavailable(`refresh: ${refreshed.detail}`);
    if (refreshed.status < 200 || refreshed.status >= 300) {
      return unavailable(`refresh: ${refreshed.detail}`);
    }
    const fetched = await this.lookupReceived(faxId);
    if (fetched.kind !== 'found') {
      return unavailable(fetched.kind === 'unavailable' ? fetched.detail : '404 Not Found');
    }
    return fetched.mediaUrl
      ? { kind: 'refreshed', mediaUrl: fetched.mediaUrl }
      : unavailable('the fax has no media_url');
  }

  async lookupReceived(faxId: string): Promise<ReceivedFaxLookup> {
    const fetched = await this.get(`/faxes/${encodeURIComponent(faxId)}`);
    if (fetched.kind === 'failed') return unavailable(fetched.detail);
    if (fetched.status === 404) return { kind: 'not_found' };
    if (fetched.status !== 200) return unavailable(fetched.detail);
    const fax = ((fetched.body as { data?: unknown } | undefined)?.data ?? {}) as Record<
      string,
      unknown
    >;
    const mediaUrl = [fax.media_url, fax.original_media_url].find(
      (url): url is string => typeof url === 'string' && /^https?:\/\//.test(url),
    );
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return { kind: 'found', to: text(fax.to), direction: text(fax.direction), mediaUrl };
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async post(body: string, apiKey: string): Promise<Attempt> {
    try {
      const response = await request(`${this.apiUrl}/faxes`, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body,
        headersTimeout: this.responseTimeoutMs,
        bodyTimeout: this.responseTimeoutMs,
        // A fresh connection each time: a kept-alive socket gone stale while Lambda was frozen
        // would fail mid-request and leave the fax's fate unknown.
        reset: true,
      });
      const { statusCode, headers, body: answer } = response;
      // Only an acceptance needs its body; a refusal or busy answer stands without one.
      const text = statusCode < 300 ? await answer.text() : await answer.text().catch(() => '');
      return { final: answerOf(statusCode, headers, text) };
    } catch (error) {
      return failureOf(error);
    }
  }

  /**
   * A GET changes nothing at Telnyx, so one that failed on the network is asked once more; so is
   * a POST that only repeats what it asks for (a refresh).
   */
  private async get(path: string, method: 'GET' | 'POST' = 'GET'): Promise<Fetched> {
    let apiKey: string;
    try {
      apiKey = await this.apiKey();
    } catch (error) {
      return { kind: 'failed', detail: `API key unreadable: ${messageOf(error)}` };
    }
    const first = await this.getOnce(path, apiKey, method);
    if (first.kind === 'answer') return first;
    await this.sleep(Math.min(FIRST_BACKOFF_MS, this.maxRetryWaitMs));
    const second = await this.getOnce(path, apiKey, method);
    return second.kind === 'answer'
      ? second
      : { kind: 'failed', detail: `${second.detail}, 2 tries` };
  }

  private async getOnce(path: string, apiKey: string, method: 'GET' | 'POST'): Promise<Fetched> {
    try {
      const { statusCode, body } = await request(`${this.apiUrl}${path}`, {
        method,
        dispatcher: this.agent,
        headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
        headersTimeout: this.responseTimeoutMs,
        bodyTimeout: this.responseTimeoutMs,
        reset: true,
      });
      const text = await body.text();
      const detail = errorDetail(text);
      return {
        kind: 'answer',
        status: statusCode,
        body: parseJson(text),
        detail: detail ? `${statusLine(statusCode)}: ${detail}` : statusLine(statusCode),
      };
    } catch (error) {
      return { kind: 'failed', detail: errorCode(error) ?? messageOf(error) };
    }
  }
}

function answerOf(status: number, headers: Headers, text: string): FaxSendResult {
  if (status >= 200 && status < 300) {
    const faxId = (parseJson(text) as { data?: { id?: unknown } } | undefined)?.data?.id;
    return typeof faxId === 'string' && faxId
      ? { kind: 'accepted', faxId }
      : unknown('no_fax_id', statusLine(status));
  }
  const telnyxSays = errorDetail(text);
  if (THROTTLED.has(status)) {
    const retryAfterSeconds = retryAfterSecondsOf(headers, Date.now());
    return {
      kind: 'throttled',
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      detail: telnyxSays ? `${statusLine(status)}: ${telnyxSays}` : statusLine(status),
    };
  }
  const detail = telnyxSays ?? statusLine(status);
  // Our key, not the sender's fax: nothing was sent, and it is the administrator's to fix.
  if (status === 401 || status === 403) return notSent('api_key_refused', detail);
  if (status >= 400 && status < 500)
    return { kind: 'refused', code: 'invalid_request', status, detail };
  return unknown('server_error', statusLine(status));
}

function failureOf(error: unknown): Attempt {
  const code = errorCode(error);
  if (code && NOT_REACHED.has(code)) return { detail: code };
  const what: FaxUnknownCode =
    code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
      ? 'timeout'
      : code === 'UND_ERR_SOCKET' || code === 'ECONNRESET'
        ? 'connection_broken'
        : 'request_failed';
  return { final: unknown(what, code ?? messageOf(error)) };
}

/** Telnyx's `Fax` object as the port's `TelnyxFax`, or undefined when it has no id. */
function telnyxFaxOf(value: unknown): TelnyxFax | undefined {
  const fax = (value ?? {}) as Record<string, unknown>;
  if (typeof fax.id !== 'string' || !fax.id) return undefined;
  const text = (key: string) => (typeof fax[key] === 'string' ? (fax[key] as string) : undefined);
  const count = (key: string) => (typeof fax[key] === 'number' ? (fax[key] as number) : undefined);
  const optional: Partial<TelnyxFax> = {
    clientState: text('client_state'),
    failureReason: text('failure_reason'),
    pageCount: count('page_count'),
    callDurationSecs: count('call_duration_secs'),
    createdAt: text('created_at'),
    updatedAt: text('updated_at'),
  };
  return {
    id: fax.id,
    to: text('to') ?? '',
    status: text('status') ?? '',
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}

/**
 * Seconds to wait, from `Retry-After` (seconds or an HTTP date) and `x-ratelimit-reset`, the
 * longer of the two. Telnyx documents the latter as seconds until the reset; other APIs send an
 * epoch there, so a value too large to be a wait is read as epoch seconds (or milliseconds).
 */
export function retryAfterSecondsOf(headers: Headers, nowMs: number): number | undefined {
  const waits = [
    retryAfterMs(header(headers, 'retry-after'), nowMs),
    rateLimitResetMs(header(headers, 'x-ratelimit-reset'), nowMs),
  ].filter((ms): ms is number => ms !== undefined);
  return waits.length > 0 ? Math.ceil(Math.max(...waits) / 1000) : undefined;
}

const header = (headers: Headers, name: string) => {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
};

function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

// Past this, a "seconds until reset" would be over 30 years: it can only be an epoch.
const EPOCH_SECONDS_FROM = 1e9;
const EPOCH_MS_FROM = 1e12;

function rateLimitResetMs(value: string | undefined, nowMs: number): number | undefined {
  if (!value || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  const number = Number(value);
  if (number >= EPOCH_MS_FROM) return Math.max(0, number - nowMs);
  if (number >= EPOCH_SECONDS_FROM) return Math.max(0, number * 1000 - nowMs);
  return number * 1000;
}

const notSent = (code: FaxNotSentCode, detail: string): FaxSendResult => ({
  kind: 'not_sent',
  code,
  detail,
});

const unknown = (code: FaxUnknownCode, detail: string): FaxSendResult => ({
  kind: 'unknown',
  code,
  detail,
});

const unavailable = (detail: string) => ({ kind: 'unavailable' as const, detail });

/** Telnyx's own words: `errors[].detail` (or `title`), joined. */
function errorDetail(text: string): string | undefined {
  const errors = (parseJson(text) as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const details = errors
    .map((e: { detail?: unknown; title?: unknown }) => e?.detail || e?.title)
    .filter((d): d is string => typeof d === 'string' && d.length > 0);
  return details.length > 0 ? details.join('; ') : undefined;
}

function errorCode(error: unknown): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  if (typeof code === 'string') return code;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const statusLine = (status: number) => `${status} ${STATUS_CODES[status] ?? ''}`.trim();

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
