// The emails about a received fax: one per address of its route, in the route's mode, and the
// short notice of a fax that did not arrive. Pure: the workflow decides, these only write.
import { explainFailure } from '../shared/failure-reasons';
import { MAX_ATTACHMENT_BYTES } from '../shared/fax-outcome';
import { composeNotice, type NoticeFact } from '../shared/notice-email';
import type { OutgoingEmail, ReceivedFax } from '../shared/ports';
import { formatTime } from '../shared/result-email';
import { zonedFormat } from '../shared/zoned-format';
import { callerLabel, isDialable, numberForPeople } from './caller';
import type { Delivery } from './routes';

export interface FaxEmailSettings {
  noticeFrom: string;
  timeZone: string;
  adminContact?: string;
  /** The first FAX_DOMAINS entry: mail to `<caller>@<faxDomain>` faxes the caller. */
  faxDomain: string;
}

/** What the email carries of the document. */
export type EmailDocument =
  | { mode: 'attach'; pdf: Uint8Array }
  /** `tooLarge`: the route asked for `attach`, and the PDF is too large for SES to carry. */
  | { mode: 'link'; url: string; expiresAt: Date; tooLarge?: { bytes: number } }
  | { mode: 'notify' };

export interface FaxLink {
  url: string;
  expiresAt: Date;
}

