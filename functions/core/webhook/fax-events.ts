import * as z from 'zod/mini';
import type { FaxStatus } from '../shared/ports';

/** The outbound fax events Telnyx sends, and the status each one means. */
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
  direction?: string;
  clientState?: string;
  to?: string;
  pageCount?: number;
  callDurationSecs?: number;
  failureReason?: string;
  /** `meta.attempt`: which delivery of the event this is. */
  attempt?: number;
}

export type ParsedWebhook =
  | { kind: 'fax'; event: FaxEvent }
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
  direction: z.optional(z.string()),
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

export const isTerminal = (status: FaxStatus): status is 'delivered' | 'failed' =>
  status === 'delivered' || status === 'failed';

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
      direction: p.direction,
      clientState: p.client_state ?? undefined,
      to: p.to ?? undefined,
      pageCount: p.page_count ?? undefined,
      callDurationSecs: p.call_duration_secs ?? undefined,
      failureReason: p.failure_reason ?? undefined,
      attempt: meta?.attempt,
    },
  };
}
