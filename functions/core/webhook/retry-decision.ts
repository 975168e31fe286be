// Whether a failed dial is dialled again, and when: by the reason's class (failure-classes.ts),
// the dials the job has had, and the sender's `[no retry]`.
import { failureClass } from '../shared/failure-classes';
import type { FaxJob } from '../shared/ports';

export interface RetrySettings {
  /** RETRY_ATTEMPTS: dials in all, counting the first; 1 turns retries off. */
  attempts: number;
  /** RETRY_DELAY_SECONDS: the wait before the second dial; each later wait doubles. */
  delaySeconds: number;
}

export type RetryDecision =
  | { kind: 'final'; why: 'no_retry' | 'class' | 'attempts_used' | 'pages_sent' | 'pages_unknown' }
  | { kind: 'retry'; delaySeconds: number; counted: boolean };

/** A channel-limit failure waits this long (to twice as long, by `random`) and is not counted. */
const CAPACITY_WAIT_SECONDS = 30;
/** Channel-limit failures in a row before the sender is told: a limit set below TELNYX_CHANNELS. */
const MAX_CAPACITY_FAILURES = 20;
// Calls that may have ended mid-document: redialled only when no page is known to have arrived.
const MID_CALL = new Set(['receiver_call_dropped', 'sender_call_dropped', 'carrier_lost']);

export function decideRetry(
  job: FaxJob,
  failure: { failureReason?: string; pageCount?: number; pagesUnknown?: boolean },
  settings: RetrySettings,
  random: () => number,
): RetryDecision {
  const kind = failureClass(failure.failureReason);
  const uncounted = (job.dials ?? []).filter((dial) => !dial.counted).length;
  if (kind === 'capacity') {
    if (uncounted >= MAX_CAPACITY_FAILURES) return { kind: 'final', why: 'attempts_used' };
    const delaySeconds = Math.round(CAPACITY_WAIT_SECONDS * (1 + random()));
    return { kind: 'retry', delaySeconds, counted: false };
  }
  if (job.noRetry) return { kind: 'final', why: 'no_retry' };
  // The recipient holds some pages: a blind redial would send them twice.
  if ((failure.pageCount ?? 0) > 0) return { kind: 'final', why: 'pages_sent' };
  if (failure.pagesUnknown && MID_CALL.has(failure.failureReason ?? '')) {
    return { kind: 'final', why: 'pages_unknown' };
  }
  const dials = (job.dials ?? []).filter((dial) => dial.counted).length + 1;
  const allowed = kind === 'once' ? Math.min(2, settings.attempts) : settings.attempts;
  if (kind !== 'transient' && kind !== 'protocol' && kind !== 'once') {
    return { kind: 'final', why: 'class' };
  }
  if (dials >= allowed) return { kind: 'final', why: 'attempts_used' };
  return { kind: 'retry', delaySeconds: settings.delaySeconds * 2 ** (dials - 1), counted: true };
}
