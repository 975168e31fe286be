// What the Telnyx emulator accepts at POST /v2/faxes: the OpenAPI schema `SendFaxRequest`
// (shared/telnyx/fax-openapi.json) rewritten in zod, so a fresh clone validates without that
// file, plus the rules the schema cannot express (FAX_API.md §6.2).
import { type ZodIssue, z } from 'zod';

/** Mirrors `components.schemas.SendFaxRequest`: unknown keys pass, as they do in the schema. */
export const sendFaxRequestSchema = z.looseObject({
  connection_id: z.string(),
  from: z.string(),
  to: z.string(),
  media_url: z.string().optional(),
  media_name: z.string().optional(),
  from_display_name: z.string().optional(),
  quality: z.enum(['normal', 'high', 'very_high', 'ultra_light', 'ultra_dark']).optional(),
  t38_enabled: z.boolean().optional(),
  monochrome: z.boolean().optional(),
  black_threshold: z.int().min(1).max(100).optional(),
  store_media: z.boolean().optional(),
  store_preview: z.boolean().optional(),
  preview_format: z.enum(['pdf', 'tiff']).optional(),
  webhook_url: z.string().optional(),
  client_state: z.string().optional(),
});

export type SendFaxRequest = z.infer<typeof sendFaxRequestSchema>;

/** One entry of Telnyx's `{ errors: [...] }` body. */
export interface TelnyxError {
  code: string;
  title: string;
  detail: string;
  /** The body field (a JSON pointer) or the query parameter at fault. */
  source?: { pointer?: string; parameter?: string };
}

export type RequestCheck =
  | { ok: true; request: SendFaxRequest }
  | { ok: false; errors: TelnyxError[] };

const E164 = /^\+[1-9]\d{6,14}$/;
const SIP_URI = /^sips?:[^\s@]+@[^\s@]+$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DISPLAY_NAME = /^[A-Za-z0-9 \-_~!.+]{1,128}$/;
const MAX_URL_LENGTH = 2000;

export function checkSendFaxRequest(body: unknown): RequestCheck {
  const parsed = sendFaxRequestSchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => schemaError(issue, body)) };
  }
  const errors = crossFieldErrors(parsed.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, request: parsed.data };
}

const pointerOf = (issue: ZodIssue) => `/${issue.path.map(String).join('/')}`;

function schemaError(issue: ZodIssue, body: unknown): TelnyxError {
  const field = issue.path.map(String).join('.') || 'request body';
  const source = { pointer: pointerOf(issue) };
  if (issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined) {
    return {
      code: '10004',
      title: 'Missing required parameter',
      detail: `${field} is required.`,
      source,
    };
  }
  if (issue.code === 'invalid_value') {
    return {
      code: '10032',
      title: 'Invalid enumerated value',
      detail: `${field} ${issue.message}`,
      source,
    };
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return {
      code: '10033',
      title: 'Value outside of range',
      detail: `${field}: ${issue.message}`,
      source,
    };
  }
  return {
    code: '422',
    title: 'Unprocessable Entity',
    detail: `${field}: ${issue.message}`,
    source,
  };
}

const valueAt = (body: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined,
    body,
  );

function crossFieldErrors(request: SendFaxRequest): TelnyxError[] {
  const errors: TelnyxError[] = [];
  const fail = (code: string, title: string, field: string, detail: string) =>
    errors.push({ code, title, detail, source: { pointer: `/${field}` } });

  if (!E164.test(request.from)) {
    fail('10016', 'Invalid phone number', 'from', 'Phone number must be in +E.164 format.');
  }
  if (!E164.test(request.to) && !SIP_URI.test(request.to)) {
    fail('10016', 'Invalid phone number', 'to', 'to must be a +E.164 number or a SIP URI.');
  }
  if (request.media_url !== undefined && request.media_name !== undefined) {
    fail(
      '422',
      'Unprocessable Entity',
      'media_name',
      "media_url and media_name can't be submitted together.",
    );
  }
  if (request.media_url === undefined && request.media_name === undefined) {
    fail(
      '10004',
      'Missing required parameter',
      'media_url',
      'media_url or media_name is required.',
    );
  }
  if (request.media_url !== undefined && !isHttpUrl(request.media_url)) {
    fail(
      '10003',
      'Invalid URL',
      'media_url',
      `media_url must be an http(s) URL of at most ${MAX_URL_LENGTH} characters.`,
    );
  }
  if (request.store_media === true && request.media_name !== undefined) {
    fail('422', 'Unprocessable Entity', 'store_media', 'store_media does not support media_name.');
  }
  if (
    request.client_state !== undefined &&
    !(request.client_state && BASE64.test(request.client_state))
  ) {
    fail(
      '90017',
      'Invalid client_state',
      'client_state',
      'client_state must be a valid Base-64 encoded string.',
    );
  }
  if (request.from_display_name !== undefined && !DISPLAY_NAME.test(request.from_display_name)) {
    fail(
      '422',
      'Unprocessable Entity',
      'from_display_name',
      'from_display_name must be 1 to 128 letters, digits, spaces or -_~!.+ characters.',
    );
  }
  if (request.webhook_url !== undefined && !isHttpUrl(request.webhook_url)) {
    fail('10003', 'Invalid URL', 'webhook_url', 'webhook_url must be an http(s) URL.');
  }
  return errors;
}

function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
