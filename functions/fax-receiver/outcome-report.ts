import type { Observability } from '../adapters/observability';
import type { ReceivedOutcome } from '../core/fax-in/deliver-received-fax';
import type { FailedArrivalOutcome } from '../core/fax-in/failed-arrival';

/** Alarmed: each means a fax that reached nobody, or an email that did not go out. */
export const UNROUTED_FAXES_METRIC = 'UnroutedFaxes';
export const FAX_FETCH_FAILURES_METRIC = 'FaxFetchFailures';
export const RECEIVED_FAX_EMAILS_FAILED_METRIC = 'ReceivedFaxEmailsFailed';
export const FAXES_RECEIVED_METRIC = 'FaxesReceived';
export const BLOCKED_FAXES_METRIC = 'BlockedFaxes';

const UNROUTED_MESSAGE =
  'received fax has no route: it is stored, but nobody was emailed; add its number or "*" to INBOUND_ROUTES';

/** The logs and metrics of one received fax; ids, counts and codes only. */
export function reportReceived(
  faxId: string,
  outcome: ReceivedOutcome,
  { log, counters }: Observability,
): void {
  if (outcome.first) counters.count(FAXES_RECEIVED_METRIC);
  switch (outcome.kind) {
    case 'emailed':
    case 'emails_pending':
      log.info('received fax emailed', { faxId, mode: outcome.mode, ...outcome.emails });
      if (outcome.emails.failed > 0)
        counters.count(RECEIVED_FAX_EMAILS_FAILED_METRIC, outcome.emails.failed);
      return;
    case 'blocked':
      log.info('received fax from a blocked number: stored, not emailed', { faxId });
      counters.count(BLOCKED_FAXES_METRIC);
      return;
    case 'unrouted':
      log.error(UNROUTED_MESSAGE, { faxId });
      counters.count(UNROUTED_FAXES_METRIC);
      return;
    case 'fetch_failed':
      log.error('received fax not fetched; it will be tried again', {
        faxId,
        detail: outcome.detail,
      });
      counters.count(FAX_FETCH_FAILURES_METRIC);
      return;
    case 'not_a_fax_document':
      log.error('received fax is neither a readable PDF nor TIFF: not stored', {
        faxId,
        detail: outcome.detail,
      });
      counters.count(FAX_FETCH_FAILURES_METRIC);
      return;
    case 'not_ours':
      // Someone else's fax application pointed at this URL, or a forgery: nothing fetched.
      log.warn('received-fax event not about a fax of this account: ignored', {
        faxId,
        detail: outcome.detail,
      });
      counters.count('ForeignFaxEvents');
      return;
  }
}

export function reportFailedArrival(
  faxId: string,
  outcome: FailedArrivalOutcome,
  { log, counters }: Observability,
): void {
  counters.count('FaxesNotArrived');
  switch (outcome.kind) {
    case 'notified':
    case 'emails_pending':
      log.info('fax that did not arrive notified', { faxId, ...outcome.emails });
      if (outcome.emails.failed > 0)
        counters.count(RECEIVED_FAX_EMAILS_FAILED_METRIC, outcome.emails.failed);
      return;
    case 'blocked':
      log.info('fax from a blocked number did not arrive: nobody notified', { faxId });
      return;
    case 'unrouted':
      log.error(UNROUTED_MESSAGE, { faxId });
      counters.count(UNROUTED_FAXES_METRIC);
      return;
    case 'not_ours':
      log.warn('failed-fax event not about a fax of this account: ignored', { faxId });
      counters.count('ForeignFaxEvents');
      return;
  }
}

/** Whether the queue should deliver the message again: something may still succeed. */
export const comesBack = (outcome: ReceivedOutcome | FailedArrivalOutcome): boolean =>
  outcome.kind === 'emails_pending' || outcome.kind === 'fetch_failed';
