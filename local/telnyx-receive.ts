// A fax arriving on the account: receiving, then received (or failed), with a short-lived link
// to its document; resolves once its webhooks were all delivered or given up.
import { randomUUID } from 'node:crypto';
import type { EmulatedFax, InboundReceipt } from './telnyx-emulator';
import {
  apiObject,
  type EmulatorState,
  type FaxRecord,
  newRecord,
  now,
  step,
  track,
} from './telnyx-emulator-state';
import { finishFailed, raise, sendHeld } from './telnyx-fax-events';
import {
  arrivalEventType,
  arrivalFields,
  detailsOf,
  documentPages,
  type InboundDetails,
  type ReceiveOptions,
} from './telnyx-inbound';
import { MEDIA_LINK_MS } from './telnyx-media-links';
import { callDurationFor } from './telnyx-outcomes';

export async function receive(
  state: EmulatorState,
  request: ReceiveOptions,
): Promise<InboundReceipt> {
  const record = await acceptInbound(state, request);
  const arrival = arrive(state, record, request.expireLinkAfterMs ?? MEDIA_LINK_MS);
  track(state, arrival);
  await arrival;
  await record.queue;
  const { page_count: pageCount } = record.fax;
  return {
    fax: apiObject(record.fax),
    ...(pageCount === undefined ? {} : { pageCount }),
    webhooks: [...record.deliveries],
  };
}

async function acceptInbound(state: EmulatorState, request: ReceiveOptions): Promise<FaxRecord> {
  const details = detailsOf(request);
  const fax = inboundFax(state, request);
  if (request.document && !details.fail) {
    state.documents.set(fax.id, request.document);
    fax.page_count = request.pages ?? (await documentPages(request.document)) ?? 1;
    fax.call_duration_secs = callDurationFor(fax.page_count);
  }
  const record = newRecord(fax, { inbound: details });
  state.records.set(fax.id, record);
  return record;
}

function inboundFax(state: EmulatorState, request: ReceiveOptions): EmulatedFax {
  const created = now();
  return {
    record_type: 'fax',
    id: randomUUID(),
    connection_id: state.connectionId,
    direction: 'inbound',
    from: request.from,
    to: request.to,
    quality: 'high',
    status: 'receiving',
    store_media: false,
    ...(request.webhookUrl === undefined ? {} : { webhook_url: request.webhookUrl }),
    webhook_failover_url: '',
    created_at: created,
    updated_at: created,
    failure_reason: null,
    events: [],
  };
}

async function arrive(state: EmulatorState, record: FaxRecord, linkLifetimeMs: number) {
  const details = record.inbound as InboundDetails;
  await step(state);
  raise(state, record, 'fax.receiving.started');
  await step(state);
  if (details.fail) {
    finishFailed(state, record, details.fail);
  } else {
    // Telnyx makes the link when the fax has arrived: its lifetime starts with the webhook.
    record.fax.media_url = state.links.issue(state.origin, record.fax.id, linkLifetimeMs);
    raise(state, record, arrivalEventType(details), arrivalFields(record.fax, details));
  }
  sendHeld(state, record);
}
