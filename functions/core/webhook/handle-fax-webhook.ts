import type { KeyObject } from 'node:crypto';
import { type ClientStateSecret, verifyClientState } from '../shared/client-state';
import { describe, expiresAt } from '../shared/fax-outcome';
import type { Clock, FaxInQueue, FaxJob, Ledger, Log } from '../shared/ports';
import { applyReport, type StatusDeps, type StatusSettings } from './apply-report';
import { type FaxEvent, parseWebhook } from './fax-events';
import { type FaxInOutcome, queueFaxIn } from './inbound-fax-events';
import { type Headers, type SignatureVerdict, verifyWebhookSignature } from './webhook-signature';

export interface WebhookRequest {
  method: string;
  headers: Headers;
  body: string | undefined;
  isBase64Encoded: boolean;
}

export type WebhookSettings = StatusSettings;

export interface WebhookDeps extends StatusDeps {
  settings: WebhookSettings;
  ledger: Ledger;
  clock: Clock;
  log: Log;
  /** Made once with `webhookPublicKey`. */
  publicKey: KeyObject;
  /** The key the dispatch signed each fax's client_state with. */
  clientStateSecret: ClientStateSecret;
  /** Where received faxes wait for the receiver. */
  faxIn: FaxInQueue;
}

type InvalidSignature = Extract<SignatureVerdict, { valid: false }>['reason'];

export type WebhookOutcome =
  | { kind: 'rejected'; status: 405; reason: 'method_not_allowed' }
  | { kind: 'rejected'; status: 413; reason: 'body_too_large' }
  | { kind: 'rejected'; status: 401; reason: InvalidSignature }
  | { kind: 'rejected'; status: 400; reason: 'not_an_event' }
  | { kind: 'ignored'; reason: 'event_type' | 'unknown_fax' }
  /** Signed by Telnyx, but not about the fax this bridge sent for the job it names. */
  | { kind: 'ignored'; reason: Mismatch }
  | { kind: 'duplicate' }
  | { kind: 'recorded'; status: FaxEvent['status']; changed: boolean }
  /** A failed dial, to be dialled again after `delaySeconds`: nothing is emailed yet. */
  | { kind: 'retry_scheduled'; attempt: number; delaySeconds: number; failureReason?: string }
  /** `failureReason`: Telnyx's code for a failed fax, for the operator's failures-by-reason graph. */
  | { kind: 'result_sent'; status: 'delivered' | 'failed'; failureReason?: string }
  /** The email went out already. */
  | { kind: 'result_already_sent' }
  /** Another delivery is sending the email now: answered 503 so that, should it fail, Telnyx's next delivery sends it. */
  | { kind: 'result_in_progress' }
  /** SES did not take the email: answered 5xx so that Telnyx delivers the event again. */
  | { kind: 'result_failed' }
  | FaxInOutcome
  | { kind: 'error' };

/** Why an event changes nothing: each is answered 200, or Telnyx would deliver it again. */
export type Mismatch = 'forged_client_state' | 'other_fax' | 'other_number';

type Ignored = Extract<WebhookOutcome, { kind: 'ignored' }>;

export interface WebhookResponse {
  statusCode: number;
  body: string;
  outcome: WebhookOutcome;
}

export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Verifies one Telnyx webhook delivery. About a fax sent: records it and sends the result email
 * once per fax. About a fax received: hands it to the fax-in queue.
 */
export async function handleFaxWebhook(
  request: WebhookRequest,
  deps: WebhookDeps,
): Promise<WebhookResponse> {
  let outcome: WebhookOutcome;
  try {
    outcome = await judge(request, deps);
  } catch (error) {
    deps.log.error('webhook not handled; Telnyx will deliver it again', { error: describe(error) });
    outcome = { kind: 'error' };
  }
  return respond(outcome);
}

function respond(outcome: WebhookOutcome): WebhookResponse {
  switch (outcome.kind) {
    case 'rejected':
      return { statusCode: outcome.status, body: outcome.reason, outcome };
    case 'result_failed':
    case 'fax_in_failed':
    case 'error':
      return { statusCode: 500, body: outcome.kind, outcome };
    case 'result_in_progress':
      return { statusCode: 503, body: outcome.kind, outcome };
    default:
      return { statusCode: 200, body: outcome.kind, outcome };
  }
}

