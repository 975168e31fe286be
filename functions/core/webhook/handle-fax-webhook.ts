import type { KeyObject } from 'node:crypto';
import { type ClientStateSecret, verifyClientState } from '../shared/client-state';
import { jobName } from '../shared/fax-job';
import { sendNoticeOnce } from '../shared/notice-once';
import type {
  Clock,
  FaxJob,
  JobKey,
  Ledger,
  Log,
  Mailer,
  MediaStore,
  StatusChange,
} from '../shared/ports';
import { type FaxEvent, isTerminal, parseWebhook } from './fax-events';
import { type FailedDocument, resultEmail } from './result-email';
import { type TransmissionReportSetting, transmissionReport } from './transmission-report';
import { type Headers, type SignatureVerdict, verifyWebhookSignature } from './webhook-signature';

export interface WebhookRequest {
  method: string;
  headers: Headers;
  body: string | undefined;
  isBase64Encoded: boolean;
}

export interface WebhookSettings {
  noticeFrom: string;
  noticeTimeZone: string;
  attachFailedDocument: boolean;
  /** The delivered email's confirmation report: with page 1 reduced, without it, or none. */
  transmissionReport: TransmissionReportSetting;
  /** Who to ask, in the footer. */
  adminContact?: string;
  retentionDays: number;
}

export interface WebhookDeps {
  settings: WebhookSettings;
  ledger: Ledger;
  mailer: Mailer;
  media: Pick<MediaStore, 'getDocument'>;
  clock: Clock;
  log: Log;
  /** Made once with `webhookPublicKey`. */
  publicKey: KeyObject;
  /** The key the inbound function signed each fax's client_state with. */
  clientStateSecret: ClientStateSecret;
}

type InvalidSignature = Extract<SignatureVerdict, { valid: false }>['reason'];

export type WebhookOutcome =
  | { kind: 'rejected'; status: 405; reason: 'method_not_allowed' }
  | { kind: 'rejected'; status: 413; reason: 'body_too_large' }
  | { kind: 'rejected'; status: 401; reason: InvalidSignature }
  | { kind: 'rejected'; status: 400; reason: 'not_an_event' }
  | { kind: 'ignored'; reason: 'event_type' | 'inbound_fax' | 'unknown_fax' }
  /** Signed by Telnyx, but not about the fax this bridge sent for the job it names. */
  | { kind: 'ignored'; reason: Mismatch }
  | { kind: 'duplicate' }
  | { kind: 'recorded'; status: FaxEvent['status']; changed: boolean }
  /** `failureReason`: Telnyx's code for a failed fax, for the operator's failures-by-reason graph. */
  | { kind: 'result_sent'; status: 'delivered' | 'failed'; failureReason?: string }
  /** The email went out already. */
  | { kind: 'result_already_sent' }
  /** Another delivery is sending the email now: answered 503 so that, should it fail, Telnyx's next delivery sends it. */
  | { kind: 'result_in_progress' }
  /** SES did not take the email: answered 5xx so that Telnyx delivers the event again. */
  | { kind: 'result_failed' }
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
// Long enough to cover one SES call; short enough that a crashed sender's claim soon lapses.
export const RESULT_NOTICE_LEASE_SECONDS = 60;
// SES takes raw messages up to 10 MB, and base64 adds a third.
export const MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024;

/** Verifies one Telnyx webhook delivery, records it and sends the result email once per fax. */
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
  if (event.direction === 'inbound') {
    log.info('inbound fax event ignored');
    return { kind: 'ignored', reason: 'inbound_fax' };
  }
  const bound = await boundJob(event, deps);
  if (bound.kind === 'ignored') return bound;
  const { key } = bound;
  const advanced = await ledger.advance(key, statusChange(event, deps.clock()));
  if (isTerminal(event.status)) {
    // Keyed on where the job stands, not on this change: a retry after an SES failure finds the
    // job terminal already and must still send the email.
    const current = advanced ?? (await ledger.getJob(key));
    if (current && isTerminal(current.status)) return sendResult(current, event, deps);
  }
  await markProcessed(event, deps);
  log.info('webhook recorded', { status: event.status, changed: advanced !== undefined });
  return { kind: 'recorded', status: event.status, changed: advanced !== undefined };
}

/**
 * The job the event is about, when it is: its client_state signed by this bridge, and the fax and
 * number those of the job. Any Telnyx customer can have Telnyx sign an event with the client_state,
 * fax id and number of its choice, and a job without a fax id would adopt the first one it sees.
 */
