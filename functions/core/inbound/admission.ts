// Whether an email is read at all, decided before its MIME body is parsed, from what SES said of
// it, its header block and the DKIM signatures verified in the function: a stranger's mail costs
// a pass over its bytes, never a parse. What an admitted email may be faxed to is decided here too.
import addressparser from 'nodemailer/lib/addressparser';
import { threadId } from '../shared/notice-email';
import { emailIdentity } from './email-identity';
import type { RecipientResult } from './inbound-notice';
import { type AutomaticMail, automaticMail } from './mail/automatic-mail';
import type { DkimSignature } from './mail/dkim';
import { decodedSubject, type HeaderField, messageIdOf, valuesOf } from './mail/header-block';
import { dateRefusal, MAX_FUTURE_HOURS, parseDate } from './mail/message-date';
import { type OnceOnlyField, repeatedField, tooManySignatures } from './mail/message-shape';
import { unsignedRecipients } from './mail/signed-recipients';
import type { EmailFacts } from './plan';
import type { InboundSettings, ReceivedMail } from './process-inbound';
import { type FaxNumber, parseRecipients } from './recipients/recipients';
import type { Refusal } from './refusals';
import {
  type Authentication,
  judgeSender,
  type SenderDecision,
  type SenderDropReason,
  vouchedValue,
} from './sender-policy';

export type DropReason =
  | SenderDropReason
  | AutomaticMail
  /** A once-only field appears twice (see message-shape.ts); `field` names it. */
  | 'repeated_field'
  | 'too_many_signatures'
  /** Line breaks that DKIM and the MIME parser would read differently (see header-block.ts). */
  | 'ambiguous_line_breaks'
  | 'no_fax_recipient';

export interface AdmissionInput {
  received: ReceivedMail;
  fields: HeaderField[];
  /** Verified in the function, once a first judgement asked for it (`needs_dkim`). */
  dkim?: DkimSignature[];
  now: Date;
}

/** An email whose sender may fax, to numbers they vouch for. */
export interface Admitted {
  kind: 'admitted';
  email: EmailFacts;
  numbers: FaxNumber[];
  /** Addresses on a fax domain that cannot be faxed, reported after the faxes. */
  problems: RecipientResult[];
}

export type Admission =
  | { kind: 'dropped'; reason: DropReason; field?: OnceOnlyField }
  | { kind: 'needs_dkim'; fromDomain: string }
  /** A key of the From domain could not be looked up: Lambda should try again later. */
  | { kind: 'retry' }
  | { kind: 'refused'; email: EmailFacts; refusal: Refusal }
  | { kind: 'nothing_to_fax'; email: EmailFacts; problems: RecipientResult[] }
  | Admitted;

type Judged = Extract<SenderDecision, { sender: string }>;

/**
 * In this order, so that nothing a stranger sends is ever answered: the message's shape and
 * whether a machine sent it, then the sender (see sender-policy.ts), then the recipients and
 * the date, which an authenticated sender hears about.
 */
export async function admitEmail(
  input: AdmissionInput,
  settings: InboundSettings,
): Promise<Admission> {
  const { received, fields } = input;
  const field = repeatedField(fields);
  if (field) return { kind: 'dropped', reason: 'repeated_field', field };
  if (tooManySignatures(fields)) return dropped('too_many_signatures');
  const automatic = automaticMail(fields, received, settings.noticeFrom);
  if (automatic) return dropped(automatic);
  const evidence = { from: fromField(fields), envelopeFrom: received.source, dkim: input.dkim };
  const decision = judgeSender({ ...evidence, verdicts: received.verdicts }, settings);
  if (decision.kind !== 'allowed' && decision.kind !== 'refused') return decision;
  const email = await emailFacts(received, settings, decision, fields);
  if (decision.kind === 'refused') {
    return refused(email, { code: 'sender_not_allowed', sender: decision.sender });
  }
  return admitRecipients(email, decision.auth, input, settings);
}

function admitRecipients(
  email: EmailFacts,
  auth: Authentication,
  { received, fields, now }: AdmissionInput,
  settings: InboundSettings,
): Admission {
  const recipients = parseRecipients(received.recipients, settings);
  if (recipients.kind === 'too_many') {
    const { count, limit } = recipients;
    return refused(email, { code: 'too_many_recipients', count, limit });
  }
  const { numbers } = recipients;
  if (numbers.length + recipients.problems.length === 0) return dropped('no_fax_recipient');
  if (auth.by === 'dkim') {
    // Its identity (sender and Message-ID) is what keeps a copy from being faxed again: a
    // relayed email must carry one its signature vouches for.
    if (!threadId(email.context.emailMessageId)) {
      return refused(email, { code: 'message_id_unsigned' });
    }
    const signed = ['to', 'cc'].flatMap((name) => vouchedValue(auth, fields, name) ?? []);
    if (unsignedRecipients(recipients, signed, settings).length > 0) {
      return refused(email, { code: 'recipients_not_signed' });
    }
  }
  const date = writtenAt(auth, fields);
  const undated = date && dateRefusal(date, now, settings.maxEmailAgeHours);
  if (undated) return refused(email, undated);
  const problems = recipients.problems.map((problem) => ({ kind: 'problem' as const, problem }));
  if (numbers.length === 0) return { kind: 'nothing_to_fax', email, problems };
  return { kind: 'admitted', email, numbers, problems };
}

