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