async function boundJob(
  event: FaxEvent,
  deps: WebhookDeps,
): Promise<{ kind: 'bound'; key: JobKey } | Ignored> {
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
  if (job.faxId && job.faxId !== event.faxId) {
    return mismatch('other_fax', deps, { jobFaxId: job.faxId });
  }
  if (event.to !== job.recipient) return mismatch('other_number', deps);
  return { kind: 'bound', key: state.key };
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

function statusChange(event: FaxEvent, now: Date): StatusChange {
  const change: StatusChange = {
    status: event.status,
    at: event.occurredAt ?? now.toISOString(),
    faxId: event.faxId,
  };
  if (event.pageCount !== undefined) change.pageCount = event.pageCount;
  if (event.callDurationSecs !== undefined) change.callDurationSecs = event.callDurationSecs;
  if (event.failureReason !== undefined) change.failureReason = event.failureReason;
  return change;
}

async function sendResult(
  job: FaxJob,
  event: FaxEvent,
  deps: WebhookDeps,
): Promise<WebhookOutcome> {
  const { log, settings } = deps;
  // Ledgers in service hold result notices under `result#job#…`; a new id would send them again.
  const noticeId = `result#job#${jobName(job)}`;
  const now = deps.clock();
  const claim = { leaseSeconds: RESULT_NOTICE_LEASE_SECONDS, expiresAt: expiresAt(now, deps) };
  const compose = async () =>
    resultEmail({
      job,
      from: settings.noticeFrom,
      timeZone: settings.noticeTimeZone,
      adminContact: settings.adminContact,
      document: await failedDocument(job, deps),
      report: await deliveredReport(job, deps),
    });
  try {
    const sent = await sendNoticeOnce(noticeId, compose, deps, claim);
    if (sent === 'held') {
      log.info('result email being sent by another delivery', { noticeId });
      return { kind: 'result_in_progress' };
    }
    if (sent === 'already_sent') {
      await markProcessed(event, deps);
      return { kind: 'result_already_sent' };
    }
  } catch (error) {
    log.error('result email not sent; Telnyx will deliver the event again', {
      noticeId,
      error: describe(error),
    });
    return { kind: 'result_failed' };
  }
  await markProcessed(event, deps);
  const status = job.status as 'delivered' | 'failed';
  log.info('result email sent', { noticeId, status });
  return status === 'failed'
    ? { kind: 'result_sent', status, failureReason: job.failureReason ?? 'unknown' }
    : { kind: 'result_sent', status };
}

async function failedDocument(job: FaxJob, deps: WebhookDeps): Promise<FailedDocument | undefined> {
  if (job.status !== 'failed' || !deps.settings.attachFailedDocument) return undefined;
  // Without s3:ListBucket a missing object reads as AccessDenied: either way the email goes out.
  const pdf = await deps.media.getDocument(job.mediaKey).catch((error: unknown) => {
    deps.log.warn('failed fax document unreadable', { error: describe(error) });
    return undefined;
  });
  if (!pdf) return { kind: 'gone' };
  return pdf.length > MAX_ATTACHMENT_BYTES ? { kind: 'too_large' } : { kind: 'attached', pdf };
}

/** The report for a delivered fax; without page 1 when the document cannot be read or placed. */
async function deliveredReport(job: FaxJob, deps: WebhookDeps): Promise<Uint8Array | undefined> {
  const setting = deps.settings.transmissionReport;
  if (job.status !== 'delivered' || setting === 'off') return undefined;
  const timeZone = deps.settings.noticeTimeZone;
  if (setting === 'on') {
    const pdf = await deps.media.getDocument(job.mediaKey).catch(() => undefined);
    if (pdf) {
      try {
        return await transmissionReport(job, timeZone, pdf);
      } catch (error) {
        deps.log.warn('page 1 not placed in the transmission report', { error: describe(error) });
      }
    } else {
      deps.log.warn('fax document unreadable: transmission report without page 1');
    }
  }
  return transmissionReport(job, timeZone);
}

const expiresAt = (now: Date, deps: WebhookDeps) =>
  Math.floor(now.getTime() / 1000) + deps.settings.retentionDays * 86_400;

async function markProcessed(event: FaxEvent, deps: WebhookDeps): Promise<void> {
  const now = deps.clock();
  await deps.ledger.markEventProcessed(event.id, now.toISOString(), expiresAt(now, deps));
}

const withContext = (log: Log, context: Record<string, unknown>): Log => ({
  info: (message, extra) => log.info(message, { ...context, ...extra }),
  warn: (message, extra) => log.warn(message, { ...context, ...extra }),
  error: (message, extra) => log.error(message, { ...context, ...extra }),
});

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
