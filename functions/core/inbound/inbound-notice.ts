import { composeNotice, type NoticeFact } from '../shared/notice-email';
import type { FaxNotSentCode, FaxUnknownCode, OutgoingEmail } from '../shared/ports';
import { formatForSender } from './recipients/number-format';
import {
  type Explanation,
  explainRecipientProblem,
  explainRefusal,
  type RecipientProblem,
  type Refusal,
} from './refusals';

/**
 * Why a fax was not sent: Telnyx's answer, or `unrecorded` for a job of an earlier delivery
 * whose ledger note names no reason.
 */
export type NotSentReason = FaxNotSentCode | 'unrecorded';

/**
 * Why a fax's fate is unknown: Telnyx's answer, `interrupted` for an earlier delivery that stopped
 * between claiming the fax and hearing from Telnyx, or `unrecorded` as above.
 */
export type UnknownReason = FaxUnknownCode | 'interrupted' | 'unrecorded';

/**
 * What became of one fax-domain recipient of an email. `reason` is what was seen, for the
 * operator's log; the sender reads the words written below for `code`.
 */
export type RecipientResult =
  | { kind: 'queued'; e164: string; faxId?: string }
  | { kind: 'problem'; problem: RecipientProblem }
  | { kind: 'refused_by_telnyx'; e164: string; detail: string }
  | { kind: 'not_sent'; e164: string; code: NotSentReason; reason: string }
  | { kind: 'unknown'; e164: string; code: UnknownReason; reason: string };

export interface NoticeContext {
  noticeFrom: string;
  sender: string;
  subject: string;
  emailMessageId?: string;
  /** Who to ask, in the footer (ADMIN_CONTACT). */
  adminContact?: string;
  /** The first fax domain, for addresses the sender can copy. */
  faxDomain?: string;
  /** DEFAULT_COUNTRY: numbers there are shown the national way. */
  defaultCountry?: string;
}

/** The whole email is refused: one reason, one fix. */
export function refusalNotice(context: NoticeContext, refusal: Refusal): OutgoingEmail {
  const { problem, fix } = explainRefusal(refusal);
  return composeNotice({
    ...envelope(context),
    outcome: 'not_sent',
    headline: 'Your fax was not sent',
    facts: [
      { label: 'Your email', value: context.subject || '(no subject)' },
      { label: 'Result', value: 'Nothing was faxed' },
    ],
    paragraphs: [problem, fix],
    smallPrint: [`Reason code: ${refusal.code}`],
  });
}

const SEND_AGAIN_LATER = 'Please send the email again in a few minutes.';
// Sending again cannot help while the bridge's own key is wrong: only the administrator can.
const FOR_THE_ADMINISTRATOR =
  'This is for your fax administrator to fix: please forward this email to them.';

/** Why nothing was sent to a number, and what the sender can do. */
const NOT_SENT: Record<NotSentReason, Explanation> = {
  busy: { problem: 'the fax service was too busy to take it', fix: SEND_AGAIN_LATER },
  unreachable: { problem: 'the fax service could not be reached', fix: SEND_AGAIN_LATER },
  api_key_refused: {
    problem: "the fax service refused this bridge's API key",
    fix: FOR_THE_ADMINISTRATOR,
  },
  api_key_unreadable: {
    problem: 'this bridge could not read its API key for the fax service',
    fix: FOR_THE_ADMINISTRATOR,
  },
  unrecorded: { problem: 'the fax service did not take it', fix: SEND_AGAIN_LATER },
};

// Telnyx may have the fax: sending again blind could fax it twice.
const WAIT_OR_CHECK =
  'It may still go through: wait for a result email, or check with the recipient before sending again, so that it is not faxed twice.';

/** Why we cannot tell whether the fax service took a fax, and what the sender can do. */
const UNKNOWN: Record<UnknownReason, Explanation> = {
  timeout: { problem: 'the fax service did not answer in time', fix: WAIT_OR_CHECK },
  connection_broken: { problem: 'the connection to the fax service broke', fix: WAIT_OR_CHECK },
  server_error: { problem: 'the fax service reported an error of its own', fix: WAIT_OR_CHECK },
  no_fax_id: { problem: 'the fax service answered without a fax id', fix: WAIT_OR_CHECK },
  request_failed: { problem: 'the request to the fax service failed', fix: WAIT_OR_CHECK },
  interrupted: {
    problem: 'an earlier attempt was interrupted before the fax service answered',
    fix: WAIT_OR_CHECK,
  },
  unrecorded: { problem: 'no answer from the fax service was recorded', fix: WAIT_OR_CHECK },
};

/** Telnyx's own words, quoted once, without the full stop that would double ours. */
const quoted = (detail: string) => `"${detail.trim().replace(/[.\s]+$/, '')}"`;

interface Reading {
  context: NoticeContext;
  /** Other numbers of the email are being faxed: sending the email again would fax them twice. */
  othersSent: boolean;
}

const shown = (e164: string, r: Reading) => formatForSender(e164, r.context.defaultCountry);

