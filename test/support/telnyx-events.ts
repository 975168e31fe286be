import { encodeClientState, FIRST_ATTEMPT } from '../../functions/core/shared/client-state';
import type { JobKey } from '../../functions/core/shared/ports';

/** The client_state key of the tests' bridge: CLIENT_STATE_SECRET, or what the fakes hand out. */
export const CLIENT_STATE_SECRET = 'test-client-state-key-0123456789abcdef0123456789';

/** The client_state the tests' bridge sends Telnyx for `key`. */
export const clientStateFor = (key: JobKey, attempt = FIRST_ATTEMPT) =>
  encodeClientState(key, attempt, CLIENT_STATE_SECRET);

const STATUS_OF: Record<string, string> = {
  'fax.queued': 'queued',
  'fax.media.processed': 'media.processed',
  'fax.sending.started': 'sending',
  'fax.delivered': 'delivered',
  'fax.failed': 'failed',
};

let events = 0;

/** A Telnyx fax webhook body (FAX_API.md §4.1) about the fax `faxId` sent for the job `key`. */
export function faxEventBody(
  key: JobKey,
  faxId: string,
  type: string,
  payload: Record<string, unknown> = {},
  options: { id?: string; occurredAt?: string } = {},
): string {
  return JSON.stringify({
    data: {
      event_type: type,
      id: options.id ?? `evt-${++events}`,
      occurred_at: options.occurredAt ?? '2026-03-05T15:14:07.677850Z',
      record_type: 'event',
      payload: {
        fax_id: faxId,
        connection_id: '234423',
        direction: 'outbound',
        from: '+13125790015',
        to: key.recipient,
        client_state: clientStateFor(key),
        status: STATUS_OF[type] ?? type.replace(/^fax\./, ''),
        user_id: '19a75cea-02c6-4b9a-84fa-c9bc8341feb8',
        ...payload,
      },
    },
    meta: { attempt: 1, delivered_to: 'https://hooks.example.com/fax' },
  });
}

/** The two shapes Telnyx documents for a fax that arrived (INBOUND.md §2.6). */
export type InboundShape = 'received' | 'delivered';

export interface InboundEventOptions {
  id?: string;
  occurredAt?: string;
  /** `received` (default): `fax.received` with `media_url`; `delivered`: `fax.delivered`, inbound. */
  shape?: InboundShape;
}

/** The media link `inboundFaxBody` puts in a received fax's event. */
export const inboundMediaUrl = (faxId: string) =>
  `https://s3.amazonaws.com/telnyx-fax-media/${faxId}.pdf?X-Amz-Expires=600`;

/** A Telnyx webhook body about the fax `faxId` arriving from +13125551234 on +13125550100 (`payload` overrides). */
export function inboundFaxBody(
  type: 'received' | 'fax.receiving.started' | 'fax.failed',
  faxId: string,
  payload: Record<string, unknown> = {},
  options: InboundEventOptions = {},
): string {
  const shape = options.shape ?? 'received';
  const received = type === 'received';
  const eventType = received ? (shape === 'received' ? 'fax.received' : 'fax.delivered') : type;
  return JSON.stringify({
    data: {
      event_type: eventType,
      id: options.id ?? `evt-in-${++events}`,
      occurred_at: options.occurredAt ?? '2026-03-05T15:20:41.000000Z',
      record_type: 'event',
      payload: {
        fax_id: faxId,
        connection_id: '234423',
        direction: 'inbound',
        from: '+13125551234',
        to: '+13125550100',
        status: received ? (shape === 'received' ? 'received' : 'delivered') : eventType.slice(4),
        user_id: '19a75cea-02c6-4b9a-84fa-c9bc8341feb8',
        ...(received
          ? {
              [shape === 'received' ? 'media_url' : 'original_media_url']: inboundMediaUrl(faxId),
              page_count: 3,
              call_duration_secs: 74,
              partial_content: false,
            }
          : {}),
        ...payload,
      },
    },
    meta: { attempt: 1, delivered_to: 'https://hooks.example.com/fax' },
  });
}