/** The route's mode for this PDF: an attachment SES cannot carry becomes a link. */
export function emailDocument(
  delivery: Delivery,
  pdf: Uint8Array,
  link: () => FaxLink,
): EmailDocument {
  switch (delivery) {
    case 'attach':
      return pdf.byteLength <= MAX_ATTACHMENT_BYTES
        ? { mode: 'attach', pdf }
        : { mode: 'link', ...link(), tooLarge: { bytes: pdf.byteLength } };
    case 'link':
      return { mode: 'link', ...link() };
    case 'notify':
      return { mode: 'notify' };
  }
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `Fax from Dr. Ortiz (+1 312-555-1234), 3 pages, partial`. */
export function receivedFaxSubject(fax: ReceivedFax, pages: number | undefined): string {
  return [
    `Fax from ${callerLabel(fax.from, fax.callerName)}`,
    ...(pages === undefined ? [] : [plural(pages, 'page', 'pages')]),
    ...(fax.partial ? ['partial'] : []),
  ].join(', ');
}

/** `fax-13125551234-2026-03-05.pdf`: the caller and the day, and nothing a caller chose. */
export function attachmentName(fax: ReceivedFax, at: Date, timeZone: string): string {
  const digits = fax.from.replace(/\D/g, '').slice(0, 15) || 'unknown';
  return `fax-${digits}-${isoDay(at, timeZone)}.pdf`;
}

/** `YYYY-MM-DD`, the local day in `timeZone`. */
function isoDay(at: Date, timeZone: string): string {
  const parts = zonedFormat(
    { year: 'numeric', month: '2-digit', day: '2-digit' },
    timeZone,
  ).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** `<caller's E.164>@<fax domain>`, when a reply can fax the caller back. */
export const replyAddress = (fax: ReceivedFax, faxDomain: string): string | undefined =>
  isDialable(fax.from) ? `${fax.from}@${faxDomain}` : undefined;

export interface ReceivedEmailInput {
  fax: ReceivedFax;
  to: string;
  document: EmailDocument;
  pages: number | undefined;
  /** When the fax arrived (Telnyx's time, else when the bridge took it). */
  at: Date;
}

export function receivedFaxEmail(
  input: ReceivedEmailInput,
  settings: FaxEmailSettings,
): OutgoingEmail {
  const { fax, document, at } = input;
  const replyTo = replyAddress(fax, settings.faxDomain);
  const email = composeNotice({
    outcome: 'delivered',
    from: settings.noticeFrom,
    to: input.to,
    originalSubject: '',
    headline: `Fax from ${callerLabel(fax.from, fax.callerName)}`,
    facts: receivedFacts(fax, input.pages, at, settings.timeZone),
    paragraphs: [...documentParagraphs(document, settings.timeZone), ...replyParagraph(replyTo)],
    smallPrint: [`Fax id: ${fax.faxId}`],
    adminContact: settings.adminContact,
    attachments:
      document.mode === 'attach'
        ? [
            {
              filename: attachmentName(fax, at, settings.timeZone),
              contentType: 'application/pdf',
              content: document.pdf,
            },
          ]
        : undefined,
  });
  return {
    ...email,
    subject: receivedFaxSubject(fax, input.pages),
    autoSubmitted: 'auto-generated',
    ...(replyTo && { replyTo }),
  };
}

function receivedFacts(
  fax: ReceivedFax,
  pages: number | undefined,
  at: Date,
  timeZone: string,
): NoticeFact[] {
  const rows: NoticeFact[] = [
    { label: 'From', value: callerLabel(fax.from, fax.callerName) },
    { label: 'To', value: numberForPeople(fax.to) },
    { label: 'Received', value: formatTime(at.toISOString(), timeZone) },
  ];
  if (pages !== undefined) {
    const partial = fax.partial ? ' (partial: the call ended before every page arrived)' : '';
    rows.push({ label: 'Pages', value: `${pages}${partial}` });
  } else if (fax.partial) {
    rows.push({ label: 'Pages', value: 'partial: the call ended before every page arrived' });
  }
  if (fax.callDurationSecs !== undefined) {
    rows.push({ label: 'Call duration', value: duration(fax.callDurationSecs) });
  }
  return rows;
}

const duration = (seconds: number) =>
  seconds < 60
    ? plural(Math.round(seconds), 'second', 'seconds')
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

function documentParagraphs(document: EmailDocument, timeZone: string): string[] {
  switch (document.mode) {
    case 'attach':
      return ['The fax is attached as a PDF.'];
    case 'link': {
      const until = `The link works until ${formatTime(document.expiresAt.toISOString(), timeZone)}.`;
      const download = `Download the fax (PDF): ${document.url}`;
      if (!document.tooLarge) return [download, until];
      return [
        `The fax is too large to attach (${megabytes(document.tooLarge.bytes)}), so it is kept for you to download instead.`,
        download,
        until,
      ];
    }
    case 'notify':
      return [
        'This address receives notices only: the fax is not in this email. Ask your fax administrator for the document.',
      ];
  }
}

const replyParagraph = (replyTo: string | undefined) =>
  replyTo
    ? [
        'To fax a reply to the caller, reply to this email with the document attached: it is faxed to their number.',
      ]
    : [];

export interface FailedArrivalInput {
  fax: Omit<ReceivedFax, 'mediaUrl'>;
  failureReason: string | undefined;
  to: string;
  at: Date;
}

/** "A fax from … to … did not arrive", with the reason in plain words. */
export function failedArrivalEmail(
  input: FailedArrivalInput,
  settings: FaxEmailSettings,
): OutgoingEmail {
  const { fax, at } = input;
  const caller = callerLabel(fax.from, fax.callerName);
  const explained = explainFailure(input.failureReason);
  const email = composeNotice({
    outcome: 'failed',
    from: settings.noticeFrom,
    to: input.to,
    originalSubject: '',
    headline: `A fax from ${caller} to ${numberForPeople(fax.to)} did not arrive`,
    facts: [
      { label: 'From', value: caller },
      { label: 'To', value: numberForPeople(fax.to) },
      { label: 'When', value: formatTime(at.toISOString(), settings.timeZone) },
    ],
    paragraphs: [
      explained.sentence,
      'Nothing was kept. If you expected this fax, ask the sender to send it again.',
    ],
    smallPrint: [`Fax id: ${fax.faxId}`, `Reason code: ${explained.code}`],
    adminContact: settings.adminContact,
  });
  return {
    ...email,
    subject: `Fax from ${caller} did not arrive`,
    autoSubmitted: 'auto-generated',
  };
}
