import { sendNoticeOnce } from '../shared/notice-once';
import type {
  Clock,
  DispatchQueue,
  DnsResolver,
  FaxJob,
  Ledger,
  Log,
  Mailer,
  MailStore,
  MediaStore,
  OutgoingEmail,
} from '../shared/ports';
import {
  type Admission,
  type Admitted,
  admitEmail,
  admitUnreadHeaders,
  type DropReason,
  recipientsExpiry,
  replayRefusal,
} from './admission';
import { reserveDailyCaps } from './daily-cap-reservation';
import { buildFaxDocument, type FaxDocument } from './document/build-document';
import { noticeId } from './email-identity';
import { faxJob, jobFacts, jobKey } from './fax-plan';
import { type RecipientResult, recipientsNotice, refusalNotice } from './inbound-notice';
import { verifyDkim } from './mail/dkim';
import { readHeaderBlock } from './mail/header-block';
import type { OnceOnlyField } from './mail/message-shape';
import { parseEmail } from './mail/parse-email';
import {
  type EmailFacts,
  type FaxPlan,
  type InboundPlan,
  noticeClaim,
  planFax,
  unparseableRefusal,
} from './plan';
import type { FaxNumber } from './recipients/recipients';
import type { Refusal } from './refusals';
import type { SesVerdicts } from './sender-policy';

/** What SES tells us about a received message (the Lambda action event, minus the body). */
export interface ReceivedMail {
  messageId: string;
  /** Envelope sender (MAIL FROM). */
  source: string;
  /** Envelope recipients (RCPT TO), believed when SPF vouches (see sender-policy.ts). */
  recipients: string[];
  verdicts: SesVerdicts;
  /** What SES itself read from the headers (`mail.commonHeaders`), for a header block we cannot read. */
  commonHeaders?: { from?: string[]; subject?: string; messageId?: string };
}

export interface InboundDeps {
  mail: MailStore;
  media: MediaStore;
  ledger: Ledger;
  /** Where each claimed fax waits for the dispatch. */
  queue: DispatchQueue;
  mailer: Mailer;
  clock: Clock;
  log: Log;
  /** Answers the DKIM key lookups. */
  resolver: DnsResolver;
}

/** What the inbound flow is told; the wiring gives it no more than this. */
export interface InboundSettings {
  faxDomains: string[];
  allowedSenders: string[];
  requireSenderAuth: boolean;
  defaultCountry: string;
  allowedCountries: string[];
  /** FAX_FROM_NUMBER, shown on the cover sheet and in the result email. */
  telnyx: { fromNumber: string };
  /** The notices' From: an address, with a display name or without. */
  noticeFrom: string;
  noticeTimeZone: string;
  /** Who to ask, in the notices' footer. */
  adminContact?: string;
  /** What the cover sheet says of the bridge's side: COVER_ORGANISATION, COVER_PHONE, COVER_NOTICE. */
  cover?: { organisation?: string; phone?: string; notice?: string };
  maxRecipients: number;
  maxPages: number;
  pageSize: 'letter' | 'a4';
  retentionDays: number;
  /** Older emails are refused (see mail/message-date.ts). */
  maxEmailAgeHours: number;
  /** Per sender and for the whole bridge, per day in `noticeTimeZone` (see daily-caps.ts). */
  dailyCaps: { senderFaxes: number; senderPages: number; bridgePages: number };
}

export type InboundOutcome =
  | { kind: 'dropped'; reason: DropReason; field?: OnceOnlyField }
  | { kind: 'refused'; refusal: Refusal; noticeSent: boolean; bridgePagesToday?: number }
  | {
      kind: 'faxed';
      pages: number;
      results: RecipientResult[];
      noticeSent: boolean;
      /** The bridge's pages counted today, for the operator's alarm on the daily cap. */
      bridgePagesToday?: number;
    };

export async function processInbound(
  received: ReceivedMail,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const plan = await readAndPlan(received, settings, deps);
  switch (plan.kind) {
    case 'dropped':
      return plan;
    case 'refused':
      return refuse(plan.email, plan.refusal, deps);
    case 'nothing_to_fax':
      return report(plan.email, 0, plan.problems, [], deps);
    case 'fax': {
      const document = await buildFaxDocument(plan.parsed, plan.document);
      if (document.kind === 'refused') return refuse(plan.email, document.refusal, deps);
      const { pages, files, passthrough, skipped, unprintable } = document;
      deps.log.info('document built', { pages, files: files.length, passthrough });
      // A redelivered email's numbers claimed before are neither counted nor faxed again.
      const prior = await Promise.all(
        plan.numbers.map((number) => deps.ledger.getJob(jobKey(plan.email, number))),
      );
      const caps = await reserveDailyCaps(plan, prior, pages, settings, deps);
      const { bridgePagesToday } = caps;
      if (caps.kind === 'over') {
        return { ...(await refuse(plan.email, caps.refusal, deps)), bridgePagesToday };
      }
      const results = await sendFaxes(plan, prior, document, settings, deps);
      const skippedFiles = skipped.map((s) => s.filename);
      const all = [...results, ...plan.problems];
      const outcome = await report(plan.email, pages, all, skippedFiles, deps, unprintable);
      return { ...outcome, bridgePagesToday };
    }
  }
}

