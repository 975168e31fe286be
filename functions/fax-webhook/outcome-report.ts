import type { Observability } from '../adapters/observability';
import type { DownloadOutcome } from '../core/webhook/download';
import type { Mismatch, WebhookOutcome } from '../core/webhook/handle-fax-webhook';

/** Inbound faxes handed to the receiver, by message kind (`received`, `failed`). */
export const FAX_IN_QUEUED = 'FaxInQueued';
/** The fax-in queue refused one: Telnyx delivers it again, but a run of them wants an alarm. */
export const FAX_IN_NOT_QUEUED = 'FaxInNotQueued';
/** Download links answered, by outcome (`served`, `refused`, `gone`, `too_large`, `error`). */
export const DOWNLOADS = 'FaxDownloads';

const COUNTED: Partial<Record<WebhookOutcome['kind'], string>> = {
  rejected: 'WebhookRejected',
  result_sent: 'ResultEmailsSent',
  result_failed: 'ResultEmailsFailed',
  fax_in_failed: FAX_IN_NOT_QUEUED,
};

/** Faxes that ended, by how; the dashboard sets them beside the inbound function's requests. */
export const FAXES_DELIVERED = 'FaxesDelivered';
export const FAXES_FAILED = 'FaxesFailed';
/** Failed faxes again, with Telnyx's failure reason as the `reason` dimension. */
export const FAX_FAILURES = 'FaxFailures';

const MISMATCH: Record<Mismatch, true> = {
  forged_client_state: true,
  other_fax: true,
  other_number: true,
};

/** The metrics for one webhook delivery. */
export function reportWebhook(outcome: WebhookOutcome, { counters }: Observability): void {
  counters.count('Webhooks', 1, { name: 'Outcome', value: outcome.kind });
  const name = COUNTED[outcome.kind];
  if (name) counters.count(name);
  // One result email per fax, so each fax is counted once, when its result goes out.
  if (outcome.kind === 'result_sent') {
    counters.count(outcome.status === 'delivered' ? FAXES_DELIVERED : FAXES_FAILED);
    // Telnyx's codes are a closed list of short identifiers (FAX_API.md §5.3), never content.
    const reason = outcome.failureReason?.replace(/[^a-z0-9_]/gi, '').slice(0, 64);
    if (reason) counters.count(FAX_FAILURES, 1, { name: 'reason', value: reason });
  }
  if (outcome.kind === 'fax_in_queued') {
    counters.count(FAX_IN_QUEUED, 1, { name: 'Kind', value: outcome.message });
  }
  // Validly signed by Telnyx but not about our fax: someone is trying, or a key changed.
  if (outcome.kind === 'ignored' && Object.hasOwn(MISMATCH, outcome.reason)) {
    counters.count('WebhookMismatched', 1, { name: 'Reason', value: outcome.reason });
  }
  counters.flush();
}

/** The metrics for one download link answered: refusals show someone guessing or a stale link. */
export function reportDownload(outcome: DownloadOutcome, { counters }: Observability): void {
  counters.count(DOWNLOADS, 1, { name: 'Outcome', value: outcome.kind });
  counters.flush();
}
