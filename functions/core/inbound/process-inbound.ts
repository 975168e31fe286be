import { createHash } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeClientState } from '../shared/fax-job';
import { threadId } from '../shared/notice-email';
import { sendNoticeOnce } from '../shared/notice-once';
import type {
  Clock,
  FaxApi,
  FaxJob,
  FaxSendResult,
  Ledger,
  Log,
  Mailer,
  MailStore,
  MediaStore,
  NewFaxJob,
  OutgoingEmail,
} from '../shared/ports';
import { MAX_DOCUMENT_BYTES } from '../shared/telnyx-limits';
import { buildFaxDocument, type FaxDocument } from './document/build-document';
import {
  type NoticeContext,
  type RecipientResult,
  recipientsNotice,
  refusalNotice,
} from './inbound-notice';
import { ownText } from './mail/body-text';
import { type ParsedEmail, parseEmail } from './mail/parse-email';
import { readSubjectTags } from './mail/subject-tags';
import { formatForPeople, formatNational } from './recipients/number-format';
import { type FaxNumber, parseRecipients } from './recipients/recipients';
import type { Refusal } from './refusals';
import { dkimDomains, judgeSender, type SesVerdicts } from './sender-policy';

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

/**
 * How long a notice claim blocks a concurrent delivery: long enough for one SES call, shorter than
 * the minute Lambda waits before retrying, so the retry of a run that died between claiming and
 * sending takes the claim over and the sender still hears.
 */
const NOTICE_LEASE_SECONDS = 45;

export async function processInbound(
  received: ReceivedMail,
  settings: InboundSettings,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const raw = await deps.mail.openRawMail(received.messageId);
  if (!raw) throw new Error(`raw/${received.messageId} is not in the bucket`);

  let email: ParsedEmail;
  try {
    email = await parseEmail(raw);
  } catch (error) {
    // The bucket failing mid-read is no fault of the message: fail, and Lambda tries again.
    if (raw.errored) throw error;
    return refuseUnparseable(received, settings, deps, error);
  }

  const verdict = judgeSender(
    {
      from: email.from,
      envelopeFrom: received.source,
      dkimDomains: dkimDomains(received.headers),
      verdicts: received.verdicts,
    },
    settings,
  );
  if (verdict.kind === 'dropped') return verdict;

  const context: NoticeContext = {
    noticeFrom: settings.noticeFrom,
    sender: verdict.sender,
    subject: email.subject,
    emailMessageId: email.messageId,
  };
  const refuse = async (refusal: Refusal): Promise<InboundOutcome> => ({
    kind: 'refused',
    refusal,
    noticeSent: await noticeOnce(received.messageId, refusalNotice(context, refusal), deps),
  });

  if (verdict.kind === 'refused') {
    return refuse({ code: 'sender_not_allowed', sender: verdict.sender });
  }

  const recipients = parseRecipients(received.recipients, settings);
  if (recipients.kind === 'too_many') {
    return refuse({
      code: 'too_many_recipients',
      count: recipients.count,
      limit: recipients.limit,
    });
  }
  const problems: RecipientResult[] = recipients.problems.map((problem) => ({
    kind: 'problem',
    problem,
  }));
  if (recipients.numbers.length === 0) {
    if (problems.length === 0) return { kind: 'dropped', reason: 'no recipient on a fax domain' };
    return faxedOutcome(0, problems, [], received.messageId, context, deps);
  }

  const tags = readSubjectTags(email.subject);
  const bodyText = ownText(email.text);
  const document = await buildFaxDocument(email, {
    pageSize: settings.pageSize,
    maxPages: settings.maxPages,
    maxBytes: MAX_DOCUMENT_BYTES,
    cover:
      tags.cover && bodyText
        ? {
            subject: tags.subject,
            sender: verdict.sender,
            text: bodyText,
            timeZone: settings.noticeTimeZone,
          }
        : false,
  });
  if (document.kind === 'refused') return refuse(document.refusal);
  deps.log.info('document built', {
    pages: document.pages,
    files: document.files,
    passthrough: document.passthrough,
  });

  const results = await sendFaxes(received, settings, deps, {
    emailKey: emailKey(received.messageId, verdict.sender, email.messageId),
    email,
    sender: verdict.sender,
    numbers: recipients.numbers,
    document,
    quality: tags.quality,
  });
  const skipped = document.skipped.map((s) => s.filename);
  return faxedOutcome(
    document.pages,
    [...results, ...problems],
    skipped,
    received.messageId,
    context,
    deps,
  );
}

