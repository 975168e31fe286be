import * as z from 'zod/mini';
import type { FaxInMessage, FaxStatus, ReceivedFax } from '../shared/ports';
import { headerSafe } from '../shared/text-safety';

/** The fax events Telnyx sends about a fax this bridge sent, and the status each one means. */
const STATUS_OF = {
  'fax.queued': 'queued',
  'fax.media.processed': 'media.processed',
  'fax.sending.started': 'sending',
  'fax.delivered': 'delivered',
  'fax.failed': 'failed',
} as const satisfies Record<string, FaxStatus>;

export type FaxEventType = keyof typeof STATUS_OF;
export type EventStatus = (typeof STATUS_OF)[FaxEventType];

export interface FaxEvent {
  /** `data.id`: the event's own id, the same on every delivery of it. */
  id: string;
  type: FaxEventType;
  status: EventStatus;
  /** ISO time Telnyx says the event happened, when it says. */
  occurredAt?: string;
  faxId: string;
  clientState?: string;
  to?: string;
  pageCount?: number;
  callDurationSecs?: number;
  failureReason?: string;
  /** `meta.attempt`: which delivery of the event this is. */
  attempt?: number;
}

/** A call that started bringing a fax in: nothing to do yet but say so in the log. */
export interface ReceivingStarted {
  kind: 'receiving_started';
  faxId: string;
}

/** An event about a fax arriving on one of the bridge's numbers. */
export interface FaxInEvent {
  /** `data.id`, as for outbound events. */
  id: string;
  type: string;
  attempt?: number;
  /** What the receiver is handed (`received`, `failed`), or a call that only began. */
  step: FaxInMessage | ReceivingStarted;
}

export type ParsedWebhook =
  /** About a fax this bridge sent. */
  | { kind: 'fax'; event: FaxEvent }
  | { kind: 'fax_in'; event: FaxInEvent }
  /** A well-formed Telnyx event of a type this bridge does not handle. */
  | { kind: 'other'; id: string; type: string }
  | { kind: 'invalid'; problem: string };

const text = z.string().check(z.minLength(1));
const count = z.int().check(z.nonnegative());

// Objects are not strict: Telnyx adds fields, and an unknown field must not refuse an event.
const envelope = z.object({
  data: z.object({
    id: text,
    event_type: text,
    record_type: z.optional(z.literal('event')),
    occurred_at: z.optional(z.string()),
    payload: z.optional(z.unknown()),
  }),
  meta: z.optional(z.object({ attempt: z.optional(z.int()) })),
});

const faxPayload = z.object({
  fax_id: text,
  client_state: z.nullish(z.string()),
  to: z.nullish(z.string()),
  page_count: z.nullish(count),
  call_duration_secs: z.nullish(count),
  failure_reason: z.nullish(z.string()),
});

const isoTime = (value: string | undefined): string | undefined => {
  const time = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
};

const isFaxEventType = (type: string): type is FaxEventType => Object.hasOwn(STATUS_OF, type);

/** Reads a (verified) webhook body into a typed fax event. */
export function parseWebhook(body: string): ParsedWebhook {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'invalid', problem: 'body is not JSON' };
  }
  const outer = envelope.safeParse(json);
  if (!outer.success) return { kind: 'invalid', problem: 'not a Telnyx event envelope' };
  const { data, meta } = outer.data;
  const inbound = inboundStep(data.event_type, directionOf(data.payload));
  if (inbound === 'ignored') return { kind: 'other', id: data.id, type: data.event_type };
  if (inbound) return readFaxIn(data, inbound, meta?.attempt);
  if (!isFaxEventType(data.event_type)) {
    return { kind: 'other', id: data.id, type: data.event_type };
  }
  const payload = faxPayload.safeParse(data.payload);
  if (!payload.success) return { kind: 'invalid', problem: `${data.event_type} without a fax_id` };
  const p = payload.data;
  return {
    kind: 'fax',
    event: {
      id: data.id,
      type: data.event_type,
      status: STATUS_OF[data.event_type],
      occurredAt: isoTime(data.occurred_at),
      faxId: p.fax_id,
      clientState: p.client_state ?? undefined,
      to: p.to ?? undefined,
      pageCount: p.page_count ?? undefined,
      callDurationSecs: p.call_duration_secs ?? undefined,
      failureReason: p.failure_reason ?? undefined,
      attempt: meta?.attempt,
    },
  };
}