async function judge(request: WebhookRequest, deps: WebhookDeps): Promise<WebhookOutcome> {
  const refuse = <T extends Extract<WebhookOutcome, { kind: 'rejected' }>>(
    outcome: Omit<T, 'kind'>,
    extra?: Record<string, unknown>,
  ) => {
    deps.log.warn('webhook refused', { status: outcome.status, reason: outcome.reason, ...extra });
    return { kind: 'rejected', ...outcome } as WebhookOutcome;
  };
  if (request.method.toUpperCase() !== 'POST') {
    return refuse({ status: 405, reason: 'method_not_allowed' }, { method: request.method });
  }
  const rawBody = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
  if (rawBody.length > MAX_BODY_BYTES) {
    return refuse({ status: 413, reason: 'body_too_large' }, { bytes: rawBody.length });
  }
  const verdict = verifyWebhookSignature({
    headers: request.headers,
    rawBody,
    publicKey: deps.publicKey,
    now: deps.clock(),
  });
  if (!verdict.valid) return refuse({ status: 401, reason: verdict.reason });
  const parsed = parseWebhook(rawBody.toString('utf8'));
  if (parsed.kind === 'invalid') {
    return refuse({ status: 400, reason: 'not_an_event' }, { problem: parsed.problem });
  }
  if (parsed.kind === 'other') {
    deps.log.info('webhook event type ignored', { eventId: parsed.id, eventType: parsed.type });
    return { kind: 'ignored', reason: 'event_type' };
  }
  if (parsed.kind === 'fax_in') {
    const { id: eventId, type: eventType, step } = parsed.event;
    const faxId = step.kind === 'receiving_started' ? step.faxId : step.fax.faxId;
    const log = withContext(deps.log, { eventId, eventType, faxId, direction: 'inbound' });
    return queueFaxIn(parsed.event, { ...deps, log });
  }
  const { id: eventId, type: eventType, faxId } = parsed.event;
  return applyEvent(parsed.event, {
    ...deps,
    log: withContext(deps.log, { eventId, eventType, faxId }),
  });
}

async function applyEvent(event: FaxEvent, deps: WebhookDeps): Promise<WebhookOutcome> {
  const { ledger, log } = deps;
  if (await ledger.isEventProcessed(event.id)) {
    log.info('webhook event already processed');
    return { kind: 'duplicate' };
  }
  const bound = await boundJob(event, deps);
  if (bound.kind === 'ignored') return bound;
  const applied = await applyReport(bound.job, bound.attempt, event, deps.settings, deps);
  if (applied.kind === 'result') {
    const { status, failureReason } = applied;
    switch (applied.send) {
      case 'held':
        return { kind: 'result_in_progress' };
      case 'failed':
        return { kind: 'result_failed' };
      case 'already_sent':
        await markProcessed(event, deps);
        return { kind: 'result_already_sent' };
      case 'sent':
        await markProcessed(event, deps);
        return status === 'failed'
          ? { kind: 'result_sent', status, failureReason: failureReason ?? 'unknown' }
          : { kind: 'result_sent', status };
    }
  }
  await markProcessed(event, deps);
  if (applied.kind === 'recorded')
    log.info('webhook recorded', { status: event.status, changed: applied.changed });
  return applied;
}

/**
 * The job the event is about, when it is: its client_state signed by this bridge, and the fax and
 * number those of the job. Any Telnyx customer can have Telnyx sign an event with the client_state,
 * fax id and number of its choice, and a job without a fax id would adopt the first one it sees.
 */
async function boundJob(
  event: FaxEvent,
  deps: WebhookDeps,
): Promise<{ kind: 'bound'; job: FaxJob; attempt: number } | Ignored> {
  const { ledger, log } = deps;
  if (event.clientState === undefined) {
    log.warn('webhook for a fax the ledger does not know (another sender on the account?)');
    return { kind: 'ignored', reason: 'unknown_fax' };
  }
  const state = verifyClientState(event.clientState, await deps.clientStateSecret());
  if (!state.valid) return mismatch('forged_client_state', deps, { problem: state.reason });
  const job = await ledger.getJob(state.key);
  if (!job) {
    log.warn('webhook for a job the ledger does not hold (expired?)', { attempt: state.attempt });
    return { kind: 'ignored', reason: 'unknown_fax' };
  }
  const faxId = faxOfAttempt(job, state.attempt);
  if (faxId && faxId !== event.faxId) return mismatch('other_fax', deps, { jobFaxId: faxId });
  if (event.to !== job.recipient) return mismatch('other_number', deps);
  return { kind: 'bound', job, attempt: state.attempt };
}

function mismatch(
  reason: Mismatch,
  deps: WebhookDeps,
  extra: Record<string, unknown> = {},
): Ignored {
  // Ids and codes only: the job's subject and sender stay out of the logs.
  deps.log.warn('webhook not about the job it names; nothing changed', { reason, ...extra });
  return { kind: 'ignored', reason };
}

/** The fax id Telnyx gave the attempt, when the job knows it. */
function faxOfAttempt(job: FaxJob, attempt: number): string | undefined {
  if (attempt === (job.attempt ?? 1)) return job.faxId;
  return job.dials?.find((dial) => dial.attempt === attempt)?.faxId;
}

async function markProcessed(event: FaxEvent, deps: WebhookDeps): Promise<void> {
  const now = deps.clock();
  await deps.ledger.markEventProcessed(event.id, now.toISOString(), expiresAt(now, deps.settings));
}

const withContext = (log: Log, context: Record<string, unknown>): Log => ({
  info: (message, extra) => log.info(message, { ...context, ...extra }),
  warn: (message, extra) => log.warn(message, { ...context, ...extra }),
  error: (message, extra) => log.error(message, { ...context, ...extra }),
});