/**
 * The Date the sender vouches for. Mail from their own servers may lack one (nothing can replay
 * it from elsewhere); relayed mail must carry a signed Date, or a signature time (`t=`) to stand
 * in for one, since a replayer would rewrite an unsigned Date to pass the age check.
 */
function writtenAt(auth: Authentication, fields: HeaderField[]): Date | 'unknown' | undefined {
  const date = parseDate(vouchedValue(auth, fields, 'date'));
  if (date || auth.by !== 'dkim') return date;
  return auth.signatures.find((signature) => signature.signedAt)?.signedAt ?? 'unknown';
}

/**
 * The email's identity, and the subject and Message-ID its notices show: those of its fields the
 * sender vouches for. Relayed mail whose Message-ID is not signed is named after its signature,
 * which a replayer cannot change.
 */
async function emailFacts(
  received: ReceivedMail,
  settings: InboundSettings,
  { sender, auth }: Judged,
  fields: HeaderField[],
): Promise<EmailFacts> {
  const messageId = messageIdOf(vouchedValue(auth, fields, 'message-id'));
  const signature = auth.by === 'dkim' ? auth.signatures[0] : undefined;
  const name = messageId ?? (signature && `<${signature.id}@dkim.invalid>`);
  const subject = vouchedValue(auth, fields, 'subject');
  const decoded = subject === undefined ? '' : await decodedSubject(subject);
  return noticeFacts(received, settings, { sender, name, messageId, subject: decoded });
}

/** The email as the notices name it: its identity, threading and the sender's words. */
function noticeFacts(
  received: ReceivedMail,
  settings: InboundSettings,
  email: { sender: string; name?: string; messageId?: string; subject: string },
): EmailFacts {
  return {
    identity: emailIdentity(received.messageId, email.sender, email.name),
    sesMessageId: received.messageId,
    context: {
      noticeFrom: settings.noticeFrom,
      adminContact: settings.adminContact,
      faxDomain: settings.faxDomains[0],
      defaultCountry: settings.defaultCountry,
      sender: email.sender,
      subject: email.subject,
      emailMessageId: email.messageId,
    },
  };
}

/**
 * The header block was too large to read (see header-block.ts): the sender is judged by what SES
 * read of it, and no signature can be checked, so only mail from the sender's own servers (or
 * with REQUIRE_SENDER_AUTH off) is answered, with why nothing was faxed.
 */
export function admitUnreadHeaders(received: ReceivedMail, settings: InboundSettings): Admission {
  const common = received.commonHeaders ?? {};
  const automatic = automaticMail([], received, settings.noticeFrom);
  if (automatic) return dropped(automatic);
  const from = addressparser((common.from ?? []).join(', '), { flatten: true });
  const decision = judgeSender(
    { from, envelopeFrom: received.source, verdicts: received.verdicts, dkim: [] },
    settings,
  );
  if (decision.kind !== 'allowed' && decision.kind !== 'refused') {
    return decision.kind === 'dropped' ? decision : dropped('not_authenticated');
  }
  const recipients = parseRecipients(received.recipients, settings);
  if (recipients.kind === 'ok' && recipients.numbers.length + recipients.problems.length === 0) {
    return dropped('no_fax_recipient');
  }
  const { sender } = decision;
  const messageId = messageIdOf(common.messageId);
  const subject = common.subject ?? '';
  const email = noticeFacts(received, settings, { sender, name: messageId, messageId, subject });
  const refusal: Refusal =
    decision.kind === 'refused'
      ? { code: 'sender_not_allowed', sender }
      : { code: 'email_too_complex' };
  return refused(email, refusal);
}

/**
 * The numbers an email was first faxed to are kept while a delivery of it could still pass the
 * age check (its Date may be up to MAX_FUTURE_HOURS ahead), and a day more.
 */
export function recipientsExpiry(now: Date, settings: Pick<InboundSettings, 'maxEmailAgeHours'>) {
  const hours = settings.maxEmailAgeHours + MAX_FUTURE_HOURS + 24;
  return Math.floor(now.getTime() / 1000) + hours * 3600;
}

/** A later delivery that names a number the first one did not is a replay to other numbers. */
export function replayRefusal(numbers: FaxNumber[], recorded: string[]): Refusal | undefined {
  const first = new Set(recorded);
  return numbers.every((number) => first.has(number.e164))
    ? undefined
    : { code: 'recipients_changed' };
}

/** The one From field's addresses; several From fields never get this far. */
const fromField = (fields: HeaderField[]) =>
  addressparser(valuesOf(fields, 'from')[0] ?? '', { flatten: true });

const dropped = (reason: DropReason): Admission => ({ kind: 'dropped', reason });

const refused = (email: EmailFacts, refusal: Refusal): Admission => ({
  kind: 'refused',
  email,
  refusal,
});