type Envelope = z.infer<typeof envelope>['data'];
type InboundStep = FaxInMessage['kind'] | ReceivingStarted['kind'];

const directionOf = (payload: unknown): unknown =>
  typeof payload === 'object' && payload !== null && 'direction' in payload
    ? payload.direction
    : undefined;

/**
 * Which inbound step an event is. Telnyx documents inbound faxes two ways (INBOUND.md §2.6):
 * `fax.received`, or `fax.delivered` with `direction: inbound`; `ignored` for the other inbound
 * events (media processing, queued), which tell the receiver nothing it needs.
 */
function inboundStep(type: string, direction: unknown): InboundStep | 'ignored' | undefined {
  if (type === 'fax.received') return 'received';
  if (type === 'fax.receiving.started') return 'receiving_started';
  if (direction !== 'inbound') return undefined;
  if (type === 'fax.delivered') return 'received';
  if (type === 'fax.failed') return 'failed';
  return 'ignored';
}

// A fax that arrived must not be lost to one odd field: each optional one that does not read is
// left out, and only the fax id is required.
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), undefined);

const inboundPayload = z.object({
  fax_id: text,
  from: lenient(z.string()),
  to: lenient(z.string()),
  caller_name: lenient(z.string()),
  caller_id: lenient(z.string()),
  media_url: lenient(z.string()),
  original_media_url: lenient(z.string()),
  page_count: lenient(count),
  call_duration_secs: lenient(count),
  partial_content: lenient(z.boolean()),
  failure_reason: lenient(z.string()),
});

type InboundPayload = z.infer<typeof inboundPayload>;

function readFaxIn(data: Envelope, step: InboundStep, attempt?: number): ParsedWebhook {
  const payload = inboundPayload.safeParse(data.payload);
  if (!payload.success) return { kind: 'invalid', problem: `${data.event_type} without a fax_id` };
  const p = payload.data;
  const fax = receivedFax(p, isoTime(data.occurred_at));
  const event = { id: data.id, type: data.event_type, attempt };
  switch (step) {
    case 'receiving_started':
      return { kind: 'fax_in', event: { ...event, step: { kind: step, faxId: p.fax_id } } };
    case 'failed': {
      const failureReason = p.failure_reason ?? undefined;
      return { kind: 'fax_in', event: { ...event, step: { kind: step, fax, failureReason } } };
    }
    case 'received': {
      const mediaUrl = fetchableUrl(p.media_url ?? p.original_media_url);
      const withMedia = mediaUrl === undefined ? fax : { ...fax, mediaUrl };
      return { kind: 'fax_in', event: { ...event, step: { kind: step, fax: withMedia } } };
    }
  }
}

function receivedFax(p: InboundPayload, receivedAt: string | undefined): ReceivedFax {
  // A withheld caller comes without a number, shown as it is. The called number is always there in
  // what Telnyx documents; without it the fax still goes to the default route, never nowhere.
  const fax: ReceivedFax = {
    faxId: p.fax_id,
    from: headerSafe(p.from ?? '', 64) || 'anonymous',
    to: headerSafe(p.to ?? '', 64) || 'unknown',
  };
  const callerName = nameOf(p.caller_name, fax.from) ?? nameOf(p.caller_id, fax.from);
  if (callerName !== undefined) fax.callerName = callerName;
  if (p.page_count != null) fax.pageCount = p.page_count;
  if (p.call_duration_secs != null) fax.callDurationSecs = p.call_duration_secs;
  if (p.partial_content != null) fax.partial = p.partial_content;
  if (receivedAt !== undefined) fax.receivedAt = receivedAt;
  return fax;
}

/**
 * The caller's name for the subject line. `caller_id` is often the number again, or the digits the
 * sending machine says it has: only words (a letter in it) tell the reader anything new. The
 * caller chose it, so it reaches the queue already one short, inert line.
 */
function nameOf(value: string | null | undefined, from: string): string | undefined {
  const name = headerSafe(value ?? '', 80);
  if (name === '' || name === from || !/\p{L}/u.test(name)) return undefined;
  return name;
}

/** Telnyx serves the document over HTTP(S); any other scheme is not a link to fetch. */
function fetchableUrl(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:' ? value : undefined;
  } catch {
    return undefined;
  }
}