const OTHERS_SENT = 'Your other numbers are being faxed, so do not send the same email again';

/** How to send again to this number and no other. */
function sendAgain(e164: string, r: Reading, plain: string): string {
  if (!r.othersSent) return plain;
  const address = r.context.faxDomain ? `${e164}@${r.context.faxDomain}` : undefined;
  return `${OTHERS_SENT}: to fax this number alone, send the document in a new email addressed only to ${address ?? 'this number'}.`;
}

// A number the fax service refused is likely mistyped: its own address would fail again.
const sendToRightNumber = (r: Reading) =>
  r.othersSent
    ? `${OTHERS_SENT}: send the document in a new email addressed only to the right fax number.`
    : 'Then send the email again.';

const lineFor = (result: RecipientResult, r: Reading): string => {
  switch (result.kind) {
    case 'queued':
      return `${shown(result.e164, r)}: being sent now. You will get a separate email when it is delivered or if it fails.`;
    case 'problem': {
      const { problem, fix } = explainRecipientProblem(result.problem, r.context.faxDomain);
      return `${problem} ${fix}`;
    }
    case 'refused_by_telnyx':
      return `${shown(result.e164, r)}: not sent. The fax service refused it, saying ${quoted(result.detail)}. Check the number. ${sendToRightNumber(r)}`;
    case 'not_sent': {
      const { problem, fix } = NOT_SENT[result.code];
      const next = fix === SEND_AGAIN_LATER ? sendAgain(result.e164, r, fix) : fix;
      return `${shown(result.e164, r)}: not sent, because ${problem}. Nothing reached this number. ${next}`;
    }
    case 'unknown': {
      const { problem, fix } = UNKNOWN[result.code];
      return `${shown(result.e164, r)}: we could not confirm that the fax service took this fax, because ${problem}. ${fix}`;
    }
  }
};

const STATUS: Record<RecipientResult['kind'], string> = {
  queued: 'being sent',
  problem: 'not sent',
  refused_by_telnyx: 'not sent',
  not_sent: 'not sent',
  unknown: 'may be on its way: see below',
};

function factFor(result: RecipientResult, r: Reading): NoticeFact {
  const label = result.kind === 'problem' ? `"${result.problem.typed}"` : shown(result.e164, r);
  return { label, value: STATUS[result.kind] };
}

const SEPARATE_EMAIL =
  'For each number being sent you will get a separate email when it is delivered or if it fails.';

const needsTelling = (result: RecipientResult) => result.kind !== 'queued';

/**
 * One notice covering every recipient, sent when anything went other than planned
 * (a bad number, a fax not sent or of unknown fate, an attachment left out); undefined otherwise.
 */
export function recipientsNotice(
  context: NoticeContext,
  results: RecipientResult[],
  skippedFiles: string[],
  /** Characters of the cover page that no font could draw (CJK, …). */
  unprintable: string[] = [],
): OutgoingEmail | undefined {
  if (!results.some(needsTelling) && skippedFiles.length === 0 && unprintable.length === 0) {
    return undefined;
  }
  const sent = results.filter((r) => r.kind === 'queued').length;
  // A fax of unknown fate may be on its way: sending the email again could fax it twice.
  const unsure = results.filter((r) => r.kind === 'unknown').length;
  const reading: Reading = { context, othersSent: sent + unsure > 0 };
  const headline =
    sent === 0
      ? unsure === 0
        ? 'Your fax was not sent to any number'
        : 'We could not confirm that your fax was sent'
      : sent === results.length
        ? skippedFiles.length === 0
          ? `Your fax is being sent to ${count(sent, 'number')}, with characters missing from its cover page`
          : `Your fax is being sent to ${count(sent, 'number')}, without some attachments`
        : `Your fax is being sent to ${sent} of ${count(results.length, 'number')}`;
  const skipped = skippedFiles.length
    ? [
        `Not included in the fax: ${skippedFiles.map((f) => `"${f}"`).join(', ')}. Only PDF files and images (JPEG, PNG, GIF, TIFF) can be faxed: print these to PDF and send them in a new email.`,
      ]
    : [];
  return composeNotice({
    ...envelope(context),
    outcome:
      sent > 0
        ? sent === results.length
          ? 'attachments'
          : 'partly_sent'
        : unsure > 0
          ? 'unconfirmed'
          : 'not_sent',
    headline,
    facts: results.map((r) => factFor(r, reading)),
    paragraphs: [
      ...results.filter(needsTelling).map((r) => lineFor(r, reading)),
      ...skipped,
      ...(unprintable.length
        ? [
            `Characters that could not be printed on the cover page (each shown there as a box): ${unprintable.join(' ')}. To fax text in those scripts, attach it as a PDF.`,
          ]
        : []),
      ...(sent > 0 ? [SEPARATE_EMAIL] : []),
    ],
  });
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const envelope = (context: NoticeContext) => ({
  from: context.noticeFrom,
  to: context.sender,
  originalSubject: context.subject,
  originalMessageId: context.emailMessageId,
  adminContact: context.adminContact,
});
