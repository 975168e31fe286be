// The emulator's HTTP side: JSON bodies read within a limit, answers in Telnyx's shape, and the
// errors Telnyx answers with (FAX_API.md §2.4).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TelnyxError } from './telnyx-request-schema';

const MAX_BODY_BYTES = 1024 * 1024;

export type JsonBody =
  | { ok: true; value: unknown }
  | { ok: false; status: number; error: TelnyxError };

export async function readJson(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<JsonBody> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    req.resume();
    return { ok: false, status: 415, error: UNSUPPORTED_TYPE };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return { ok: false, status: 413, error: TOO_LARGE };
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, error: INVALID_JSON };
  }
}

export function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export const UNAUTHENTICATED: TelnyxError & { meta: { url: string } } = {
  code: '10009',
  title: 'Authentication failed',
  detail: 'Could not understand the provided credentials.',
  meta: { url: 'https://developers.telnyx.com/docs/overview/errors/10009' },
};
export const NOT_FOUND: TelnyxError = {
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
export const TOO_MANY_REQUESTS: TelnyxError = {
  code: '10011',
  title: 'Too many requests',
  detail: 'You have exceeded the maximum number of allowed requests.',
};
// Telnyx documents x-ratelimit-reset as the seconds until the limit resets.
export const RATE_LIMITED_HEADERS = {
  'retry-after': '1',
  'x-ratelimit-limit': '1',
  'x-ratelimit-remaining': '0',
  'x-ratelimit-reset': '1',
};
export const INTERNAL: TelnyxError = {
  code: '10007',
  title: 'Unexpected error',
  detail: 'The emulator failed to handle the request.',
};
