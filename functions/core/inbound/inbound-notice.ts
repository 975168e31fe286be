import { composeNotice, type NoticeFact } from '../shared/notice-email';
import { formatForSender } from '../shared/number-format';
import type { OutgoingEmail } from '../shared/ports';
import {
  explainRecipientProblem,
  explainRefusal,
  type RecipientProblem,
  type Refusal,
} from './refusals';

/**
 * What became of one fax-domain recipient of an email: queued for the dispatch, whose result
 * email tells how it ended, or a problem with the address.
 */
export type RecipientResult =
  | { kind: 'queued'; e164: string; faxId?: string }
  | { kind: 'problem'; problem: RecipientProblem };

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

interface Reading {
  context: NoticeContext;
}

const shown = (e164: string, r: Reading) => formatForSender(e164, r.context.defaultCountry);

const lineFor = (result: RecipientResult, r: Reading): string => {
  switch (result.kind) {
    case 'queued':
      return `${shown(result.e164, r)}: being sent now. You will get a separate email when it is delivered or if it fails.`;
    case 'problem': {
      const { problem, fix } = explainRecipientProblem(result.problem, r.context.faxDomain);
      return `${problem} ${fix}`;
    }
  }
};

const STATUS: Record<RecipientResult['kind'], string> = {
  queued: 'being sent',
  problem: 'not sent',
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
  const reading: Reading = { context };
  const headline =
    sent === 0
      ? 'Your fax was not sent to any number'
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
    outcome: sent > 0 ? (sent === results.length ? 'attachments' : 'partly_sent') : 'not_sent',
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
