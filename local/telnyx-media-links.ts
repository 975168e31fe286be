// The short-lived links at which the Telnyx emulator serves received faxes, standing in for the
// presigned S3 URLs Telnyx gives (INBOUND.md §2.6). Like S3, a link needs no Authorization header,
// answers 403 once it has expired or when it was changed, and 404 when its fax has no document.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export const MEDIA_PATH = '/media-in/';
/** What Telnyx documents for a received fax's media_url; a refreshed link lives as long. */
export const MEDIA_LINK_MS = 10 * 60 * 1000;

export type MediaLinkCheck =
  | { ok: true; faxId: string }
  | { ok: false; status: 403 | 404; code: string; message: string };

export interface MediaLinks {
  /** A link to `faxId`'s document on `origin` (http://host:port) that works for `lifetimeMs`. */
  issue(origin: string, faxId: string, lifetimeMs: number): string;
  /** Whether a request for `pathname?query` may have the document, at `nowMs`. */
  check(pathname: string, query: URLSearchParams, nowMs?: number): MediaLinkCheck;
}

const MAC_BYTES = 16;

export function createMediaLinks(): MediaLinks {
  // A key per emulator run: links of an earlier run stop working, as a restarted S3 would not do,
  // but no test or person keeps a 10-minute link across restarts.
  const key = randomBytes(32);
  const macOf = (faxId: string, expires: string) =>
    createHmac('sha256', key).update(`${faxId}\0${expires}`).digest().subarray(0, MAC_BYTES);
  return {
    issue(origin, faxId, lifetimeMs) {
      const expires = String(Date.now() + lifetimeMs);
      const signature = macOf(faxId, expires).toString('hex');
      return `${origin}${MEDIA_PATH}${encodeURIComponent(faxId)}?expires=${expires}&signature=${signature}`;
    },
    check(pathname, query, nowMs = Date.now()) {
      const faxId = decodeURIComponent(pathname.slice(MEDIA_PATH.length));
      const expires = query.get('expires') ?? '';
      const given = Buffer.from(query.get('signature') ?? '', 'hex');
      const expected = macOf(faxId, expires);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return refused(403, 'SignatureDoesNotMatch', 'The request signature does not match.');
      }
      if (Number(expires) <= nowMs) return refused(403, 'AccessDenied', 'Request has expired');
      return { ok: true, faxId };
    },
  };
}

const refused = (status: 403 | 404, code: string, message: string): MediaLinkCheck => ({
  ok: false,
  status,
  code,
  message,
});

export const NO_SUCH_KEY = refused(404, 'NoSuchKey', 'The specified key does not exist.');

/** Answers as S3 does: the bytes, or an XML error. Returns the status sent. */
export function answerMedia(
  res: ServerResponse,
  outcome: MediaLinkCheck,
  document: Uint8Array | undefined,
): number {
  const answer = outcome.ok && !document ? NO_SUCH_KEY : outcome;
  if (!answer.ok) {
    res.writeHead(answer.status, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${answer.code}</Code><Message>${answer.message}</Message></Error>`,
    );
    return answer.status;
  }
  const bytes = document as Uint8Array;
  res.writeHead(200, { 'content-type': contentTypeOf(bytes), 'content-length': bytes.length });
  res.end(bytes);
  return 200;
}

function contentTypeOf(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 4)).toString('latin1');
  if (head === '%PDF') return 'application/pdf';
  if (head === 'II*\0' || head === 'MM\0*') return 'image/tiff';
  return 'application/octet-stream';
}
