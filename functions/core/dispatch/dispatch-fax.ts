// One turn of a fax job on the dispatch queue: wait for its time and a call channel, claim the
// attempt's POST, ask Telnyx, record the answer. A message delivered twice never posts twice, and a
// POST whose fate is unknown is never repeated: the sweeper finds out what became of it.
import type { ClientStateSecret } from '../shared/client-state';
import { attemptOf } from '../shared/fax-job';
import { finishJob, type OutcomeDeps, type OutcomeSettings } from '../shared/fax-outcome';
import { readNote } from '../shared/not-sent-reasons';
import type {
  CallLeases,
  DispatchMessage,
  DispatchQueue,
  FaxApi,
  FaxJob,
  FaxSendResult,
  MediaStore,
} from '../shared/ports';
import { faxRequest, type TelnyxSettings } from './fax-request';
import { type Answered, statusChangeFor } from './send-outcome';

export interface DispatchSettings extends OutcomeSettings {
  telnyx: TelnyxSettings;
  mediaUrlTtlSeconds: number;
  /** How long a call channel is held before others may take it, unless renewed. */
  leaseSeconds: number;
  /** DISPATCH_WAIT_SECONDS: a fax with no free channel comes back after this, to twice this. */
  waitSeconds: number;
}

export interface DispatchDeps extends OutcomeDeps {
  leases: CallLeases;
  queue: DispatchQueue;
  fax: FaxApi;
  media: Pick<MediaStore, 'getDocument' | 'documentUrl'>;
  clientStateSecret: ClientStateSecret;
  /** From 0 to 1, for the jitter of waits. */
  random: () => number;
}

export type WaitReason = 'not_yet' | 'number_busy' | 'no_channel' | 'throttled';

export type DispatchOutcome =
  | { kind: 'dropped'; reason: 'no_job' | 'stale_attempt' | 'already_dialled' }
  | { kind: 'waiting'; reason: WaitReason; delaySeconds: number }
  | { kind: 'sent'; faxId: string }
  | { kind: 'not_sent'; code: string }
  | { kind: 'unknown'; code: string };

/** SQS delays a message by 15 minutes at most: longer waits are chained. */
export const MAX_DELAY_SECONDS = 900;

export async function dispatchFax(
  message: DispatchMessage,
  settings: DispatchSettings,
  deps: DispatchDeps,
): Promise<DispatchOutcome> {
  const job = await deps.ledger.getJob(message);
  if (job?.status === 'not_sent' && attemptOf(job) === message.attempt) {
    // Back after its result email failed: the email is tried again, the fax never.
    return notSentAgain(job, settings, deps);
  }
  const stale = staleness(job, message);
  if (stale || !job) return { kind: 'dropped', reason: stale ?? 'no_job' };
  const now = deps.clock();
  const early = message.notBefore ? Date.parse(message.notBefore) - now.getTime() : 0;
  if (early > 1000) return wait(message, 'not_yet', Math.ceil(early / 1000), deps);
  const lease = await deps.leases.acquire(job, settings.channels, now, settings.leaseSeconds);
  if (lease !== 'acquired') return wait(message, lease, jittered(settings.waitSeconds, deps), deps);
  // Both read before the claim: when either fails, the redelivery finds the attempt unclaimed.
  const secret = await deps.clientStateSecret();
  const url = await deps.media.documentUrl(job.mediaKey, settings.mediaUrlTtlSeconds);
  const claimed = await deps.ledger.claimDial(message, message.attempt, now.toISOString());
  // Another delivery of this message claimed it, and holds the channel for it.
  if (!claimed) return { kind: 'dropped', reason: 'already_dialled' };
  const sent = await deps.fax.sendFax(
    faxRequest(claimed, message.attempt, url, settings.telnyx, secret),
  );
  logAnswer(message, sent, deps);
  return record(claimed, message, sent, settings, deps);
}

