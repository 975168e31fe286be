import { composeNotice, type NoticeFact } from '../shared/notice-email';
import type { EmailAttachment, FaxJob, NumberDisplay, OutgoingEmail } from '../shared/ports';
import { zonedFormat } from '../shared/zoned-format';
import { explainFailure } from './failure-reasons';

/** The document for a failure email, when the setting asks to attach it. */
export type FailedDocument =
  | { kind: 'attached'; pdf: Uint8Array }
  | { kind: 'gone' }
  | { kind: 'too_large' };

export interface ResultEmailInput {
  /** The job once it reached `delivered` or `failed`. */
  job: FaxJob;
  from: string;
  timeZone: string;
  adminContact?: string;
  document?: FailedDocument;
  /** The confirmation report for a delivered fax (transmission-report.ts). */
  report?: Uint8Array;
}

/**
 * A number the way its reader writes it: national at home, international abroad. A job of an
 * earlier version does not say which it is, and the international form is right everywhere.
 */
export const shownNumber = (display: NumberDisplay) =>
  display.domestic ? display.national : display.international;

const FULL = { dateStyle: 'full', timeStyle: 'long' } as const;

export const formatTime = (iso: string, timeZone: string): string =>
  zonedFormat(FULL, timeZone).format(new Date(iso));

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const pages = (n: number) => plural(n, 'page', 'pages');

/**
 * One dial of the fax. Today a fax is dialled once (Telnyx's own redials aside); the dispatch
 * queue will add retries, each one more entry here.
 */
export interface Attempt {
  startedAt: string;
  endedAt: string;
  result: 'delivered' | 'failed';
  durationSecs?: number;
  failureReason?: string;
}

export function attemptsOf(job: FaxJob): Attempt[] {
  const result = job.status === 'delivered' ? 'delivered' : 'failed';
  const t = job.statusTimes;
  return [
    {
      startedAt: t.sending ?? t.queued ?? t.claimed ?? job.createdAt,
      endedAt: t[result] ?? job.updatedAt,
      result,
      durationSecs: job.callDurationSecs,
      failureReason: job.failureReason,
    },
  ];
}

function attemptLine(attempt: Attempt, timeZone: string): string {
  const outcome =
    attempt.result === 'delivered'
      ? 'delivered'
      : `failed (${explainFailure(attempt.failureReason).summary})`;
  const call =
    attempt.durationSecs === undefined
      ? ''
      : `, call ${plural(attempt.durationSecs, 'second', 'seconds')}`;
  return `${formatTime(attempt.endedAt, timeZone)}: ${outcome}${call}`;
}

function numberFacts(job: FaxJob): NoticeFact[] {
  const to = shownNumber(job.recipientDisplay);
  const dialled = job.typed && job.typed !== to ? ` (you wrote ${job.typed})` : '';
  return [
    { label: 'To', value: `${to}${dialled}` },
    ...(job.fromNumber ? [{ label: 'From', value: shownNumber(job.fromNumber) }] : []),
  ];
}

function contentFacts(job: FaxJob): NoticeFact[] {
  const total = { label: 'Pages', value: pages(job.documentPages) };
  if (!job.contents) return [total];
  const { files, coverPage } = job.contents;
  return [
    { label: 'Files', value: files.map((f) => `${f.filename} (${pages(f.pages)})`) },
    { label: 'Cover page', value: coverPage ? 'yes, 1 page' : 'none' },
    total,
  ];
}

function facts(job: FaxJob, timeZone: string): NoticeFact[] {
  const attempts = attemptsOf(job);
  const rows: NoticeFact[] = [
    ...numberFacts(job),
    ...contentFacts(job),
    { label: 'Submitted', value: formatTime(job.createdAt, timeZone) },
    {
      label: job.status === 'delivered' ? 'Delivered' : 'Failed',
      value: formatTime(attempts[attempts.length - 1]?.endedAt ?? job.updatedAt, timeZone),
    },
    { label: 'Attempts', value: attempts.map((a, i) => `${i + 1}. ${attemptLine(a, timeZone)}`) },
  ];
  if (
    job.status === 'delivered' &&
    job.pageCount !== undefined &&
    job.pageCount !== job.documentPages
  ) {
    rows.splice(rows.findIndex((r) => r.label === 'Pages') + 1, 0, {
      label: 'Pages received',
      value: `${job.pageCount}, as the receiving machine counted them`,
    });
  }
  return rows;
}

/** `: 3 pages, 58 s`, from what Telnyx reported. */
function glance(job: FaxJob): string {
  const said = [
    job.pageCount === undefined ? undefined : pages(job.pageCount),
    job.callDurationSecs === undefined ? undefined : `${job.callDurationSecs} s`,
  ].filter((fact) => fact !== undefined);
  return said.length ? `: ${said.join(', ')}` : '';
}

function delivered(job: FaxJob, report: Uint8Array | undefined) {
  return {
    outcome: 'delivered' as const,
    headline: `Fax delivered to ${shownNumber(job.recipientDisplay)}${glance(job)}`,
    paragraphs: [
      report
        ? 'The transmission report attached to this email is your proof of delivery.'
        : 'Keep this email as your proof of delivery.',
    ],
    smallPrint: [`Fax id: ${job.faxId ?? 'unknown'}`],
  };
}

const DOCUMENT_NOTE: Record<FailedDocument['kind'], string> = {
  attached: 'The document you sent is attached to this email.',
  gone: 'The document you sent is no longer stored here, so it could not be attached.',
  too_large: 'The document you sent is too large to attach to this email.',
};

const documentNote = (document: FailedDocument | undefined): string[] =>
  document ? [DOCUMENT_NOTE[document.kind]] : [];

function failed(job: FaxJob, document?: FailedDocument) {
  const resend = { otherNumbers: (job.emailFaxNumbers ?? 1) > 1, faxAddress: job.faxAddress };
  const failure = explainFailure(job.failureReason, resend);
  return {
    outcome: 'failed' as const,
    headline: `Fax to ${shownNumber(job.recipientDisplay)} failed: ${failure.summary}`,
    paragraphs: [
      `${failure.sentence} Your fax was not delivered.`,
      failure.nextStep,
      ...documentNote(document),
    ],
    smallPrint: [`Failure code: ${failure.code}\nFax id: ${job.faxId ?? 'unknown'}`],
  };
}

const digits = (job: FaxJob) => job.recipient.replace(/\D/g, '');

function attachments(job: FaxJob, input: ResultEmailInput): EmailAttachment[] | undefined {
  if (job.status === 'delivered') {
    return input.report
      ? [
          {
            filename: `transmission-report-${digits(job)}.pdf`,
            contentType: 'application/pdf',
            content: input.report,
          },
        ]
      : undefined;
  }
  return input.document?.kind === 'attached'
    ? [
        {
          filename: `fax-${digits(job)}.pdf`,
          contentType: 'application/pdf',
          content: input.document.pdf,
        },
      ]
    : undefined;
}

/** The one email that tells the sender how their fax ended, threaded under the email they sent. */
export function resultEmail(input: ResultEmailInput): OutgoingEmail {
  const { job, from, timeZone, document } = input;
  const body = job.status === 'delivered' ? delivered(job, input.report) : failed(job, document);
  return composeNotice({
    from,
    to: job.sender,
    originalSubject: job.subject,
    originalMessageId: job.emailMessageId,
    adminContact: input.adminContact,
    facts: facts(job, timeZone),
    ...body,
    attachments: attachments(job, input),
  });
}
