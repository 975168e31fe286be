// The emails the benchmark feeds the inbound handler, built the same way on every run: documents
// from fixtures/documents.ts, incompressible filler from AES-CTR under a fixed key, and
// MailComposer with a fixed boundary, no Message-ID (see withoutMessageId), and dated at the
// start of the run's hour: the bridge refuses mail older than MAX_EMAIL_AGE_HOURS.
import { createCipheriv } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { makeFilledForm, makeJpeg, makePdf } from '../fixtures/documents';
import { LOCAL_DEFAULTS } from '../local/settings';
import { SES_MAX_MESSAGE_BYTES } from '../local/smtp-front-door';

export type CaseId = 'pdf-1p' | 'pdf-3p' | 'scan-20p' | 'photos-3' | 'pdf-40mb' | 'form-cover';

export interface BenchEmail {
  id: CaseId;
  label: string;
  raw: Buffer;
  /** The attached files' decoded bytes. */
  attachmentBytes: number;
  /** The lone PDF goes out unchanged (no cover page, no images to place). */
  passThrough: boolean;
}

export const SENDER = 'alice@example.com';
export const FAX_NUMBER = '+13125551234';
export const RECIPIENT = `${FAX_NUMBER}@${LOCAL_DEFAULTS.FAX_DOMAINS}`;

const KB = 1024;
const MB = 1024 * 1024;

/** The hour the emails say they were written in; their size does not change with it. */
export const BENCH_EMAIL_DATE = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
// Pages of a 200 dpi Letter scan: what an office copier's "scan to email" produces.
const SCAN_WIDTH = 1700;
const SCAN_HEIGHT = 2200;
// A 12 MP phone photo.
const PHOTO_WIDTH = 4032;
const PHOTO_HEIGHT = 3024;

/** Bytes that do not compress, like a scan's or a photo's entropy-coded data; the same every run. */
export function filler(bytes: number, seed: number): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(seed >>> 0);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(bytes)), cipher.final()]);
}

const baseJpegs = new Map<string, Buffer>();

// Coding a 12 MP picture bit by bit takes a second or more; every page and photo shares one.
function baseJpeg(width: number, height: number, orientation?: number): Buffer {
  const key = `${width}x${height}/${orientation ?? 0}`;
  let image = baseJpegs.get(key);
  if (!image) {
    image = makeJpeg(width, height, { components: orientation ? 3 : 1, orientation });
    baseJpegs.set(key, image);
  }
  return image;
}

/**
 * A valid baseline JPEG of the given size in pixels, grown to `bytes` with application segments
 * of filler (skipped by every reader) so that its size matches a real scan or photo.
 */
export function sizedJpeg(
  width: number,
  height: number,
  bytes: number,
  seed: number,
  orientation?: number,
): Buffer {
  const image = baseJpeg(width, height, orientation);
  const segments: Buffer[] = [];
  let missing = bytes - image.length;
  let n = 0;
  while (missing > 4) {
    const body = Math.min(missing - 4, 65_533);
    const head = Buffer.from([0xff, 0xef, 0, 0]);
    head.writeUInt16BE(body + 2, 2);
    segments.push(head, filler(body, seed * 1000 + n++));
    missing -= body + 4;
  }
  return Buffer.concat([image.subarray(0, 2), ...segments, image.subarray(2)]);
}

/**
 * A scanned document as scanners and Ghostscript write it: one full-page grey JPEG per page, every
 * stream's /Length an indirect object after the stream (written before the length is known), a
 * classic cross-reference table; about `bytes` in all.
 */
