// Faxes that arrive on the emulated account (INBOUND.md §2.6): what a receive asks for, its check
// at the emulator's control endpoint, and the webhooks Telnyx sends for it, in either of the two
// shapes Telnyx documents: `fax.received` with `media_url`, or `fax.delivered` with
// `direction: inbound` and `original_media_url`.
import { PDFDocument } from 'pdf-lib';
import { z } from 'zod';
import type { TelnyxError } from './telnyx-request-schema';
import type { FaxEventType } from './telnyx-webhooks';

/** The emulator's own endpoint that makes it receive a fax; not part of Telnyx's API. */
export const RECEIVE_PATH = '/_emulator/receive';

export type InboundShape = 'received' | 'delivered';

export interface ReceiveOptions {
  /** The caller's number (usually E.164; Telnyx passes on what the network gives). */
  from: string;
  /** The account's number that was called. */
  to: string;
  /** What the caller sent (PDF or TIFF, or anything, to see the bridge refuse it). */
  document?: Uint8Array;
  /** Default `received`. */
  shape?: InboundShape;
  /** How long the first media link works. Default 10 minutes, as Telnyx documents. */
  expireLinkAfterMs?: number;
  /** Fail the fax with this `failure_reason` (e.g. `sender_call_dropped`) instead. */
  fail?: string;
  /** The page count Telnyx reports. Default: read from the document, else 1. */
  pages?: number;
  /** Telnyx's `partial_content`: the call ended before every page arrived. */
  partial?: boolean;
  /** Sent as `caller_id` (the name the caller's machine gives). */
  callerName?: string;
  /** Where the webhooks go. Default: the emulator's `defaultWebhookUrl`, the fax application's. */
  webhookUrl?: string;
}

/** What a receive adds to a fax beyond the API object. */
export interface InboundDetails {
  shape: InboundShape;
  fail?: string;
  partial: boolean;
  callerName?: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const receiveRequestSchema = z
  .strictObject({
    from: z.string().min(1).max(64),
    to: z.string().regex(E164, 'must be an E.164 number such as +13125550100'),
    document: z.string().regex(BASE64, 'must be base64').optional(),
    shape: z.enum(['received', 'delivered']).optional(),
    expireLinkAfterMs: z
      .int()
      .min(0)
      .max(7 * 24 * 3600 * 1000)
      .optional(),
    fail: z.string().min(1).max(100).optional(),
    pages: z.int().min(1).max(1000).optional(),
    partial: z.boolean().optional(),
    callerName: z.string().min(1).max(128).optional(),
    webhookUrl: z.url().optional(),
  })
  .refine((body) => body.fail !== undefined || body.document !== undefined, {
    path: ['document'],
    message: 'is required unless the fax fails',
  });

export type ReceiveCheck =
  | { ok: true; options: ReceiveOptions }
  | { ok: false; errors: TelnyxError[] };

/** The control endpoint's body: the options above, with the document in base64. */
export function checkReceiveRequest(body: unknown): ReceiveCheck {
  const parsed = receiveRequestSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => ({
        code: '10015',
        title: 'Bad Request',
        detail: `${issue.path.join('.') || 'the body'} ${issue.message}`,
        source: { pointer: `/${issue.path.join('/')}` },
      })),
    };
  }
  const { document, ...rest } = parsed.data;
  const options: ReceiveOptions = { ...rest };
  if (document !== undefined) options.document = Buffer.from(document, 'base64');
  return { ok: true, options };
}

export const detailsOf = (options: ReceiveOptions): InboundDetails => ({
  shape: options.shape ?? 'received',
  partial: options.partial ?? false,
  ...(options.fail === undefined ? {} : { fail: options.fail }),
  ...(options.callerName === undefined ? {} : { callerName: options.callerName }),
});

/** The event that says the fax arrived, after `fax.receiving.started`. */
export const arrivalEventType = (details: InboundDetails): FaxEventType =>
  details.shape === 'delivered' ? 'fax.delivered' : 'fax.received';

interface ArrivedFax {
  media_url?: string;
  page_count?: number;
  call_duration_secs?: number;
}

/** What the final event adds to the payload every event has. */
export function arrivalFields(fax: ArrivedFax, details: InboundDetails): Record<string, unknown> {
  const link = details.shape === 'delivered' ? 'original_media_url' : 'media_url';
  return {
    [link]: fax.media_url,
    page_count: fax.page_count,
    call_duration_secs: fax.call_duration_secs,
    partial_content: details.partial,
    ...(details.callerName === undefined ? {} : { caller_id: details.callerName }),
  };
}

/** Pages of a PDF or TIFF, when they can be counted without decoding; undefined otherwise. */
export async function documentPages(bytes: Uint8Array): Promise<number | undefined> {
  const head = Buffer.from(bytes.subarray(0, 4)).toString('latin1');
  if (head === 'II*\0' || head === 'MM\0*') return tiffPageCount(bytes);
  if (!Buffer.from(bytes.subarray(0, 1024)).includes('%PDF-')) return undefined;
  try {
    return (await PDFDocument.load(bytes, { updateMetadata: false })).getPageCount();
  } catch {
    return undefined;
  }
}

const MAX_TIFF_DIRECTORIES = 1000;

/** The length of the TIFF's directory chain (one directory a page, as fax machines write). */
function tiffPageCount(bytes: Uint8Array): number | undefined {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  const seen = new Set<number>();
  try {
    for (let offset = data.getUint32(4, le); offset !== 0; ) {
      if (seen.has(offset) || seen.size >= MAX_TIFF_DIRECTORIES) return undefined;
      seen.add(offset);
      offset = data.getUint32(offset + 2 + data.getUint16(offset, le) * 12, le);
    }
  } catch {
    return undefined; // a RangeError: the chain points outside the file
  }
  return seen.size || undefined;
}
