import { Agent, request } from 'undici';
import type { MediaDownload, MediaFetcher } from '../core/shared/ports';

export interface HttpMediaFetcherOptions {
  connectTimeoutMs?: number;
  /** Limit on waiting for the answer's headers, and again between chunks of its body. */
  responseTimeoutMs?: number;
}

// S3 answers 403 to an expired presigned link, and 404 once the object is gone.
const EXPIRED = new Set([403, 404]);

/**
 * A plain GET of the presigned link Telnyx gives for a received fax. No Authorization header: S3
 * would read it as a second signature and refuse. The body is read only up to `maxBytes`.
 */
export class HttpMediaFetcher implements MediaFetcher {
  private readonly responseTimeoutMs: number;
  private readonly agent: Agent;

  constructor(options: HttpMediaFetcherOptions = {}) {
    this.responseTimeoutMs = options.responseTimeoutMs ?? 20_000;
    this.agent = new Agent({ connect: { timeout: options.connectTimeoutMs ?? 5_000 } });
  }

  async fetch(url: string, maxBytes: number): Promise<MediaDownload> {
    if (!/^https?:\/\//i.test(url)) return { kind: 'failed', detail: 'not an http(s) link' };
    try {
      const { statusCode, headers, body } = await request(url, {
        method: 'GET',
        dispatcher: this.agent,
        headersTimeout: this.responseTimeoutMs,
        bodyTimeout: this.responseTimeoutMs,
      });
      if (statusCode < 200 || statusCode >= 300) {
        await body.dump();
        return EXPIRED.has(statusCode)
          ? { kind: 'expired', status: statusCode }
          : { kind: 'failed', detail: `answered ${statusCode}` };
      }
      const declared = Number(headers['content-length']);
      if (declared > maxBytes) {
        body.destroy();
        return tooLarge(maxBytes);
      }
      const bytes = await readAtMost(body, maxBytes);
      if (!bytes) return tooLarge(maxBytes);
      const type = headers['content-type'];
      return {
        kind: 'downloaded',
        bytes,
        ...(typeof type === 'string' && { contentType: type }),
      };
    } catch (error) {
      return { kind: 'failed', detail: errorCode(error) };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** The body, or undefined as soon as it passes `maxBytes` (the rest is never read). */
async function readAtMost(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

const tooLarge = (maxBytes: number): MediaDownload => ({
  kind: 'failed',
  detail: `larger than ${maxBytes} bytes`,
});

// A code, not the message: the link's signature must not reach the logs.
function errorCode(error: unknown): string {
  const { code, cause, name } = (error ?? {}) as {
    code?: unknown;
    cause?: { code?: unknown };
    name?: unknown;
  };
  if (typeof code === 'string') return code;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof name === 'string' ? name : 'request failed';
}