export function makeScannedPdf(pages: number, bytes: number, seed = 1): Buffer {
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let at = chunks[0]?.length ?? 0;
  const add = (...parts: (string | Buffer)[]) => {
    for (const part of parts) {
      const chunk = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
      chunks.push(chunk);
      at += chunk.length;
    }
  };
  const object = (n: number, ...body: (string | Buffer)[]) => {
    offsets[n] = at;
    add(`${n} 0 obj\n`, ...body, '\nendobj\n');
  };
  const stream = (n: number, dict: string, content: Buffer) => {
    object(n, `<< ${dict} /Length ${n + 1} 0 R >>\nstream\n`, content, '\nendstream');
    object(n + 1, String(content.length));
  };
  const perPage = Math.floor((bytes - pages * 900) / pages);
  const pageRefs = Array.from({ length: pages }, (_, i) => `${3 + 5 * i} 0 R`);
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(2, `<< /Type /Pages /Kids [ ${pageRefs.join(' ')} ] /Count ${pages} >>`);
  for (let i = 0; i < pages; i++) {
    const page = 3 + 5 * i;
    object(
      page,
      `<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 612 792 ] ` +
        `/Resources << /XObject << /Im0 ${page + 1} 0 R >> >> /Contents ${page + 3} 0 R >>`,
    );
    const image = sizedJpeg(SCAN_WIDTH, SCAN_HEIGHT, perPage, seed + i);
    stream(
      page + 1,
      `/Type /XObject /Subtype /Image /Width ${SCAN_WIDTH} /Height ${SCAN_HEIGHT} ` +
        '/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode',
      image,
    );
    stream(page + 3, '', Buffer.from('q 612 0 0 792 0 0 cm /Im0 Do Q', 'latin1'));
  }
  const xref = at;
  const size = offsets.length;
  add(`xref\n0 ${size}\n0000000000 65535 f \n`);
  for (let n = 1; n < size; n++) add(`${String(offsets[n]).padStart(10, '0')} 00000 n \n`);
  add(`trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(chunks);
}

async function compose(
  subject: string,
  attachments: { filename: string; content: Buffer; contentType: string }[],
  text = '',
): Promise<Buffer> {
  const options = {
    from: `Alice Doctor <${SENDER}>`,
    to: RECIPIENT,
    subject,
    // No body text but in form-cover: with one, the bridge adds a cover page and the PDF no
    // longer passes through.
    text,
    date: BENCH_EMAIL_DATE,
    baseBoundary: 'fax-bridge-bench',
    attachments,
  };
  return withoutMessageId(await new MailComposer(options).compile().build());
}

/**
 * The ledger knows an email by its sender and Message-ID, so a run that reused one would find the
 * email faxed already. Without one, the bridge falls back to SES's id, which is new every run.
 */
function withoutMessageId(raw: Buffer): Buffer {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = raw
    .subarray(0, headerEnd)
    .toString('latin1')
    .replace(/^Message-ID: [^\r\n]*\r\n/im, '');
  return Buffer.concat([Buffer.from(head, 'latin1'), raw.subarray(headerEnd)]);
}

const pdf = (filename: string, content: Buffer) => ({
  filename,
  content,
  contentType: 'application/pdf',
});

async function email(
  id: CaseId,
  label: string,
  files: { filename: string; content: Buffer; contentType: string }[],
  passThrough: boolean,
  text = '',
): Promise<BenchEmail> {
  return {
    id,
    label,
    raw: await compose(label, files, text),
    attachmentBytes: files.reduce((sum, f) => sum + f.content.length, 0),
    passThrough,
  };
}

/** A word-processor PDF of `pages` pages, `bytes` long. */
async function textPdf(pages: number, bytes: number): Promise<Buffer> {
  const bare = await makePdf(pages);
  return makePdf(pages, { padding: Math.max(0, bytes - bare.length - 40) });
}

/** The PDF size whose base64 (76-character lines) fills the message up to `limit`. */
function largestPdfBytes(limit: number): number {
  const headroom = 4 * KB;
  return Math.floor(((limit - headroom) / 78) * 57);
}

const FORM_VALUES = {
  Name: 'Иван Петров',
  Born: '1961-04-12',
  City: 'Łódź',
  Dose: '≥ 5 mg daily',
  Allergies: 'none known',
};

export async function buildEmails(): Promise<BenchEmail[]> {
  const photos = [1, 2, 3].map((n) => ({
    filename: `IMG_40${n}7.jpeg`,
    content: sizedJpeg(PHOTO_WIDTH, PHOTO_HEIGHT, 3 * MB, 100 + n, n === 2 ? 6 : 1),
    contentType: 'image/jpeg',
  }));
  return [
    await email(
      'pdf-1p',
      '1-page PDF (50 KB)',
      [pdf('letter.pdf', await textPdf(1, 50 * KB))],
      true,
    ),
    await email(
      'pdf-3p',
      '3-page PDF (150 KB)',
      [pdf('referral.pdf', await textPdf(3, 150 * KB))],
      true,
    ),
    await email(
      'scan-20p',
      '20-page scan (5 MB)',
      [pdf('scan.pdf', makeScannedPdf(20, 5 * MB, 10))],
      true,
    ),
    await email('photos-3', '3 phone photos (9 MB)', photos, false),
    // What the cover page (fonts embedded and subset) and flattening a form without appearances cost.
    await email(
      'form-cover',
      'filled form + cover page',
      [pdf('intake.pdf', await makeFilledForm({ values: FORM_VALUES, needAppearances: true }))],
      false,
      'Intake form for Monday, dose ≥ 5 mg as discussed.',
    ),
    await email(
      'pdf-40mb',
      `${SES_MAX_MESSAGE_BYTES / MB} MB email, one ${Math.round(largestPdfBytes(SES_MAX_MESSAGE_BYTES) / MB)} MB PDF`,
      [pdf('records.pdf', makeScannedPdf(88, largestPdfBytes(SES_MAX_MESSAGE_BYTES), 200))],
      true,
    ),
  ];
}
