import { sendNoticeOnce } from '../shared/notice-once';
import type {
  Clock,
  FaxApi,
  Ledger,
  Log,
  Mailer,
  MailStore,
  MediaStore,
  OutgoingEmail,
} from '../shared/ports';
import { buildFaxDocument, type FaxDocument } from './document/build-document';
import { noticeId } from './email-identity';
import { faxJob, faxRequest, jobKey } from './fax-plan';
import { type RecipientResult, recipientsNotice, refusalNotice } from './inbound-notice';
import { type ParsedEmail, parseEmail } from './mail/parse-email';
import {
  type EmailFacts,
  type FaxPlan,
  type InboundPlan,
  noticeClaim,
  planEmail,
  planUnparseable,
} from './plan';
import type { FaxNumber } from './recipients/recipients';
import type { Refusal } from './refusals';
import { resultOfExisting, resultOfSend, statusChangeFor } from './send-outcome';
import type { SesVerdicts } from './sender-policy';

/** What SES tells us about a received message (the Lambda action event, minus the body). */
export interface ReceivedMail {
  messageId: string;
  /** Envelope sender (MAIL FROM). */
  source: string;
  /** Envelope recipients (RCPT TO), so Bcc works. */
  recipients: string[];
  headers: { name: string; value: string }[];
  verdicts: SesVerdicts;
  /** What SES itself read from the headers (`mail.commonHeaders`), for a body we cannot parse. */
  commonHeaders?: { from?: string[]; subject?: string; messageId?: string };
}

export interface InboundDeps {
  mail: MailStore;
  media: MediaStore;
  ledger: Ledger;
  fax: FaxApi;
  mailer: Mailer;
  clock: Clock;
  log: Log;
}

/** What the inbound flow is told; the wiring gives it no more than this. */
export interface InboundSettings {
  faxDomains: string[];
  allowedSenders: string[];
  requireSenderAuth: boolean;
  defaultCountry: string;
  allowedCountries: string[];
  telnyx: { connectionId: string; fromNumber: string };
  webhookUrl: string;
  noticeFrom: string;
  noticeTimeZone: string;
  mediaUrlTtlSeconds: number;
  maxRecipients: number;
  maxPages: number;
  pageSize: 'letter' | 'a4';
  retentionDays: number;
}

export type InboundOutcome =
  | { kind: 'dropped'; reason: string }
  | { kind: 'refused'; refusal: Refusal; noticeSent: boolean }
  | { kind: 'faxed'; pages: number; results: RecipientResult[]; noticeSent: boolean };

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
      const { pages, files, passthrough, skipped } = document;
      deps.log.info('document built', { pages, files, passthrough });
      const results = await sendFaxes(plan, document, settings, deps);
      const skippedFiles = skipped.map((s) => s.filename);
      return report(plan.email, pages, [...results, ...plan.problems], skippedFiles, deps);
    }
  }
}

async function readAndPlan(
  received: ReceivedMail,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<InboundPlan> {
  const raw = await deps.mail.openRawMail(received.messageId);
  if (!raw) throw new Error(`raw/${received.messageId} is not in the bucket`);
  let email: ParsedEmail;
  try {
    email = await parseEmail(raw);
  } catch (error) {
    // The bucket failing mid-read is no fault of the message: fail, and Lambda tries again.
    if (raw.errored) throw error;
    const plan = planUnparseable(received, error, settings);
    if (plan.kind === 'refused') {
      deps.log.warn('message could not be parsed', {
        error: plan.parseError,
        refusal: plan.refusal.code,
      });
    }
    return plan;
  }
  return planEmail(received, email, settings);
}

async function sendFaxes(
  plan: FaxPlan,
  document: FaxDocument,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<RecipientResult[]> {
  // A redelivered email whose faxes were all claimed needs no new document.
  const existing = await Promise.all(
    plan.numbers.map((number) => deps.ledger.getJob(jobKey(plan.email, number))),
  );
  let url: string | undefined;
  const results: RecipientResult[] = [];
  for (const [i, number] of plan.numbers.entries()) {
    const prior = existing[i];
    if (prior) {
      results.push(resultOfExisting(prior));
      continue;
    }
    url ??= await storeDocument(plan.email.identity, document.pdf, settings, deps);
    results.push(await sendFax(plan, number, { pages: document.pages, url }, settings, deps));
  }
  return results;
}

async function storeDocument(
  key: string,
  pdf: Uint8Array,
  settings: InboundSettings,
  deps: InboundDeps,
) {
  await deps.media.putDocument(key, pdf);
  return deps.media.documentUrl(key, settings.mediaUrlTtlSeconds);
}

/** Claims the job, asks Telnyx, and records its answer: never twice for one number. */
async function sendFax(
  plan: FaxPlan,
  number: FaxNumber,
  document: { pages: number; url: string },
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<RecipientResult> {
  const job = faxJob(plan.email, number, document.pages, deps.clock(), settings.retentionDays);
  const claim = await deps.ledger.claimFax(job);
  if (!claim.claimed) return resultOfExisting(claim.existing);
  const key = jobKey(plan.email, number);
  const sent = await deps.fax.sendFax(faxRequest(key, document.url, plan.quality, settings));
  deps.log.info('fax request answered', {
    messageId: plan.email.sesMessageId,
    recipient: number.e164,
    result: sent.kind,
    code: sent.kind === 'accepted' ? undefined : sent.code,
    faxId: sent.kind === 'accepted' ? sent.faxId : undefined,
  });
  await deps.ledger.advance(key, statusChangeFor(sent, deps.clock().toISOString()));
  return resultOfSend(number.e164, sent);
}

async function refuse(
  email: EmailFacts,
  refusal: Refusal,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const noticeSent = await noticeOnce(email, refusalNotice(email.context, refusal), deps);
  return { kind: 'refused', refusal, noticeSent };
}

async function report(
  email: EmailFacts,
  pages: number,
  results: RecipientResult[],
  skippedFiles: string[],
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const notice = recipientsNotice(email.context, results, skippedFiles);
  const noticeSent = notice ? await noticeOnce(email, notice, deps) : false;
  return { kind: 'faxed', pages, results, noticeSent };
}

/** True when this run sent the notice (false: sent before, or another run is sending it). */
async function noticeOnce(email: EmailFacts, notice: OutgoingEmail, deps: InboundDeps) {
  const claim = noticeClaim(deps.clock());
  return (await sendNoticeOnce(noticeId(email.identity), () => notice, deps, claim)) === 'sent';
}
