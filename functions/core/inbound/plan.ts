// What becomes of an email, decided from the message and what SES said of it: dropped in silence,
// refused with a notice, only reported (no number it may fax), or faxed.
import addressparser from 'nodemailer/lib/addressparser';
import type { FaxQuality } from '../shared/ports';
import { MAX_DOCUMENT_BYTES } from '../shared/telnyx-limits';
import type { DocumentOptions } from './document/build-document';
import { emailIdentity } from './email-identity';
import type { NoticeContext, RecipientResult } from './inbound-notice';
import { ownText } from './mail/body-text';
import type { ParsedEmail } from './mail/parse-email';
import { readSubjectTags } from './mail/subject-tags';
import type { InboundSettings, ReceivedMail } from './process-inbound';
import { type FaxNumber, parseRecipients } from './recipients/recipients';
import type { Refusal } from './refusals';
import { dkimDomains, judgeSender, type SenderEvidence } from './sender-policy';

/** What every path that answers the sender needs to know of the email. */
export interface EmailFacts {
  /** Names the email's jobs, its notice and its document (see email-identity.ts). */
  identity: string;
  /** This delivery's SES id, for the logs. */
  sesMessageId: string;
  context: NoticeContext;
}

export interface FaxPlan {
  kind: 'fax';
  email: EmailFacts;
  parsed: ParsedEmail;
  numbers: FaxNumber[];
  /** Addresses on a fax domain that cannot be faxed, reported after the faxes. */
  problems: RecipientResult[];
  document: DocumentOptions;
  quality: FaxQuality;
}

export type InboundPlan =
  | { kind: 'dropped'; reason: string }
  | { kind: 'refused'; email: EmailFacts; refusal: Refusal; parseError?: string }
  | { kind: 'nothing_to_fax'; email: EmailFacts; problems: RecipientResult[] }
  | FaxPlan;

export function planEmail(
  received: ReceivedMail,
  email: ParsedEmail,
  settings: InboundSettings,
): InboundPlan {
  const verdict = judge(received, email.from, settings);
  if (verdict.kind === 'dropped') return verdict;
  const { sender } = verdict;
  const facts = emailFacts(received, settings, sender, email.subject, email.messageId);
  if (verdict.kind === 'refused') return refused(facts, { code: 'sender_not_allowed', sender });
  const recipients = parseRecipients(received.recipients, settings);
  if (recipients.kind === 'too_many') {
    const { count, limit } = recipients;
    return refused(facts, { code: 'too_many_recipients', count, limit });
  }
  const problems = recipients.problems.map((problem) => ({ kind: 'problem' as const, problem }));
  if (recipients.numbers.length > 0) {
    return faxPlan(facts, email, recipients.numbers, problems, settings);
  }
  if (problems.length > 0) return { kind: 'nothing_to_fax', email: facts, problems };
  return { kind: 'dropped', reason: 'no recipient on a fax domain' };
}

function faxPlan(
  email: EmailFacts,
  parsed: ParsedEmail,
  numbers: FaxNumber[],
  problems: RecipientResult[],
  settings: InboundSettings,
): FaxPlan {
  const tags = readSubjectTags(parsed.subject);
  const text = ownText(parsed.text);
  const cover = tags.cover && text && { subject: tags.subject, sender: email.context.sender, text };
  return {
    kind: 'fax',
    email,
    parsed,
    numbers,
    problems,
    document: {
      pageSize: settings.pageSize,
      maxPages: settings.maxPages,
      maxBytes: MAX_DOCUMENT_BYTES,
      cover: cover ? { ...cover, timeZone: settings.noticeTimeZone } : false,
    },
    quality: tags.quality,
  };
}

const refused = (email: EmailFacts, refusal: Refusal): InboundPlan => ({
  kind: 'refused',
  email,
  refusal,
});

const judge = (received: ReceivedMail, from: SenderEvidence['from'], settings: InboundSettings) =>
  judgeSender(
    {
      from,
      envelopeFrom: received.source,
      dkimDomains: dkimDomains(received.headers),
      verdicts: received.verdicts,
    },
    settings,
  );

/**
 * mailparser gave up on the message (absurdly many parts or huge headers): the sender is judged
 * by what SES read, so that an authenticated sender still hears why nothing was faxed.
 */
export function planUnparseable(
  received: ReceivedMail,
  error: unknown,
  settings: InboundSettings,
): InboundPlan {
  const reason = `unparseable message: ${error instanceof Error ? error.message : String(error)}`;
  const common = received.commonHeaders ?? {};
  const fromHeaders =
    common.from ??
    received.headers.filter((h) => h.name.toLowerCase() === 'from').map((h) => h.value);
  const from = addressparser(fromHeaders.join(', '), { flatten: true });
  const verdict = judge(received, from, settings);
  if (verdict.kind === 'dropped')
    return { kind: 'dropped', reason: `${reason} (${verdict.reason})` };
  const recipients = parseRecipients(received.recipients, settings);
  if (recipients.kind === 'ok' && recipients.numbers.length + recipients.problems.length === 0) {
    return { kind: 'dropped', reason: `${reason} (no recipient on a fax domain)` };
  }
  const { sender } = verdict;
  const email = emailFacts(received, settings, sender, common.subject ?? '', common.messageId);
  const refusal: Refusal =
    verdict.kind === 'refused' ? { code: 'sender_not_allowed', sender } : parseRefusal(error);
  return { kind: 'refused', email, refusal, parseError: reason };
}

/** mailparser's splitter stops at this many MIME nodes (and at 1 MB of headers in one part). */
const MAX_MIME_PARTS = 1000;

function parseRefusal(error: unknown): Refusal {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'EMAXLEN' && /child nodes/i.test(String(message))
    ? { code: 'too_many_attachments', limit: MAX_MIME_PARTS }
    : { code: 'email_too_complex' };
}

function emailFacts(
  received: ReceivedMail,
  settings: InboundSettings,
  sender: string,
  subject: string,
  messageIdHeader: string | undefined,
): EmailFacts {
  return {
    identity: emailIdentity(received.messageId, sender, messageIdHeader),
    sesMessageId: received.messageId,
    context: { noticeFrom: settings.noticeFrom, sender, subject, emailMessageId: messageIdHeader },
  };
}

/**
 * How long a notice claim blocks a concurrent delivery: long enough for one SES call, shorter than
 * the minute Lambda waits before retrying, so the retry of a run that died between claiming and
 * sending takes the claim over and the sender still hears.
 */
const NOTICE_LEASE_SECONDS = 45;
const NOTICE_RETENTION_SECONDS = 30 * 86_400;

export function noticeClaim(now: Date): { leaseSeconds: number; expiresAt: number } {
  return {
    leaseSeconds: NOTICE_LEASE_SECONDS,
    expiresAt: Math.floor(now.getTime() / 1000) + NOTICE_RETENTION_SECONDS,
  };
}
