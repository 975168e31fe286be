import { composeNotice } from '../shared/notice-email';
import type { FaxJob, OutgoingEmail } from '../shared/ports';
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
  document?: FailedDocument;
}

interface NumberForms {
  international: string;
  national: string;
  e164: string;
}

const numberForms = (job: FaxJob): NumberForms => ({
  ...job.recipientDisplay,
  e164: job.recipient,
});

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function formatTime(iso: string, timeZone: string): string {
  let format = timeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'full', timeStyle: 'long' });
    timeFormats.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const recipientLine = (n: NumberForms) => `Recipient: ${n.national} (${n.e164})`;

function delivered(job: FaxJob, n: NumberForms, completed: string) {
  const facts = [
    job.pageCount === undefined ? undefined : plural(job.pageCount, 'page', 'pages'),
    job.callDurationSecs === undefined ? undefined : `${job.callDurationSecs} s`,
  ].filter((fact) => fact !== undefined);
  const details = [
    recipientLine(n),
    job.pageCount === undefined ? undefined : `Pages delivered: ${job.pageCount}`,
    job.callDurationSecs === undefined
      ? undefined
      : `Call duration: ${plural(job.callDurationSecs, 'second', 'seconds')}`,
    `Completed: ${completed}`,
  ].filter((line) => line !== undefined);
  return {
    headline: `Fax delivered to ${n.international}${facts.length ? `: ${facts.join(', ')}` : ''}`,
    paragraphs: [`Your fax to ${n.national} was delivered.`, details.join('\n')],
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

function failed(job: FaxJob, n: NumberForms, completed: string, document?: FailedDocument) {
  const failure = explainFailure(job.failureReason);
  return {
    headline: `Fax to ${n.international} failed: ${failure.summary}`,
    paragraphs: [
      `${failure.sentence} Your fax to ${n.national} was not delivered.`,
      failure.nextStep,
      [recipientLine(n), `Failed: ${completed}`].join('\n'),
      ...documentNote(document),
    ],
    smallPrint: [`Failure code: ${failure.code}\nFax id: ${job.faxId ?? 'unknown'}`],
  };
}

const attachmentName = (job: FaxJob) => `fax-${job.recipient.replace(/\D/g, '')}.pdf`;

/** The one email that tells the sender how their fax ended, threaded under the email they sent. */
export function resultEmail({ job, from, timeZone, document }: ResultEmailInput): OutgoingEmail {
  const n = numberForms(job);
  const completed = formatTime(job.statusTimes[job.status] ?? job.updatedAt, timeZone);
  const body =
    job.status === 'delivered' ? delivered(job, n, completed) : failed(job, n, completed, document);
  return composeNotice({
    from,
    to: job.sender,
    originalSubject: job.subject,
    originalMessageId: job.emailMessageId,
    ...body,
    attachments:
      document?.kind === 'attached'
        ? [{ filename: attachmentName(job), contentType: 'application/pdf', content: document.pdf }]
        : undefined,
  });
}
