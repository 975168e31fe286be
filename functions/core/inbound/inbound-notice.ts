import { composeNotice } from '../shared/notice-email';
import type { FaxNotSentCode, FaxUnknownCode, OutgoingEmail } from '../shared/ports';
import { formatForPeople } from './recipients/number-format';
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
}

/** The whole email is refused: one reason, one fix. */
export function refusalNotice(context: NoticeContext, refusal: Refusal): OutgoingEmail {
  const { problem, fix } = explainRefusal(refusal);
  return composeNotice({
    ...envelope(context),
    headline: `Your fax was not sent: ${problem}`,
    paragraphs: [fix, 'Nothing was faxed.'],
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

const lineFor = (result: RecipientResult): string => {
  switch (result.kind) {
    case 'queued':
      return `${formatForPeople(result.e164)}: being sent now. You will get a separate email when it is delivered or if it fails.`;
    case 'problem': {
      const { problem, fix } = explainRecipientProblem(result.problem);
      return `${problem} ${fix}`;
    }
    case 'refused_by_telnyx':
      return `${formatForPeople(result.e164)}: not sent. The fax service refused it: ${result.detail}. Check the number and send the email again.`;
    case 'not_sent': {
      const { problem, fix } = NOT_SENT[result.code];
      return `${formatForPeople(result.e164)}: not sent (${problem}). Nothing was sent to this number. ${fix}`;
    }
    case 'unknown': {
      const { problem, fix } = UNKNOWN[result.code];
      return `${formatForPeople(result.e164)}: we could not confirm that the fax service took this fax (${problem}). ${fix}`;
    }
  }
};

const needsTelling = (result: RecipientResult) => result.kind !== 'queued';

/**
 * One notice covering every recipient, sent when anything went other than planned
 * (a bad number, a fax not sent or of unknown fate, an attachment left out); undefined otherwise.
 */
export function recipientsNotice(
  context: NoticeContext,
  results: RecipientResult[],
  skippedFiles: string[],
): OutgoingEmail | undefined {
  if (!results.some(needsTelling) && skippedFiles.length === 0) return undefined;
  const sent = results.filter((r) => r.kind === 'queued').length;
  const headline =
    sent === 0
      ? 'Your fax was not sent to any number'
      : sent === results.length
        ? `Your fax is being sent to ${count(sent, 'number')}, with a note about your attachments`
        : `Your fax is being sent to ${sent} of ${count(results.length, 'number')}`;
  const skipped = skippedFiles.length
    ? [
        `Not included in the fax: ${skippedFiles.map((f) => `"${f}"`).join(', ')}. Only PDF files and images (JPEG, PNG, GIF, TIFF) can be faxed: print these to PDF and send them in a new email.`,
      ]
    : [];
  return composeNotice({
    ...envelope(context),
    headline,
    paragraphs: [...results.map(lineFor), ...skipped],
  });
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const envelope = (context: NoticeContext) => ({
  from: context.noticeFrom,
  to: context.sender,
  originalSubject: context.subject,
  originalMessageId: context.emailMessageId,
});