function staleness(
  job: FaxJob | undefined,
  message: DispatchMessage,
): 'stale_attempt' | 'already_dialled' | undefined {
  if (!job) return undefined;
  if (attemptOf(job) !== message.attempt || job.status !== 'claimed') return 'stale_attempt';
  return (job.dialledAttempt ?? 0) >= message.attempt ? 'already_dialled' : undefined;
}

async function record(
  job: FaxJob,
  message: DispatchMessage,
  sent: FaxSendResult,
  settings: DispatchSettings,
  deps: DispatchDeps,
): Promise<DispatchOutcome> {
  const at = deps.clock().toISOString();
  if (sent.kind === 'throttled' && !throttledTooLong(job, message, deps)) {
    // Telnyx took nothing: the attempt is given back, and counts for nothing.
    await deps.ledger.releaseDial(message, message.attempt);
    await deps.leases.release(job, settings.channels);
    const delay = sent.retryAfterSeconds ?? jittered(settings.waitSeconds, deps);
    return wait(message, 'throttled', Math.max(1, Math.ceil(delay)), deps);
  }
  const answer: Answered =
    sent.kind === 'throttled' ? { kind: 'not_sent', code: 'busy', detail: sent.detail } : sent;
  const changed = await deps.ledger.advance(message, statusChangeFor(answer, message.attempt, at));
  switch (answer.kind) {
    case 'accepted':
      return { kind: 'sent', faxId: answer.faxId };
    case 'unknown':
      // The channel stays held: Telnyx may be calling. The sweeper looks the fax up.
      return { kind: 'unknown', code: answer.code };
    default: {
      const final = changed ?? (await deps.ledger.getJob(message));
      return final ? notSentAgain(final, settings, deps) : { kind: 'not_sent', code: answer.code };
    }
  }
}

async function notSentAgain(
  job: FaxJob,
  settings: DispatchSettings,
  deps: DispatchDeps,
): Promise<DispatchOutcome> {
  const emailed = await finishJob(job, settings, deps);
  // Thrown, the message comes back and the email is tried again; nothing is posted twice.
  if (emailed === 'failed' || emailed === 'held') throw new Error('result email not sent yet');
  return { kind: 'not_sent', code: readNote(job.note).code ?? 'unrecorded' };
}

async function wait(
  message: DispatchMessage,
  reason: WaitReason,
  seconds: number,
  deps: DispatchDeps,
): Promise<DispatchOutcome> {
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, seconds);
  // A wait past SQS's 15 minutes is chained: the message says when it may be dialled.
  const due = new Date(deps.clock().getTime() + seconds * 1000).toISOString();
  const next = seconds > MAX_DELAY_SECONDS ? { ...message, notBefore: due } : message;
  await deps.queue.enqueue(next, delaySeconds);
  deps.log.info('fax waits', { ...ids(message), reason, delaySeconds });
  return { kind: 'waiting', reason, delaySeconds };
}

/** Telnyx busy for this long: the sender hears, rather than wait on. */
export const MAX_THROTTLED_SECONDS = 6 * 3600;

/** Counted from when this attempt could first be dialled, not from when the email came. */
function throttledTooLong(job: FaxJob, message: DispatchMessage, deps: DispatchDeps): boolean {
  const due = Math.max(
    Date.parse(job.statusTimes.claimed ?? job.createdAt),
    message.notBefore ? Date.parse(message.notBefore) : 0,
  );
  return deps.clock().getTime() - due > MAX_THROTTLED_SECONDS * 1000;
}

/** `base` to twice `base` seconds: faxes that wait together do not all come back together. */
const jittered = (base: number, deps: DispatchDeps) => Math.round(base + base * deps.random());

const ids = (message: DispatchMessage) => ({
  messageId: message.messageId,
  recipient: message.recipient,
  attempt: message.attempt,
});

function logAnswer(message: DispatchMessage, sent: FaxSendResult, deps: DispatchDeps) {
  deps.log.info('fax request answered', {
    ...ids(message),
    result: sent.kind,
    code: 'code' in sent ? sent.code : undefined,
    faxId: sent.kind === 'accepted' ? sent.faxId : undefined,
  });
}
