// What Telnyx says of a fax (a webhook, or the sweeper's lookup) applied to its job: recorded,
// dialled again later when the failure allows, or ended with the result email.
import { attemptOf, isFinal } from '../shared/fax-job';
import {
  finishJob,
  type OutcomeDeps,
  type OutcomeSettings,
  type ResultSend,
} from '../shared/fax-outcome';
import type { DispatchQueue, FaxJob, JobKey, StatusChange } from '../shared/ports';
import type { EventStatus } from './fax-events';
import { decideRetry, type RetryDecision, type RetrySettings } from './retry-decision';

export interface StatusSettings extends OutcomeSettings {
  retry: RetrySettings;
}

export interface StatusDeps extends OutcomeDeps {
  queue: DispatchQueue;
  random: () => number;
}

/** What Telnyx said about one fax. */
export interface FaxReport {
  status: EventStatus;
  faxId: string;
  /** ISO time Telnyx says it happened, when it says. */
  occurredAt?: string;
  pageCount?: number;
  callDurationSecs?: number;
  failureReason?: string;
  /** A lookup, not a webhook: whether pages already reached the machine is not known. */
  pagesUnknown?: boolean;
}

export type ReportOutcome =
  | { kind: 'recorded'; status: EventStatus; changed: boolean }
  | { kind: 'retry_scheduled'; attempt: number; delaySeconds: number; failureReason?: string }
  | { kind: 'result'; status: 'delivered' | 'failed'; send: ResultSend; failureReason?: string };

/** SQS delays a message by 15 minutes at most: the dispatch chains longer waits. */
const MAX_DELAY_SECONDS = 900;

export async function applyReport(
  job: FaxJob,
  attempt: number,
  report: FaxReport,
  settings: StatusSettings,
  deps: StatusDeps,
): Promise<ReportOutcome> {
  const at = report.occurredAt ?? deps.clock().toISOString();
  if (attempt < attemptOf(job)) return earlierDial(job, attempt, report, deps);
  if (report.status === 'failed' && !isFinal(job.status)) {
    const decision = decideRetry(job, report, settings.retry, deps.random);
    if (decision.kind === 'retry') return retry(job, attempt, report, decision, settings, deps);
  }
  const advanced = await deps.ledger.advance(job, statusChange(attempt, report, at));
  if (report.status === 'delivered' || report.status === 'failed') {
    // Keyed on where the job stands, not on this change: a retry after an SES failure finds the
    // job final already and must still send the email.
    const current = advanced ?? (await deps.ledger.getJob(job));
    const ended = current?.status === 'delivered' || current?.status === 'failed';
    if (current && ended && attemptOf(current) === attempt) {
      const send = await finishJob(current, settings, deps);
      return { kind: 'result', status: report.status, send, failureReason: current.failureReason };
    }
  }
  return { kind: 'recorded', status: report.status, changed: advanced !== undefined };
}

/** Ends the attempt, starts the next, and queues it for its time; no email until the last. */
async function retry(
  job: FaxJob,
  attempt: number,
  report: FaxReport,
  decision: Extract<RetryDecision, { kind: 'retry' }>,
  settings: StatusSettings,
  deps: StatusDeps,
): Promise<ReportOutcome> {
  const now = deps.clock();
  const nextDialAt = new Date(now.getTime() + decision.delaySeconds * 1000).toISOString();
  const next = await deps.ledger.startNextAttempt(job, {
    attempt,
    dialledAt: job.dialledAt ?? job.createdAt,
    endedAt: report.occurredAt ?? now.toISOString(),
    faxId: report.faxId,
    failureReason: report.failureReason,
    callDurationSecs: report.callDurationSecs,
    counted: decision.counted,
    nextDialAt,
  });
  if (next) {
    await queueNext(next, nextDialAt, deps);
    // The line is free for other faxes while this one waits.
    await deps.leases.release(next, settings.channels);
  }
  const { delaySeconds } = decision;
  const { failureReason } = report;
  deps.log.info('fax to be dialled again', { attempt: attempt + 1, delaySeconds, failureReason });
  return { kind: 'retry_scheduled', attempt: attempt + 1, delaySeconds, failureReason };
}

/**
 * An event about a dial the bridge has already followed with another: nothing to record. When it is
 * the failure that started the next attempt, the next attempt is queued again for its time, in case
 * the run that started it stopped before it could; its channel is left as it is, since that
 * attempt's dispatch may hold it by now.
 */
async function earlierDial(
  job: FaxJob,
  attempt: number,
  report: FaxReport,
  deps: StatusDeps,
): Promise<ReportOutcome> {
  const started = job.dials?.at(-1);
  const waiting = job.status === 'claimed' && job.dialledAttempt === undefined;
  if (waiting && started?.attempt === attempt && started.faxId === report.faxId) {
    await queueNext(job, started.nextDialAt ?? deps.clock().toISOString(), deps);
  }
  return { kind: 'recorded', status: report.status, changed: false };
}

async function queueNext(job: FaxJob, notBefore: string, deps: StatusDeps): Promise<void> {
  const key: JobKey = { messageId: job.messageId, recipient: job.recipient };
  const wait = Math.max(0, Math.ceil((Date.parse(notBefore) - deps.clock().getTime()) / 1000));
  await deps.queue.enqueue(
    { ...key, attempt: attemptOf(job), notBefore },
    Math.min(MAX_DELAY_SECONDS, wait),
  );
}

function statusChange(attempt: number, report: FaxReport, at: string): StatusChange {
  const change: StatusChange = { attempt, status: report.status, at, faxId: report.faxId };
  if (report.pageCount !== undefined) change.pageCount = report.pageCount;
  if (report.callDurationSecs !== undefined) change.callDurationSecs = report.callDurationSecs;
  if (report.failureReason !== undefined) change.failureReason = report.failureReason;
  return change;
}
