// An outbound fax from acceptance to its end: queued, the media download, the call, and its
// result, with a step delay before each and the account's channel held throughout.
import { randomUUID } from 'node:crypto';
import { checkFaxMedia } from './fax-media-check';
import type { EmulatedFax } from './telnyx-emulator';
import {
  type EmulatorState,
  type FaxRecord,
  newRecord,
  now,
  report,
  step,
} from './telnyx-emulator-state';
import { finishFailed, raise, sendHeld } from './telnyx-fax-events';
import { callDurationFor } from './telnyx-outcomes';
import type { SendFaxRequest } from './telnyx-request-schema';

export function acceptOutbound(state: EmulatorState, request: SendFaxRequest): EmulatedFax {
  const fax = outboundFax(request);
  state.records.set(
    fax.id,
    newRecord(fax, {
      holdsChannel: state.channels.take(),
      silent: state.outcomes.losesWebhooks(fax.to),
    }),
  );
  return fax;
}

function outboundFax(request: SendFaxRequest): EmulatedFax {
  const created = now();
  return {
    record_type: 'fax',
    id: randomUUID(),
    connection_id: request.connection_id,
    direction: 'outbound',
    from: request.from,
    to: request.to,
    ...(request.from_display_name === undefined
      ? {}
      : { from_display_name: request.from_display_name }),
    media_url: request.media_url,
    quality: request.quality ?? 'high',
    status: 'queued',
    store_media: request.store_media ?? false,
    ...(request.webhook_url === undefined ? {} : { webhook_url: request.webhook_url }),
    webhook_failover_url: '',
    ...(request.client_state === undefined ? {} : { client_state: request.client_state }),
    created_at: created,
    updated_at: created,
    failure_reason: null,
    events: [],
  };
}

export async function runOutbound(state: EmulatorState, record: FaxRecord) {
  await step(state);
  raise(state, record, 'fax.queued');
  await step(state);
  if (record.holdsChannel) await call(state, record);
  else finishFailed(state, record, 'user_channel_limit_exceeded');
  sendHeld(state, record);
}

async function call(state: EmulatorState, record: FaxRecord) {
  const { fax } = record;
  const media = await checkFaxMedia(fax.media_url ?? '', { signal: state.signal });
  state.signal.throwIfAborted();
  report(state, {
    kind: 'download',
    at: now(),
    faxId: fax.id,
    url: fax.media_url ?? '',
    result: media,
  });
  if (media.kind === 'failed') finishFailed(state, record, media.reason);
  else await dial(state, record, media.pages);
}

async function dial(state: EmulatorState, record: FaxRecord, pages: number) {
  const { fax } = record;
  raise(state, record, 'fax.media.processed');
  await step(state);
  raise(state, record, 'fax.sending.started');
  await step(state);
  const outcome = state.outcomes.dial(fax.to);
  if (outcome.kind === 'failed') return finishFailed(state, record, outcome.reason);
  fax.page_count = pages;
  fax.call_duration_secs = callDurationFor(pages);
  raise(state, record, 'fax.delivered', {
    page_count: fax.page_count,
    call_duration_secs: fax.call_duration_secs,
  });
}
