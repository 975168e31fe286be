import { explainFailure } from './failure-reasons';
import { explainNotSent } from './not-sent-reasons';
import { composeNotice, type NoticeFact } from './notice-email';
import type { EmailAttachment, FaxJob, NumberDisplay, OutgoingEmail } from './ports';
import { zonedFormat } from './zoned-format';

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

/** One dial of the fax: the bridge's retries each add one. */
export interface Attempt {
  startedAt: string;
  endedAt: string;
  result: 'delivered' | 'failed';
  durationSecs?: number;
  failureReason?: string;
}

/** The dials the sender hears of: a channel-limit failure never reached the number. */
export function attemptsOf(job: FaxJob): Attempt[] {
  const earlier: Attempt[] = (job.dials ?? [])
    .filter((dial) => dial.counted)
    .map((dial) => ({
      startedAt: dial.dialledAt,
      endedAt: dial.endedAt,
      result: 'failed',
      durationSecs: dial.callDurationSecs,
      failureReason: dial.failureReason,
    }));
  const result = job.status === 'delivered' ? 'delivered' : 'failed';
  const t = job.statusTimes;
  const last: Attempt = {
    startedAt: job.dialledAt ?? t.sending ?? t.queued ?? t.claimed ?? job.createdAt,
    endedAt: t[result] ?? job.updatedAt,
    result,
    durationSecs: job.callDurationSecs,
    failureReason: job.failureReason,
  };
  return [...earlier, last];
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

const ENDED_LABEL = { delivered: 'Delivered', failed: 'Failed', not_sent: 'Not sent' } as const;

function facts(job: FaxJob, timeZone: string): NoticeFact[] {
  const attempts = attemptsOf(job);
  const ended = job.status === 'delivered' || job.status === 'not_sent' ? job.status : 'failed';
  const rows: NoticeFact[] = [
    ...numberFacts(job),
    ...contentFacts(job),
    { label: 'Submitted', value: formatTime(job.createdAt, timeZone) },
    {
      label: ENDED_LABEL[ended],
      value: formatTime(attempts[attempts.length - 1]?.endedAt ?? job.updatedAt, timeZone),
    },
  ];
  // A fax not sent lists only the dials before it (an attempt the fax service refused is none).
  const dials = ended === 'not_sent' ? attempts.slice(0, -1) : attempts;
  if (dials.length > 0) {
    const lines = dials.map((a, i) => `${i + 1}. ${attemptLine(a, timeZone)}`);
    rows.push({ label: 'Attempts', value: lines });
  }
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

const ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];
const ordinal = (n: number) => ORDINAL[n - 1] ?? `${n}th`;

/** `The line was busy at the first attempt; it went through on the second.` */
function afterRetries(job: FaxJob): string[] {
  const attempts = attemptsOf(job);
  if (attempts.length < 2) return [];
  const before = explainFailure(attempts.at(-2)?.failureReason).summary;
  const which = attempts.length === 2 ? 'the first' : 'the one before';
  return [
    `It went through on the ${ordinal(attempts.length)} attempt; ${which} failed (${before}).`,
  ];
}

function delivered(job: FaxJob, report: Uint8Array | undefined) {
  return {
    outcome: 'delivered' as const,
    headline: `Fax delivered to ${shownNumber(job.recipientDisplay)}${glance(job)}`,
    paragraphs: [
      ...afterRetries(job),
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

/** Pages that reached the machine before the call ended: dialling again would send them twice. */
function partial(job: FaxJob): string[] {
  const arrived = job.pageCount ?? 0;
  if (arrived === 0) return [];
  return [
    `${arrived} of ${pages(job.documentPages)} reached the receiving machine before the call ended. ` +
      'The bridge did not dial again, so that the recipient does not get those pages twice: ' +
      'check with the recipient before you send the fax again.',
  ];
}

function failed(job: FaxJob, document?: FailedDocument) {
  const resend = { otherNumbers: (job.emailFaxNumbers ?? 1) > 1, faxAddress: job.faxAddress };
  const failure = explainFailure(job.failureReason, resend);
  const dials = attemptsOf(job).length;
  const after = dials > 1 ? ` after ${dials} attempts` : '';
  const arrived = partial(job);
  return {
    outcome: 'failed' as const,
    headline: `Fax to ${shownNumber(job.recipientDisplay)} failed${after}: ${failure.summary}`,
    paragraphs: [
      `${failure.sentence} Your fax was not delivered${dials > 1 ? `, though it was dialled ${dials} times` : ''}.`,
      // Pages already with the recipient: "check first" is the advice, not "send again".
      ...(arrived.length > 0 ? arrived : [failure.nextStep]),
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

function notSent(job: FaxJob, document?: FailedDocument) {
  const why = explainNotSent(job.note);
  return {
    outcome: 'failed' as const,
    headline: `Fax to ${shownNumber(job.recipientDisplay)} was not sent: ${why.summary}`,
    paragraphs: [
      `${why.sentence} Nothing was faxed to this number.`,
      why.nextStep,
      ...documentNote(document),
    ],
    smallPrint: [`Failure code: ${why.code}`],
  };
}

function body(job: FaxJob, input: ResultEmailInput) {
  if (job.status === 'delivered') return delivered(job, input.report);
  return job.status === 'not_sent' ? notSent(job, input.document) : failed(job, input.document);
}

/** The one email that tells the sender how their fax ended, threaded under the email they sent. */
export function resultEmail(input: ResultEmailInput): OutgoingEmail {
  const { job, from, timeZone } = input;
  return composeNotice({
    from,
    to: job.sender,
    originalSubject: job.subject,
    originalMessageId: job.emailMessageId,
    adminContact: input.adminContact,
    facts: facts(job, timeZone),
    ...body(job, input),
    attachments: attachments(job, input),
  });
}
