// The link in a received-fax email: the token names the fax and when the link stops working
// (core/shared/download-link.ts); this answers it with the stored PDF. The token is a bearer
// credential, so it is never logged, and a refused one gets the same answer whatever was wrong.
import type { ClientStateSecret } from '../shared/client-state';
import { verifyDownloadToken } from '../shared/download-link';
import { describe } from '../shared/fax-outcome';
import type { Clock, Log, ReceivedFaxStore } from '../shared/ports';

export interface DownloadDeps {
  received: Pick<ReceivedFaxStore, 'getReceived'>;
  clock: Clock;
  log: Log;
  /** Links are signed with the client_state key, under a purpose of their own. */
  linkSecret: ClientStateSecret;
}

type Refusal = Extract<ReturnType<typeof verifyDownloadToken>, { valid: false }>['reason'];

export type DownloadOutcome =
  | { kind: 'served'; bytes: number }
  | { kind: 'refused'; reason: Refusal }
  /** The fax is no longer stored (RETENTION_DAYS passed). */
  | { kind: 'gone' }
  | { kind: 'too_large'; bytes: number }
  | { kind: 'error' };

export interface DownloadResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  outcome: DownloadOutcome;
}

// A function URL answers 6 MB at most (Lambda's response payload limit), and the PDF goes in
// base64: four characters for every three bytes, with room left for the headers.
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
const HEADER_ROOM = 8 * 1024;
export const MAX_DOWNLOAD_BYTES = Math.floor(((MAX_RESPONSE_BYTES - HEADER_ROOM) / 4) * 3);

export const DOWNLOAD_SENTENCES = {
  refused: 'This link is not valid, or it has expired.',
  gone: 'This fax is no longer stored.',
  tooLarge:
    'This fax is too large to download by link. Ask your fax administrator for a copy, giving the fax id',
  error: 'The fax could not be read just now. Try the link again in a few minutes.',
} as const;

// The link sits in a URL: no caching anywhere, no sniffing a PDF into something else, and no
// Referer carrying the token onwards.
const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Answers `GET ${DOWNLOAD_PATH}<token>` with the received fax the token names. */
export async function serveDownload(token: string, deps: DownloadDeps): Promise<DownloadResponse> {
  let verdict: ReturnType<typeof verifyDownloadToken>;
  let pdf: Uint8Array | undefined;
  try {
    verdict = verifyDownloadToken(token, deps.clock(), await deps.linkSecret());
    if (!verdict.valid) return refused(verdict.reason, deps);
    pdf = await deps.received.getReceived(verdict.faxId);
  } catch (error) {
    deps.log.error('download link not answered', { error: describe(error) });
    return sentence(500, DOWNLOAD_SENTENCES.error, { kind: 'error' });
  }
  const { faxId } = verdict;
  if (pdf === undefined) {
    deps.log.info('download link for a fax no longer stored', { faxId });
    return sentence(404, DOWNLOAD_SENTENCES.gone, { kind: 'gone' });
  }
  if (pdf.length > MAX_DOWNLOAD_BYTES) {
    deps.log.warn('received fax too large to serve by link', { faxId, bytes: pdf.length });
    const outcome = { kind: 'too_large', bytes: pdf.length } as const;
    return sentence(413, `${DOWNLOAD_SENTENCES.tooLarge} ${faxId}.`, outcome);
  }
  deps.log.info('download link served', { faxId, bytes: pdf.length });
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${downloadName(faxId)}"`,
      ...COMMON_HEADERS,
    },
    body: Buffer.from(pdf).toString('base64'),
    isBase64Encoded: true,
    outcome: { kind: 'served', bytes: pdf.length },
  };
}

/** Telnyx's fax ids are UUIDs; anything else still makes a harmless file name. */
export const downloadName = (faxId: string): string =>
  `fax-${faxId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64) || 'received'}.pdf`;

function refused(reason: Refusal, deps: DownloadDeps): DownloadResponse {
  deps.log.warn('download link refused', { reason });
  return sentence(403, DOWNLOAD_SENTENCES.refused, { kind: 'refused', reason });
}

function sentence(statusCode: number, text: string, outcome: DownloadOutcome): DownloadResponse {
  return {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...COMMON_HEADERS },
    body: text,
    isBase64Encoded: false,
    outcome,
  };
}
