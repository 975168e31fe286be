// A fax arriving on one of the bridge's numbers: the webhook only hands it to the fax-in queue.
// Fetching, storing and emailing take longer than the 2 s Telnyx waits for an answer, and the
// receiver's work must survive this function's failures.
import { describe, expiresAt } from '../shared/fax-outcome';
import type { Clock, FaxInMessage, FaxInQueue, Ledger, Log } from '../shared/ports';
import type { FaxInEvent } from './fax-events';

export type FaxInOutcome =
  | { kind: 'duplicate' }
  /** On the fax-in queue, and the event marked processed. */
  | { kind: 'fax_in_queued'; message: FaxInMessage['kind'] }
  /** `fax.receiving.started`: logged only. */
  | { kind: 'fax_in_started' }
  /** The queue did not take it: answered 5xx so that Telnyx delivers the event again. */
  | { kind: 'fax_in_failed' };

export interface FaxInDeps {
  settings: { retentionDays: number };
  ledger: Pick<Ledger, 'isEventProcessed' | 'markEventProcessed'>;
  faxIn: FaxInQueue;
  clock: Clock;
  /** Carries the event's ids already. */
  log: Log;
}

/**
 * Queues one inbound event at most once per event id. Two deliveries at once may both queue it,
 * and so may Telnyx's two shapes of one fax: the receiver records each fax id once.
 */
export async function queueFaxIn(event: FaxInEvent, deps: FaxInDeps): Promise<FaxInOutcome> {
  const { log } = deps;
  const { step } = event;
  if (step.kind === 'receiving_started') {
    log.info('inbound fax call started');
    return { kind: 'fax_in_started' };
  }
  if (await deps.ledger.isEventProcessed(event.id)) {
    log.info('webhook event already processed');
    return { kind: 'duplicate' };
  }
  try {
    await deps.faxIn.enqueue(step);
  } catch (error) {
    log.error('inbound fax not queued; Telnyx will deliver the event again', {
      error: describe(error),
    });
    return { kind: 'fax_in_failed' };
  }
  const now = deps.clock();
  await deps.ledger.markEventProcessed(event.id, now.toISOString(), expiresAt(now, deps.settings));
  // Ids and counts only: the numbers and the caller's name stay out of the logs.
  log.info('inbound fax queued', {
    message: step.kind,
    withMedia: step.kind === 'received' && step.fax.mediaUrl !== undefined,
    pages: step.fax.pageCount,
  });
  return { kind: 'fax_in_queued', message: step.kind };
}
