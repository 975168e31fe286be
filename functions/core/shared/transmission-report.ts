// The delivered fax's confirmation report, as a fax machine prints one: one page of facts and,
// unless the setting keeps documents out of email, page 1 of the fax itself, reduced.
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import type { FaxJob } from './ports';
import { attemptsOf, formatTime, shownNumber } from './result-email';

export type TransmissionReportSetting = 'on' | 'no-image' | 'off';

const LETTER = { width: 612, height: 792 };
const MARGIN = 54;
// The standard fonts encode WinAnsi only: anything else would throw, so it is replaced.
const winAnsi = (text: string) => text.replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?');

function rows(job: FaxJob, timeZone: string): [string, string][] {
  const [attempt] = attemptsOf(job);
  return [
    ['Result', 'OK - delivered'],
    ['Date and time', formatTime(attempt?.endedAt ?? job.updatedAt, timeZone)],
    ['To', `${shownNumber(job.recipientDisplay)}  (${job.recipient})`],
    ['From', job.fromNumber ? `${shownNumber(job.fromNumber)}  (${job.fromNumber.e164})` : '-'],
    ['Pages', String(job.pageCount ?? job.documentPages)],
    ['Duration', job.callDurationSecs === undefined ? '-' : `${job.callDurationSecs} s`],
    ['Attempts', String(attemptsOf(job).length)],
    ['Submitted', formatTime(job.createdAt, timeZone)],
    ['Fax id', job.faxId ?? 'unknown'],
  ];
}

/**
 * A one-page PDF. `firstPageOf` is the fax document when page 1 should be shown: it is placed as
 * a scaled copy of the page (pdf-lib's embedPage), not rasterised.
 */
export async function transmissionReport(
  job: FaxJob,
  timeZone: string,
  firstPageOf?: Uint8Array,
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Fax transmission report');
  pdf.setProducer('fax-bridge');
  const page = pdf.addPage([LETTER.width, LETTER.height]);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let y = LETTER.height - MARGIN - 20;
  page.drawText('FAX TRANSMISSION REPORT', { x: MARGIN, y, size: 18, font: bold });
  y -= 34;
  for (const [label, value] of rows(job, timeZone)) {
    page.drawText(label, { x: MARGIN, y, size: 11, font: bold });
    page.drawText(winAnsi(value), { x: MARGIN + 110, y, size: 11, font });
    y -= 18;
  }
  y -= 12;
  page.drawLine({
    start: { x: MARGIN, y },
    end: { x: LETTER.width - MARGIN, y },
    thickness: 0.5,
    color: rgb(0.6, 0.6, 0.6),
  });
  if (firstPageOf) await placeFirstPage(pdf, page, firstPageOf, y - 16, bold);
  return pdf.save();
}

async function placeFirstPage(
  pdf: PDFDocument,
  page: ReturnType<PDFDocument['addPage']>,
  document: Uint8Array,
  top: number,
  bold: Awaited<ReturnType<PDFDocument['embedFont']>>,
) {
  const source = await PDFDocument.load(document, { ignoreEncryption: true });
  const first = source.getPage(0);
  const embedded = await pdf.embedPage(first);
  page.drawText('Page 1, reduced', { x: MARGIN, y: top - 10, size: 10, font: bold });
  const box = { width: LETTER.width - 2 * MARGIN, height: top - 24 - MARGIN };
  const scale = Math.min(box.width / embedded.width, box.height / embedded.height, 0.6);
  const width = embedded.width * scale;
  const height = embedded.height * scale;
  const x = (LETTER.width - width) / 2;
  const y = top - 24 - height;
  page.drawPage(embedded, { x, y, width, height });
  page.drawRectangle({ x, y, width, height, borderWidth: 0.5, borderColor: rgb(0.4, 0.4, 0.4) });
}
