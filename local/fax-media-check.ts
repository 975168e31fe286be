// How the Telnyx emulator fetches and judges a fax's media_url, the way Telnyx does
// (FAX_API.md §5.1): 2xx only, no redirects, a PDF of at most 50 MB and 350 pages.
import { PDFDocument } from 'pdf-lib';
import { request } from 'undici';

export const MEDIA_LIMITS = { maxBytes: 50 * 1024 * 1024, maxPages: 350 } as const;

export type MediaFailureReason =
  | 'file_download_failed'
  | 'file_format_invalid'
  | 'file_size_limit_exceeded'
  | 'page_count_limit_exceeded';

export type MediaCheck =
  | { kind: 'ok'; status: number; bytes: number; pages: number }
  | { kind: 'failed'; reason: MediaFailureReason; detail: string; status?: number };

interface FetchOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function checkFaxMedia(url: string, options: FetchOptions = {}): Promise<MediaCheck> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    // undici's request never follows redirects unless told to, which is what Telnyx does too.
    response = await request(url, {
      method: 'GET',
      signal: options.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    return failed('file_download_failed', `could not fetch the media: ${messageOf(error)}`);
  }
  const status = response.statusCode;
  if (status < 200 || status > 299) {
    await response.body.dump();
    const detail =
      status >= 300 && status < 400
        ? `the media URL answered ${status} (a redirect, which Telnyx does not follow)`
        : `the media URL answered ${status}`;
    return failed('file_download_failed', detail, status);
  }
  const declared = Number(response.headers['content-length']);
  if (declared > MEDIA_LIMITS.maxBytes) {
    response.body.destroy();
    return tooLarge(declared, status);
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of response.body) {
      bytes += (chunk as Buffer).length;
      if (bytes > MEDIA_LIMITS.maxBytes) {
        response.body.destroy();
        return tooLarge(bytes, status);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    return failed('file_download_failed', `the download broke off: ${messageOf(error)}`, status);
  }
  return judgePdf(Buffer.concat(chunks), status);
}

async function judgePdf(content: Buffer, status: number): Promise<MediaCheck> {
  // A PDF may carry up to 1 KB of junk before its header; readers accept that, and so does Telnyx.
  if (!content.subarray(0, 1024).includes('%PDF-')) {
    return failed('file_format_invalid', 'the media is not a PDF', status);
  }
  let pages: number;
  try {
    pages = (await PDFDocument.load(content, { updateMetadata: false })).getPageCount();
  } catch (error) {
    return failed('file_format_invalid', `the PDF cannot be read: ${messageOf(error)}`, status);
  }
  if (pages > MEDIA_LIMITS.maxPages) {
    return failed(
      'page_count_limit_exceeded',
      `the PDF has ${pages} pages; the limit is ${MEDIA_LIMITS.maxPages}`,
      status,
    );
  }
  if (pages === 0) return failed('file_format_invalid', 'the PDF has no pages', status);
  return { kind: 'ok', status, bytes: content.length, pages };
}

const tooLarge = (bytes: number, status: number) =>
  failed(
    'file_size_limit_exceeded',
    `the media is ${bytes} bytes; the limit is ${MEDIA_LIMITS.maxBytes}`,
    status,
  );

const failed = (reason: MediaFailureReason, detail: string, status?: number): MediaCheck => ({
  kind: 'failed',
  reason,
  detail,
  ...(status === undefined ? {} : { status }),
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