/** mailparser's splitter stops at this many MIME nodes (and at 1 MB of headers in one part). */
const MAX_MIME_PARTS = 1000;

/**
 * mailparser gave up on the message (absurdly many parts or huge headers): the sender is judged
 * by what SES read, so that an authenticated sender still hears why nothing was faxed.
 */
async function refuseUnparseable(
  received: ReceivedMail,
  settings: InboundSettings,
  deps: InboundDeps,
  error: unknown,
): Promise<InboundOutcome> {
  const reason = `unparseable message: ${error instanceof Error ? error.message : String(error)}`;
  const common = received.commonHeaders ?? {};
  const fromHeaders =
    common.from ??
    received.headers.filter((h) => h.name.toLowerCase() === 'from').map((h) => h.value);
  const verdict = judgeSender(
    {
      from: addressparser(fromHeaders.join(', '), { flatten: true }),
      envelopeFrom: received.source,
      dkimDomains: dkimDomains(received.headers),
      verdicts: received.verdicts,
    },
    settings,
  );
  if (verdict.kind === 'dropped')
    return { kind: 'dropped', reason: `${reason} (${verdict.reason})` };
  const recipients = parseRecipients(received.recipients, settings);
  if (recipients.kind === 'ok' && recipients.numbers.length + recipients.problems.length === 0) {
    return { kind: 'dropped', reason: `${reason} (no recipient on a fax domain)` };
  }
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const refusal: Refusal =
    verdict.kind === 'refused'
      ? { code: 'sender_not_allowed', sender: verdict.sender }
      : code === 'EMAXLEN' && /child nodes/i.test(String(message))
        ? { code: 'too_many_attachments', limit: MAX_MIME_PARTS }
        : { code: 'email_too_complex' };
  deps.log.warn('message could not be parsed', { error: reason, refusal: refusal.code });
  const context: NoticeContext = {
    noticeFrom: settings.noticeFrom,
    sender: verdict.sender,
    subject: common.subject ?? '',
    emailMessageId: common.messageId,
  };
  const notice = refusalNotice(context, refusal);
  return {
    kind: 'refused',
    refusal,
    noticeSent: await noticeOnce(received.messageId, notice, deps),
  };
}

async function faxedOutcome(
  pages: number,
  results: RecipientResult[],
  skippedFiles: string[],
  messageId: string,
  context: NoticeContext,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const notice = recipientsNotice(context, results, skippedFiles);
  const noticeSent = notice ? await noticeOnce(messageId, notice, deps) : false;
  return { kind: 'faxed', pages, results, noticeSent };
}

/**
 * The ledger's name for an email. A sending server that never saw SES's answer sends the message
 * again under a new SES id, but with the same sender and Message-ID: it must not be faxed twice.
 */
function emailKey(sesMessageId: string, sender: string, messageIdHeader?: string): string {
  const id = threadId(messageIdHeader);
  if (!id) return sesMessageId;
  return `mid-${createHash('sha256').update(`${sender} ${id}`).digest('base64url').slice(0, 32)}`;
}

interface FaxPlan {
  /** Names the email's jobs in the ledger (see emailKey). */
  emailKey: string;
  email: ParsedEmail;
  sender: string;
  numbers: FaxNumber[];
  document: FaxDocument;
  quality: ReturnType<typeof readSubjectTags>['quality'];
}

async function sendFaxes(
  received: ReceivedMail,
  settings: InboundSettings,
  deps: InboundDeps,
  plan: FaxPlan,
): Promise<RecipientResult[]> {
  const mediaKey = received.messageId;
  // A redelivered event whose faxes were all claimed needs no new document.
  const existing = await Promise.all(
    plan.numbers.map((n) => deps.ledger.getJob({ messageId: plan.emailKey, recipient: n.e164 })),
  );
  let mediaUrl: string | undefined;
  const results: RecipientResult[] = [];
  for (const [i, number] of plan.numbers.entries()) {
    const prior = existing[i];
    if (prior) {
      results.push(resultOfExisting(prior));
      continue;
    }
    if (!mediaUrl) {
      await deps.media.putDocument(mediaKey, plan.document.pdf);
      mediaUrl = await deps.media.documentUrl(mediaKey, settings.mediaUrlTtlSeconds);
    }
    results.push(await sendOne(received, settings, deps, plan, number, mediaKey, mediaUrl));
  }
  return results;
}

