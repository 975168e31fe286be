// The received document, fetched while Telnyx's link lives (about 10 minutes), refreshed once when
// it has expired, and kept as a PDF whatever Telnyx served.
import type { MediaDownload, MediaFetcher, ReceivedFax, ReceivedFaxApi } from '../shared/ports';
import { type TiffLimits, tiffToPdf } from '../shared/tiff-pdf';

/** Telnyx's own limit on a fax document. */
export const MAX_MEDIA_BYTES = 50 * 1024 * 1024;

/**
 * As for the TIFFs senders email (core/inbound/document/images.ts): a page of 40 megapixels at
 * most, and 256 MB decoded in all, which a 350-page fine-resolution fax (about 0.5 MB a page)
 * stays well under.
 */
export const RECEIVED_TIFF_LIMITS: TiffLimits = {
  maxPagePixels: 40_000_000,
  maxDecodedBytes: 256 * 1024 * 1024,
};

export type FetchedDocument =
  /** `pages` when converting counted them (a TIFF); a PDF's are Telnyx's to say. */
  | { kind: 'fetched'; pdf: Uint8Array; from: 'pdf' | 'tiff'; pages?: number }
  | { kind: 'fetch_failed'; detail: string }
  | { kind: 'not_a_fax_document'; detail: string }
  /** This account's Telnyx knows no such fax received on this number: another customer's event. */
  | { kind: 'not_ours'; detail: string };

export interface FetchDeps {
  fetcher: MediaFetcher;
  telnyx: ReceivedFaxApi;
}

/** The document as this account's Telnyx serves it; the link in the event is never fetched. */
export async function fetchDocument(
  fax: Pick<ReceivedFax, 'faxId' | 'to'>,
  deps: FetchDeps,
): Promise<FetchedDocument> {
  const lookup = await deps.telnyx.lookupReceived(fax.faxId);
  if (lookup.kind === 'unavailable') return { kind: 'fetch_failed', detail: lookup.detail };
  if (lookup.kind === 'not_found') return { kind: 'not_ours', detail: 'unknown fax id' };
  if (lookup.direction !== 'inbound') {
    return { kind: 'not_ours', detail: `direction ${lookup.direction ?? 'not given'}` };
  }
  if (lookup.to !== fax.to) return { kind: 'not_ours', detail: 'received on another number' };
  const first: MediaDownload = lookup.mediaUrl
    ? await deps.fetcher.fetch(lookup.mediaUrl, MAX_MEDIA_BYTES)
    : { kind: 'expired', status: 0 };
  const download = first.kind === 'expired' ? await refreshed(fax.faxId, deps) : first;
  switch (download.kind) {
    case 'downloaded':
      return asPdf(download.bytes);
    case 'expired':
      return { kind: 'fetch_failed', detail: `refreshed link answered ${download.status}` };
    case 'failed':
      return { kind: 'fetch_failed', detail: download.detail };
  }
}

async function refreshed(faxId: string, deps: FetchDeps): Promise<MediaDownload> {
  const fresh = await deps.telnyx.refreshMedia(faxId);
  if (fresh.kind === 'unavailable') {
    return { kind: 'failed', detail: `link expired, refresh failed: ${fresh.detail}` };
  }
  return deps.fetcher.fetch(fresh.mediaUrl, MAX_MEDIA_BYTES);
}

export type DocumentKind = 'pdf' | 'tiff' | 'other';

/** By the first bytes, never by what the link's Content-Type claims. */
export function documentKind(bytes: Uint8Array): DocumentKind {
  const head = Buffer.from(bytes.subarray(0, 5)).toString('latin1');
  if (head === '%PDF-') return 'pdf';
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'tiff';
  return 'other';
}

export async function asPdf(bytes: Uint8Array): Promise<FetchedDocument> {
  switch (documentKind(bytes)) {
    case 'pdf':
      return { kind: 'fetched', pdf: bytes, from: 'pdf' };
    case 'tiff':
      try {
        const { pdf, pages } = await tiffToPdf(bytes, RECEIVED_TIFF_LIMITS);
        return { kind: 'fetched', pdf, from: 'tiff', pages };
      } catch (error) {
        return { kind: 'not_a_fax_document', detail: `TIFF unreadable: ${messageOf(error)}` };
      }
    case 'other':
      return { kind: 'not_a_fax_document', detail: 'neither PDF nor TIFF' };
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
