// The backstop for lost webhooks: every fax holding a call channel is looked at on a schedule.
// One Telnyx has gone quiet about is looked up (GET /v2/faxes/{id}) and what Telnyx says is
// applied as a webhook would be; a POST whose fate is unknown is looked for among the faxes to
// its number by its client_state; a channel whose fax ended, or never started, is given back.
import { type ClientStateSecret, encodeClientState } from '../shared/client-state';
import { attemptOf, isFinal } from '../shared/fax-job';
import { finishJob } from '../shared/fax-outcome';
import { noteOf } from '../shared/not-sent-reasons';
import type { CallLease, FaxApi, FaxJob, StatusChange, TelnyxFax } from '../shared/ports';
import { applyReport, type FaxReport, type StatusDeps, type StatusSettings } from './apply-report';
import type { EventStatus } from './fax-events';

export interface SweepSettings extends StatusSettings {
  /** SWEEP_AFTER_SECONDS: quiet this long, a fax is looked up. */
  sweepAfterSeconds: number;
  leaseSeconds: number;
}

export interface SweepDeps extends StatusDeps {
  fax: Pick<FaxApi, 'getFax' | 'listFaxes'>;
  clientStateSecret: ClientStateSecret;
}

export type SweepResult =
  | 'released'
  | 'waiting'
  | 'looked_up'
  | 'found'
  | 'never_sent'
  | 'still_unknown'
  | 'unavailable';

// A POST may take a moment to show in Telnyx's list; its fax was created after the POST began.
const LIST_GRACE_SECONDS = 60;
const CLOCK_SKEW_MS = 5 * 60_000;

const TELNYX_STATUS: Readonly<Record<string, EventStatus>> = {
  queued: 'queued',
  'media.processed': 'media.processed',
  originated: 'sending',
  sending: 'sending',
  delivered: 'delivered',
  failed: 'failed',
};

