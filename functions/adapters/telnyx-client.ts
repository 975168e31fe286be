import { STATUS_CODES } from 'node:http';
import { setTimeout as wait } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type {
  FaxApi,
  FaxNotSentCode,
  FaxRequest,
  FaxSendResult,
  FaxUnknownCode,
} from '../core/shared/ports';

export interface TelnyxClientOptions {
  /** e.g. `https://api.telnyx.com/v2`, without a trailing slash. */
  apiUrl: string;
  apiKey: () => Promise<string>;
  connectTimeoutMs?: number;
  /** Limit on waiting for the answer's headers, and again for its body. */
  responseTimeoutMs?: number;
  /** Tries in all while Telnyx is busy (429, 503) or cannot be reached. */
  maxTries?: number;
  /** Cap on any one wait between tries, Retry-After included. */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The outcome of one POST: final, or worth another try because Telnyx certainly did not take it. */
type Attempt =
  | { final: FaxSendResult }
  | { final?: undefined; code: 'busy' | 'unreachable'; detail: string; retryAfterMs?: number };

// Errors that happen before the request leaves this machine.
const NOT_REACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const BUSY = new Set([429, 503]);
const FIRST_BACKOFF_MS = 1000;

/**
 * POST /faxes with bounded time. Telnyx has no idempotency key, so a request that may have
 * reached it is never sent again: only busy answers and failed connections are retried.
 */
export class TelnyxClient implements FaxApi {
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
      return { kind: 'not_sent', code: 'api_key_unreadable', detail: messageOf(error) };
    }
    const body = JSON.stringify({
      connection_id: fax.connectionId,
      from: fax.from,
      to: fax.to,
      media_url: fax.mediaUrl,
      quality: fax.quality,
      webhook_url: fax.webhookUrl,
      client_state: fax.clientState,
    });
    for (let tries = 1; ; tries++) {
      const attempt = await this.post(body, apiKey);
      if (attempt.final) return attempt.final;
      if (tries >= this.maxTries) {
        return notSent(attempt.code, `${attempt.detail}, ${tries} tries`);
      }
      const backoffMs = FIRST_BACKOFF_MS * 2 ** (tries - 1);
      await this.sleep(Math.min(attempt.retryAfterMs ?? backoffMs, this.maxRetryWaitMs));
    }
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
      return answerOf(statusCode, headers['retry-after'], text);
    } catch (error) {
      return failureOf(error);
    }
  }
}

function answerOf(
  status: number,
  retryAfter: string | string[] | undefined,
  text: string,
): Attempt {
  if (status >= 200 && status < 300) {
    const faxId = (parseJson(text) as { data?: { id?: unknown } } | undefined)?.data?.id;
    return typeof faxId === 'string' && faxId
      ? { final: { kind: 'accepted', faxId } }
      : { final: unknown('no_fax_id', statusLine(status)) };
  }
  if (BUSY.has(status)) {
    return { code: 'busy', detail: statusLine(status), retryAfterMs: retryAfterMs(retryAfter) };
  }
  const detail = errorDetail(text) ?? statusLine(status);
  // Our key, not the sender's fax: nothing was sent, and it is the administrator's to fix.
  if (status === 401 || status === 403) return { final: notSent('api_key_refused', detail) };
  if (status >= 400 && status < 500) {
    return { final: { kind: 'refused', code: 'invalid_request', status, detail } };
  }
  return { final: unknown('server_error', statusLine(status)) };
}

function failureOf(error: unknown): Attempt {
  const code = errorCode(error);
  if (code && NOT_REACHED.has(code)) return { code: 'unreachable', detail: code };
  const what: FaxUnknownCode =
    code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
      ? 'timeout'
      : code === 'UND_ERR_SOCKET' || code === 'ECONNRESET'
        ? 'connection_broken'
        : 'request_failed';
  return { final: unknown(what, code ?? messageOf(error)) };
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

/** Telnyx's own words: `errors[].detail` (or `title`), joined. */
function errorDetail(text: string): string | undefined {
  const errors = (parseJson(text) as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const details = errors
    .map((e: { detail?: unknown; title?: unknown }) => e?.detail || e?.title)
    .filter((d): d is string => typeof d === 'string' && d.length > 0);
  return details.length > 0 ? details.join('; ') : undefined;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
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
