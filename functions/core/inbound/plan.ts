// What becomes of an admitted email (see admission.ts) once its body is read: faxed with the
// document options and quality its subject and text ask for, or refused when it cannot be read.
import type { FaxQuality } from '../shared/ports';
import { MAX_DOCUMENT_BYTES } from '../shared/telnyx-limits';
import type { Admission, Admitted } from './admission';
import { coverSheet } from './cover-sheet';
import type { DocumentOptions } from './document/build-document';
import type { NoticeContext, RecipientResult } from './inbound-notice';
import { ownText } from './mail/body-text';
import type { ParsedEmail } from './mail/parse-email';
import { readSubjectTags } from './mail/subject-tags';
import type { InboundSettings } from './process-inbound';
import type { FaxNumber } from './recipients/recipients';
import type { Refusal } from './refusals';

/** What every path that answers the sender needs to know of the email. */
export interface EmailFacts {
  /** Names the email's jobs, its notice and its document (see email-identity.ts). */
  identity: string;
  /** This delivery's SES id, for the logs. */
  sesMessageId: string;
  /** The subject is the one the sender vouches for (see admission.ts), '' when none. */
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
  retry: boolean;
}

export type InboundPlan =
  | Extract<Admission, { kind: 'dropped' | 'refused' | 'nothing_to_fax' }>
  | FaxPlan;

/** The subject read for tags and the cover page is the vouched-for one, never the parser's. */
export function planFax(
  admitted: Admitted,
  parsed: ParsedEmail,
  settings: InboundSettings,
): FaxPlan {
  const { email, numbers, problems } = admitted;
  const tags = readSubjectTags(email.context.subject);
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
      cover: cover ? coverSheet(cover, parsed, numbers, settings) : false,
    },
    quality: tags.quality,
    retry: tags.retry,
  };
}

/** mailparser's splitter stops at this many MIME nodes (and at 1 MB of headers in one part). */
const MAX_MIME_PARTS = 1000;

/** mailparser gave up on an admitted email's body: the sender hears why nothing was faxed. */
export function unparseableRefusal(error: unknown): Refusal {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'EMAXLEN' && /child nodes/i.test(String(message))
    ? { code: 'too_many_attachments', limit: MAX_MIME_PARTS }
    : { code: 'email_too_complex' };
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