/** One pass over the held channels: how each fax stood, for the log and the metrics. */
export async function sweepFaxes(
  settings: SweepSettings,
  deps: SweepDeps,
): Promise<Record<SweepResult, number>> {
  const counts: Record<SweepResult, number> = {
    released: 0,
    waiting: 0,
    looked_up: 0,
    found: 0,
    never_sent: 0,
    still_unknown: 0,
    unavailable: 0,
  };
  for (const lease of await deps.leases.held(settings.channels)) {
    try {
      counts[await sweepLease(lease, settings, deps)]++;
    } catch (error) {
      // One fax the sweep cannot finish must not leave the others unrenewed.
      counts.unavailable++;
      deps.log.error('sweep of one fax failed; the next sweep tries again', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  deps.log.info('sweep done', counts);
  return counts;
}

async function sweepLease(
  lease: CallLease,
  settings: SweepSettings,
  deps: SweepDeps,
): Promise<SweepResult> {
  const job = await deps.ledger.getJob(lease);
  const now = deps.clock().getTime();
  const quietMs = settings.sweepAfterSeconds * 1000;
  if (!job) return release(lease, settings, deps);
  // Final, its email perhaps not out yet (SES failed): sent once, then the channel goes.
  if (isFinal(job.status)) {
    await finishJob(job, settings, deps);
    return 'released';
  }
  const posted = job.dialledAttempt === attemptOf(job);
  if (job.status === 'claimed' && !posted) {
    if (now - lease.since <= quietMs) return 'waiting';
    // Taken before a POST that never came (the run stopped, or its message was lost): queued
    // again, which is safe because the attempt's POST is claimed once.
    const notBefore = job.dials?.at(-1)?.nextDialAt;
    const message = { messageId: job.messageId, recipient: job.recipient, attempt: attemptOf(job) };
    await deps.queue.enqueue(notBefore ? { ...message, notBefore } : message, 0);
    return release(lease, settings, deps);
  }
  const renew = () =>
    deps.leases.renew(job, settings.channels, deps.clock(), settings.leaseSeconds);
  await renew();
  if (!job.faxId) return findUnknownPost(job, settings, deps);
  if (now - Date.parse(job.updatedAt) < quietMs) return 'waiting';
  const lookup = await deps.fax.getFax(job.faxId);
  if (lookup.kind === 'not_found') return lostAtTelnyx(job, settings, deps);
  if (lookup.kind !== 'found') {
    deps.log.warn('swept fax could not be looked up', { faxId: job.faxId });
    return 'unavailable';
  }
  await applyTelnyx(job, lookup.fax, settings, deps);
  return 'looked_up';
}

/** A POST that timed out: its fax, if Telnyx made one, carries the attempt's client_state. */
async function findUnknownPost(
  job: FaxJob,
  settings: SweepSettings,
  deps: SweepDeps,
): Promise<SweepResult> {
  const attempt = attemptOf(job);
  const postedAt = Date.parse(job.dialledAt ?? job.updatedAt);
  const now = deps.clock().getTime();
  if (now - postedAt < LIST_GRACE_SECONDS * 1000) return 'waiting';
  const listing = await deps.fax.listFaxes({
    to: job.recipient,
    createdSince: new Date(postedAt - CLOCK_SKEW_MS),
  });
  if (listing.kind === 'unavailable') return 'unavailable';
  const clientState = encodeClientState(job, attempt, await deps.clientStateSecret());
  const fax = listing.faxes.find((f) => f.clientState === clientState);
  if (fax) {
    const at = deps.clock().toISOString();
    const adopted = await deps.ledger.advance(job, {
      attempt,
      status: 'queued',
      at,
      faxId: fax.id,
    });
    await applyTelnyx(adopted ?? job, fax, settings, deps);
    return 'found';
  }
  if (now - postedAt < settings.sweepAfterSeconds * 1000) return 'still_unknown';
  const note = noteOf('never_confirmed', 'no fax with its client_state at Telnyx');
  await endJob(job, { status: 'not_sent', note }, settings, deps);
  return 'never_sent';
}

async function applyTelnyx(
  job: FaxJob,
  fax: TelnyxFax,
  settings: SweepSettings,
  deps: SweepDeps,
): Promise<void> {
  const status = TELNYX_STATUS[fax.status];
  if (!status) return;
  const report: FaxReport = {
    status,
    faxId: fax.id,
    pageCount: fax.pageCount,
    callDurationSecs: fax.callDurationSecs,
    failureReason: fax.failureReason,
    occurredAt: status === 'delivered' || status === 'failed' ? fax.updatedAt : undefined,
    // Telnyx's fax object has no page count: whether pages already arrived cannot be told.
    pagesUnknown: fax.pageCount === undefined,
  };
  const applied = await applyReport(job, attemptOf(job), report, settings, deps);
  deps.log.info('swept fax applied', { faxId: fax.id, status, outcome: applied.kind });
}

/**
 * Telnyx no longer knows a fax id it gave: it ends as failed, never dialled again (it may have
 * gone through), and the channel is given back rather than held by a fax nobody can follow.
 */
async function lostAtTelnyx(
  job: FaxJob,
  settings: SweepSettings,
  deps: SweepDeps,
): Promise<SweepResult> {
  deps.log.warn('swept fax unknown to Telnyx: ended as failed', { faxId: job.faxId });
  await endJob(job, { status: 'failed', failureReason: 'unknown' }, settings, deps);
  return 'looked_up';
}

/** The sweeper's own verdict on the job's current attempt, and its result email. */
async function endJob(
  job: FaxJob,
  change: Pick<StatusChange, 'note' | 'failureReason'> & { status: 'failed' | 'not_sent' },
  settings: SweepSettings,
  deps: SweepDeps,
): Promise<void> {
  const at = deps.clock().toISOString();
  const ended = await deps.ledger.advance(job, { ...change, attempt: attemptOf(job), at });
  if (ended) await finishJob(ended, settings, deps);
}

async function release(
  lease: CallLease,
  settings: SweepSettings,
  deps: SweepDeps,
): Promise<SweepResult> {
  await deps.leases.release(lease, settings.channels);
  return 'released';
}
