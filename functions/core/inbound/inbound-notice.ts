import { composeNotice } from '../shared/notice-email';
import type { OutgoingEmail } from '../shared/ports';
import { formatForPeople } from './recipients/number-format';
import {
  explainRecipientProblem,
  explainRefusal,
  type RecipientProblem,
  type Refusal,
} from './refusals';

/** What became of one fax-domain recipient of an email. */
export type RecipientResult =
  | { kind: 'queued'; e164: string; faxId?: string }
  | { kind: 'problem'; problem: RecipientProblem }
  | { kind: 'refused_by_telnyx'; e164: string; detail: string }
  | { kind: 'not_sent'; e164: string; reason: string }
  | { kind: 'unknown'; e164: string; reason: string };

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
    case 'not_sent':
      return `${formatForPeople(result.e164)}: not sent (${result.reason}). Nothing was sent to this number; please send the email again in a few minutes.`;
    case 'unknown':
      return `${formatForPeople(result.e164)}: we could not confirm that the fax service took this fax (${result.reason}). It may still go through: wait for a result email, or check with the recipient before sending again, so that it is not faxed twice.`;
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