async function sendOne(
  received: ReceivedMail,
  settings: InboundSettings,
  deps: InboundDeps,
  plan: FaxPlan,
  number: FaxNumber,
  mediaKey: string,
  mediaUrl: string,
): Promise<RecipientResult> {
  const now = deps.clock();
  const key = { messageId: plan.emailKey, recipient: number.e164 };
  const job: NewFaxJob = {
    ...key,
    typed: number.typed,
    recipientDisplay: {
      international: formatForPeople(number.e164),
      national: formatNational(number.e164),
    },
    sender: plan.sender,
    subject: plan.email.subject,
    emailMessageId: plan.email.messageId,
    mediaKey,
    documentPages: plan.document.pages,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + settings.retentionDays * 86_400,
  };
  const claim = await deps.ledger.claimFax(job);
  if (!claim.claimed) return resultOfExisting(claim.existing);

  const sent = await deps.fax.sendFax({
    connectionId: settings.telnyx.connectionId,
    from: settings.telnyx.fromNumber,
    to: number.e164,
    mediaUrl,
    quality: plan.quality,
    webhookUrl: settings.webhookUrl,
    clientState: encodeClientState(key),
  });
  deps.log.info('fax request answered', {
    messageId: received.messageId,
    recipient: number.e164,
    result: sent.kind,
    faxId: sent.kind === 'accepted' ? sent.faxId : undefined,
  });
  await deps.ledger.advance(key, statusChangeFor(sent, deps.clock().toISOString()));
  return resultOfSend(number.e164, sent);
}

function statusChangeFor(sent: FaxSendResult, at: string) {
  switch (sent.kind) {
    case 'accepted':
      return { status: 'queued' as const, at, faxId: sent.faxId };
    case 'refused':
      return { status: 'not_sent' as const, at, note: `refused by Telnyx: ${sent.detail}` };
    case 'not_sent':
      return { status: 'not_sent' as const, at, note: sent.reason };
    case 'unknown':
      return { status: 'unknown' as const, at, note: sent.reason };
  }
}

function resultOfSend(e164: string, sent: FaxSendResult): RecipientResult {
  switch (sent.kind) {
    case 'accepted':
      return { kind: 'queued', e164, faxId: sent.faxId };
    case 'refused':
      return { kind: 'refused_by_telnyx', e164, detail: sent.detail };
    case 'not_sent':
      return { kind: 'not_sent', e164, reason: sent.reason };
    case 'unknown':
      return { kind: 'unknown', e164, reason: sent.reason };
  }
}

/** A job from an earlier delivery of the same event: report it, never resend it. */
function resultOfExisting(job: FaxJob): RecipientResult {
  const e164 = job.recipient;
  if (job.faxId) return { kind: 'queued', e164, faxId: job.faxId };
  switch (job.status) {
    case 'not_sent':
      return { kind: 'not_sent', e164, reason: job.note ?? 'not sent' };
    case 'claimed':
      return {
        kind: 'unknown',
        e164,
        reason: 'an earlier attempt was interrupted before the fax service answered',
      };
    default:
      return { kind: 'unknown', e164, reason: job.note ?? 'no answer from the fax service' };
  }
}

/** True when this run sent the notice (false: sent before, or another run is sending it). */
const noticeOnce = async (
  messageId: string,
  notice: OutgoingEmail,
  deps: InboundDeps,
): Promise<boolean> => {
  const now = deps.clock();
  const claim = {
    leaseSeconds: NOTICE_LEASE_SECONDS,
    expiresAt: Math.floor(now.getTime() / 1000) + 30 * 86_400,
  };
  const sent = await sendNoticeOnce(`mail#${messageId}`, () => notice, deps, claim);
  return sent === 'sent';
};