async function readAndPlan(
  received: ReceivedMail,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<InboundPlan> {
  const admission = await admit(received, settings, deps);
  switch (admission.kind) {
    case 'needs_dkim':
    case 'retry':
      // The DKIM keys of the From domain could not be looked up: Lambda tries again later.
      throw new Error(`DKIM keys of the sender's domain unavailable for ${received.messageId}`);
    case 'admitted':
      return (
        (await replayOf(admission, settings, deps)) ?? readBody(received, admission, settings, deps)
      );
    default:
      return admission;
  }
}

/** Judged from the header block, and the DKIM signatures only when SPF does not vouch. */
async function admit(
  received: ReceivedMail,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<Admission> {
  const raw = await openRaw(received, deps);
  const block = await readHeaderBlock(raw);
  if (block.kind === 'too_large') return admitUnreadHeaders(received, settings);
  if (block.kind === 'ambiguous') return { kind: 'dropped', reason: 'ambiguous_line_breaks' };
  const input = { received, fields: block.fields, now: deps.clock() };
  const first = await admitEmail(input, settings);
  if (first.kind !== 'needs_dkim') {
    raw.destroy();
    return first;
  }
  const { fromDomain } = first;
  const dkim = await verifyDkim(block.message, {
    fromDomain,
    resolver: deps.resolver,
    now: input.now,
  });
  return admitEmail({ ...input, dkim }, settings);
}

/** The same email delivered again to numbers its first delivery did not name is refused. */
async function replayOf(
  admitted: Admitted,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<InboundPlan | undefined> {
  const { email, numbers } = admitted;
  const expiresAt = recipientsExpiry(deps.clock(), settings);
  const e164s = numbers.map((number) => number.e164);
  const record = await deps.ledger.recordRecipients(email.identity, e164s, expiresAt);
  const refusal = record.first ? undefined : replayRefusal(numbers, record.numbers);
  return refusal && { kind: 'refused', email, refusal };
}

async function readBody(
  received: ReceivedMail,
  admitted: Admitted,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<InboundPlan> {
  const raw = await openRaw(received, deps);
  try {
    return planFax(admitted, await parseEmail(raw), settings);
  } catch (error) {
    // The bucket failing mid-read is no fault of the message: fail, and Lambda tries again.
    if (raw.errored) throw error;
    const refusal = unparseableRefusal(error);
    deps.log.warn('message could not be parsed', {
      error: error instanceof Error ? error.message : String(error),
      refusal: refusal.code,
    });
    return { kind: 'refused', email: admitted.email, refusal };
  }
}

async function openRaw(received: ReceivedMail, deps: InboundDeps) {
  const raw = await deps.mail.openRawMail(received.messageId);
  if (!raw) throw new Error(`raw/${received.messageId} is not in the bucket`);
  return raw;
}

async function sendFaxes(
  plan: FaxPlan,
  existing: (FaxJob | undefined)[],
  document: FaxDocument,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<RecipientResult[]> {
  // A redelivered email whose faxes were all claimed needs no new document.
  let stored = false;
  const results: RecipientResult[] = [];
  for (const [i, number] of plan.numbers.entries()) {
    const prior = existing[i];
    if (!prior && !stored) {
      await deps.media.putDocument(plan.email.identity, document.pdf);
      stored = true;
    }
    const job = prior ?? (await claim(plan, number, document, settings, deps));
    // Queued again while it waits for its first dial: a run that stopped between the claim and
    // the queue left it there. The dispatch dials an attempt once, however often it is queued.
    if (job.status === 'claimed' && (job.attempt ?? 1) === 1 && job.dialledAttempt === undefined) {
      await deps.queue.enqueue({ ...jobKey(plan.email, number), attempt: 1 }, 0);
    }
    results.push({ kind: 'queued', e164: number.e164, faxId: job.faxId });
  }
  deps.log.info('faxes queued', { messageId: plan.email.sesMessageId, faxes: results.length });
  return results;
}

/** Claims the job for one number: the job an earlier delivery claimed stands instead. */
async function claim(
  plan: FaxPlan,
  number: FaxNumber,
  document: FaxDocument,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<FaxJob> {
  const job = {
    ...faxJob(plan.email, number, document.pages, deps.clock(), settings.retentionDays),
    ...jobFacts(number, document, plan.numbers.length, settings),
    quality: plan.quality,
    ...(plan.retry ? {} : { noRetry: true }),
  };
  const claimed = await deps.ledger.claimFax(job);
  if (!claimed.claimed) return claimed.existing;
  return {
    ...job,
    status: 'claimed',
    statusTimes: { claimed: job.createdAt },
    updatedAt: job.createdAt,
  };
}

async function refuse(
  email: EmailFacts,
  refusal: Refusal,
  deps: InboundDeps,
): Promise<Extract<InboundOutcome, { kind: 'refused' }>> {
  const noticeSent = await noticeOnce(email, refusalNotice(email.context, refusal), deps);
  return { kind: 'refused', refusal, noticeSent };
}

async function report(
  email: EmailFacts,
  pages: number,
  results: RecipientResult[],
  skippedFiles: string[],
  deps: InboundDeps,
  unprintable: string[] = [],
): Promise<Extract<InboundOutcome, { kind: 'faxed' }>> {
  const notice = recipientsNotice(email.context, results, skippedFiles, unprintable);
  const noticeSent = notice ? await noticeOnce(email, notice, deps) : false;
  return { kind: 'faxed', pages, results, noticeSent };
}

/** True when this run sent the notice (false: sent before, or another run is sending it). */
async function noticeOnce(email: EmailFacts, notice: OutgoingEmail, deps: InboundDeps) {
  const claim = noticeClaim(deps.clock());
  return (await sendNoticeOnce(noticeId(email.identity), () => notice, deps, claim)) === 'sent';
}
