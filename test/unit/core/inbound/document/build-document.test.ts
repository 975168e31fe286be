import { readFileSync } from 'node:fs';
import path from 'node:path';
import { degrees, PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import {
  makeGif,
  makeImageHeader,
  makeJpeg,
  makePdf,
  makePng,
  makeTiff,
  makeTruncatedPdf,
} from '../../../../../fixtures/documents';
import { FIXTURE_DIR } from '../../../../../fixtures/generate';
import { pageMatrices, pageText } from '../../../../../fixtures/pdf-content';
import {
  buildFaxDocument,
  type DocumentOptions,
  type DocumentOutcome,
  type FaxDocument,
} from '../../../../../functions/core/inbound/document/build-document';
import {
  type EmailPart,
  type ParsedEmail,
  parseEmail,
} from '../../../../../functions/core/inbound/mail/parse-email';
import type { Refusal } from '../../../../../functions/core/inbound/refusals';
import { readPdf, type ShownPage } from '../../../../support/pdf-reader';

const OPTIONS: DocumentOptions = {
  pageSize: 'letter',
  maxPages: 100,
  maxBytes: 50 * 1024 * 1024,
  cover: false,
};

const raw = (name: string) => readFileSync(path.join(FIXTURE_DIR, name));

async function build(
  name: string,
  options: Partial<DocumentOptions> = {},
): Promise<DocumentOutcome> {
  return buildFaxDocument(await parseEmail(raw(name)), { ...OPTIONS, ...options });
}

function faxed(outcome: DocumentOutcome): FaxDocument {
  if (outcome.kind !== 'document') throw new Error(`refused: ${JSON.stringify(outcome.refusal)}`);
  return outcome;
}

function refusal(outcome: DocumentOutcome): Refusal {
  if (outcome.kind !== 'refused') throw new Error(`faxed ${outcome.files.map((f) => f.filename)}`);
  return outcome.refusal;
}

const names = (document: FaxDocument) => document.files.map((f) => f.filename);
const round = (values: number[] | undefined) => values?.map((n) => Math.round(n) || 0);

/** pdf-lib draws an image as translate, rotate, scale matrices, in that order. */
async function imagePlacement(pdf: Uint8Array) {
  const [translate, rotate, scale] = await pageMatrices(pdf, 0);
  return {
    at: round(translate?.slice(4)),
    rotate: round(rotate),
    size: round(scale?.slice(0, 4)),
    scale,
  };
}

async function pageSizes(pdf: Uint8Array): Promise<[number, number][]> {
  const doc = await PDFDocument.load(pdf);
  return doc.getPages().map((p) => [Math.round(p.getWidth()), Math.round(p.getHeight())]);
}

function part(filename: string, content: Buffer, extra: Partial<EmailPart> = {}): EmailPart {
  return {
    filename,
    contentType: 'application/octet-stream',
    content,
    disposition: 'attachment',
    related: false,
    depth: 0,
    ...extra,
  };
}

const email = (parts: EmailPart[], extra: Partial<ParsedEmail> = {}): ParsedEmail => ({
  from: [{ address: 'alice@example.com' }],
  subject: 'Test',
  text: '',
  parts,
  encrypted: false,
  ...extra,
});

describe('buildFaxDocument: choosing what to fax', () => {
  it('sends a lone PDF unchanged and counts its pages', async () => {
    const email = await parseEmail(raw('pdf-attachment.eml'));
    const document = faxed(await buildFaxDocument(email, OPTIONS));
    expect(document.passthrough).toBe(true);
    expect(Buffer.from(document.pdf).equals(email.parts[0]?.content ?? Buffer.alloc(0))).toBe(true);
    expect(document.pages).toBe(3);
    expect(document.files).toEqual([{ filename: 'report.pdf', pages: 3 }]);
    expect(document.skipped).toEqual([]);
  });

  it('recognises a PDF by its bytes whatever its declared type', async () => {
    expect(names(faxed(await build('octet-stream-pdf.eml')))).toEqual(['scan']);
  });

  it('finds PDFs Apple Mail puts inline between HTML fragments, and joins them in order', async () => {
    const document = faxed(await build('apple-inline-pdfs.eml'));
    expect(document.files).toEqual([
      { filename: 'attachment1.pdf', pages: 1 },
      { filename: 'attachment2.pdf', pages: 2 },
    ]);
    expect(document.passthrough).toBe(false);
    expect(await pageSizes(document.pdf)).toHaveLength(3);
    expect(await pageText(document.pdf, 1)).toEqual(['Page 1']);
  });

  it('leaves out images the HTML shows by cid:, even marked as attachments', async () => {
    const document = faxed(await build('cid-logo-and-pdf.eml'));
    expect(names(document)).toEqual(['report.pdf']);
    expect(document.passthrough).toBe(true);
    expect(refusal(await build('cid-logo-only.eml'))).toEqual({ code: 'no_document' });
  });

  it('drops a small inline signature image beside a real document, but faxes a small photo alone', async () => {
    expect(names(faxed(await build('signature-logo-and-pdf.eml')))).toEqual(['report.pdf']);
    expect(names(faxed(await build('small-inline-photo.eml')))).toEqual(['photo.jpg']);
  });

  it('faxes a photo from a forward of a forward', async () => {
    expect(names(faxed(await build('forwarded-jpeg.eml')))).toEqual(['aprilfools.jpg']);
  });

  it('does not fax the copy of a file inside a forwarded message again', async () => {
    const document = faxed(await build('forwarded-copy.eml'));
    expect(document.files).toEqual([
      { filename: 'report.pdf', pages: 3 },
      { filename: 'map.png', pages: 1 },
    ]);
  });

  it('faxes the same file attached twice at the same level twice', async () => {
    expect(names(faxed(await build('same-file-twice.eml')))).toEqual(['blob.png', 'blob.png']);
  });

  it('faxes the PDF and reports the Word file it cannot fax', async () => {
    const document = faxed(await build('docx-and-pdf.eml'));
    expect(names(document)).toEqual(['report.pdf']);
    expect(document.skipped).toEqual([{ filename: 'letter.docx', reason: 'unsupported' }]);
  });

  it('ignores S/MIME signatures and unwraps opaque-signed mail', async () => {
    expect(names(faxed(await build('smime-signed.eml')))).toEqual(['signed.pdf']);
    expect(names(faxed(await build('smime-opaque-signed.eml')))).toEqual(['inside.pdf']);
  });

  it('faxes the files inside winmail.dat', async () => {
    expect(names(faxed(await build('winmail.eml')))).toEqual(['scan.jpg']);
  });
});

describe('buildFaxDocument: refusals', () => {
  it.each<[string, Refusal]>([
    ['no-attachment.eml', { code: 'no_document' }],
    ['only-docx.eml', { code: 'unsupported_document', files: ['letter.docx'] }],
    ['text-named-pdf.eml', { code: 'unsupported_document', files: ['contract.pdf'] }],
    ['declared-pdf-not-pdf.eml', { code: 'unreadable_document', file: 'test.pdf' }],
    ['truncated-pdf.eml', { code: 'unreadable_document', file: 'broken.pdf' }],
    [
      'image-bomb.eml',
      {
        code: 'image_too_large',
        file: 'huge.png',
        width: 20_000,
        height: 20_000,
        limit: 40_000_000,
      },
    ],
    ['encrypted-pdf.eml', { code: 'encrypted_pdf', file: 'locked.pdf' }],
    ['empty-attachment.eml', { code: 'empty_attachment', file: 'contract.pdf' }],
    ['smime-encrypted.eml', { code: 'encrypted_email' }],
    ['pgp-encrypted.eml', { code: 'encrypted_email' }],
    ['winmail-empty.eml', { code: 'winmail_dat', file: 'winmail.dat' }],
  ])('%s → %o', async (name, expected) => {
    expect(refusal(await build(name))).toEqual(expected);
  });

  it('refuses the whole email when one document is unreadable, rather than fax part of it', async () => {
    const outcome = await buildFaxDocument(
      email([part('good.pdf', await makePdf(1)), part('bad.pdf', await makeTruncatedPdf())]),
      OPTIONS,
    );
    expect(refusal(outcome)).toEqual({ code: 'unreadable_document', file: 'bad.pdf' });
  });

  it('refuses an image whose data is damaged', async () => {
    const png = makePng(50, 50);
    const damaged = Buffer.concat([png.subarray(0, 40), png.subarray(60)]);
    const outcome = await buildFaxDocument(email([part('scan.png', damaged)]), OPTIONS);
    expect(refusal(outcome)).toEqual({ code: 'unreadable_document', file: 'scan.png' });
  });

  it.each([
    ['jpeg', 10_000, 5_000],
    ['gif', 65_535, 65_535],
  ] as const)(
    'refuses a %s whose header claims over 40 megapixels',
    async (type, width, height) => {
      const bytes = makeImageHeader(type, width, height);
      const outcome = await buildFaxDocument(email([part('big', bytes)]), OPTIONS);
      expect(refusal(outcome)).toEqual({
        code: 'image_too_large',
        file: 'big',
        width,
        height,
        limit: 40_000_000,
      });
    },
  );

  it('refuses more pages than the limit, counting the cover page', async () => {
    expect(refusal(await build('too-many-pages.eml', { maxPages: 10 }))).toEqual({
      code: 'too_many_pages',
      pages: 12,
      limit: 10,
    });
    expect(faxed(await build('too-many-pages.eml', { maxPages: 12 })).pages).toBe(12);
    const cover = { subject: 'Long', sender: 'alice@example.com', text: 'Hi', recipients: [] };
    expect(refusal(await build('too-many-pages.eml', { maxPages: 12, cover }))).toEqual({
      code: 'too_many_pages',
      pages: 13,
      limit: 12,
    });
  });

  it('refuses a document over the size limit, giving megabytes to one decimal', async () => {
    const big = await makePdf(1, { padding: 2.4 * 1024 * 1024 });
    const outcome = await buildFaxDocument(email([part('big.pdf', big)]), {
      ...OPTIONS,
      maxBytes: 2 * 1024 * 1024,
    });
    expect(refusal(outcome)).toEqual({ code: 'too_large', megabytes: 2.4, limit: 2 });
  });
});

describe('buildFaxDocument: images', () => {
  it.each([
    ['gif.eml', 'drawing.gif'],
    ['tiff-fax.eml', 'fax.tif'],
    ['png-16bit-interlaced.eml', 'deep.png'],
    ['jpeg-cmyk.eml', 'print.jpg'],
    ['jpeg-rotated.eml', 'IMG_0001.jpg'],
  ])('%s becomes Letter pages', async (name, filename) => {
    const document = faxed(await build(name));
    expect(names(document)).toEqual([filename]);
    const sizes = await pageSizes(document.pdf);
    expect(sizes).toHaveLength(document.pages);
    for (const size of sizes) expect(size).toEqual([612, 792]);
  });

  it('gives each page of a multi-page TIFF its own page', async () => {
    expect(faxed(await build('tiff-fax.eml')).files).toEqual([{ filename: 'fax.tif', pages: 2 }]);
  });

  it('uses A4 when asked', async () => {
    const document = faxed(await build('gif.eml', { pageSize: 'a4' }));
    expect(await pageSizes(document.pdf)).toEqual([[595, 842]]);
  });

  it('turns a landscape image a quarter counter-clockwise and fits it inside half-inch margins', async () => {
    const placed = await imagePlacement(faxed(await build('png-landscape.eml')).pdf);
    expect(placed.rotate).toEqual([0, 1, -1, 0, 0, 0]);
    // 400×300 turned: 300 across, 400 down; the 540×720 box is filled exactly.
    expect(placed.size).toEqual([720, 0, 0, 540]);
    expect(placed.at).toEqual([576, 36]);
  });

  it('stands a photo upright from its EXIF orientation', async () => {
    const placed = await imagePlacement(faxed(await build('jpeg-rotated.eml')).pdf);
    expect(placed.rotate).toEqual([0, -1, 1, 0, 0, 0]);
  });

  it('keeps the proportions of fax TIFF pages drawn at 204×98 dpi', async () => {
    const { scale = [] } = await imagePlacement(faxed(await build('tiff-fax.eml')).pdf);
    // 102×60 pixels at 204×98 dpi is 0.5 × 0.61 inches.
    expect((scale[0] ?? 0) / (scale[3] ?? 1)).toBeCloseTo(102 / 204 / (60 / 98), 3);
  });

  it('keeps a portrait image upright, centred', async () => {
    const outcome = await buildFaxDocument(email([part('tall.gif', makeGif(30, 60))]), OPTIONS);
    const placed = await imagePlacement(faxed(outcome).pdf);
    expect(placed.rotate).toEqual([1, 0, 0, 1, 0, 0]);
    expect(placed.size).toEqual([360, 0, 0, 720]);
    expect(placed.at).toEqual([126, 36]);
  });

  it('joins PDFs and images in MIME order', async () => {
    const outcome = await buildFaxDocument(
      email([
        part('photo.jpg', makeJpeg(40, 40)),
        part('report.pdf', await makePdf(2, { size: [595, 842] })),
        part('scan.png', makePng(30, 40)),
      ]),
      OPTIONS,
    );
    const document = faxed(outcome);
    expect(document.files).toEqual([
      { filename: 'photo.jpg', pages: 1 },
      { filename: 'report.pdf', pages: 2 },
      { filename: 'scan.png', pages: 1 },
    ]);
    // The A4 pages are scaled to the configured Letter, like the images.
    expect(await pageSizes(document.pdf)).toEqual([
      [612, 792],
      [612, 792],
      [612, 792],
      [612, 792],
    ]);
  });
});

/** A one-page PDF of `size` points whose page has /Rotate `rotate`, saying `text`. */
async function rotatedPdf(size: [number, number], rotate: number, text: string): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage(size);
  page.drawText(text, { x: 72, y: size[1] - 72, size: 24, font });
  page.setRotation(degrees(rotate));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

const shown = (pages: ShownPage[]) =>
  pages.map((p) => [Math.round(p.width), Math.round(p.height), p.rotate]);

describe('buildFaxDocument: page geometry', () => {
  it('prints a mixed Letter, A4 and landscape fax as portrait pages of the configured size', async () => {
    const outcome = await buildFaxDocument(
      email([
        part('letter.pdf', await makePdf(1)),
        part('a4.pdf', await makePdf(1, { size: [595.28, 841.89] })),
        part('wide.pdf', await makePdf(1, { size: [792, 612] })),
        part('turned.pdf', await rotatedPdf([612, 792], 90, 'Turned')),
        part('legal.pdf', await rotatedPdf([612, 1008], 0, 'Legal')),
      ]),
      OPTIONS,
    );
    const pages = await readPdf(faxed(outcome).pdf);
    expect(shown(pages)).toEqual(Array(5).fill([612, 792, 0]));
    // Nothing is lost in the turning and scaling: every page still says what it said.
    expect(pages.map((p) => p.lines.join(' '))).toEqual([
      'Page 1',
      'Page 1',
      'Page 1',
      'Turned',
      'Legal',
    ]);
  });

  it('turns a landscape page a quarter counter-clockwise and fills the page with it', async () => {
    const outcome = await buildFaxDocument(
      email([part('wide.pdf', await makePdf(1, { size: [792, 612] }))]),
      OPTIONS,
    );
    const document = faxed(outcome);
    expect(document.passthrough).toBe(false);
    // 792×612 turned is 612×792: scale 1, the turned page's bottom-left corner at (612, 0).
    const [matrix] = await pageMatrices(document.pdf, 0);
    expect(round(matrix)).toEqual([0, 1, -1, 0, 612, 0]);
  });

  it('uses A4 for every page when asked, rebuilding a lone Letter PDF', async () => {
    const outcome = await buildFaxDocument(email([part('letter.pdf', await makePdf(2))]), {
      ...OPTIONS,
      pageSize: 'a4',
    });
    const document = faxed(outcome);
    expect(document.passthrough).toBe(false);
    expect(shown(await readPdf(document.pdf))).toEqual(Array(2).fill([595, 842, 0]));
  });

  it('sends a lone PDF of the configured size unchanged, a point off or turned upright by /Rotate', async () => {
    for (const pdf of [
      await makePdf(1, { size: [612.5, 791.4] }),
      await rotatedPdf([792, 612], 270, 'Upright'),
    ]) {
      const document = faxed(await buildFaxDocument(email([part('ok.pdf', pdf)]), OPTIONS));
      expect(document.passthrough).toBe(true);
      expect(Buffer.from(document.pdf).equals(pdf)).toBe(true);
    }
  });

  it('places a page-sized 200 dpi scan 1:1, to the edges of the page', async () => {
    const tiff = makeTiff(1700, 2200, { resolution: [200, 200] });
    const outcome = await buildFaxDocument(email([part('scan.tif', tiff)]), OPTIONS);
    const placed = await imagePlacement(faxed(outcome).pdf);
    // 1700×2200 pixels at 200 dpi are 612×792 points: no margins, no scaling.
    expect(placed.size).toEqual([612, 0, 0, 792]);
    expect(placed.at).toEqual([0, 0]);
  });

  it('places a scan 4% short of the page at its own resolution, centred, never enlarged', async () => {
    const tiff = makeTiff(1632, 2112, { resolution: [200, 200] });
    const outcome = await buildFaxDocument(email([part('scan.tif', tiff)]), OPTIONS);
    const placed = await imagePlacement(faxed(outcome).pdf);
    expect(placed.size).toEqual([588, 0, 0, 760]);
    expect(placed.at).toEqual([12, 16]);
  });

  it('keeps the half-inch margins for a scan that is not page-sized', async () => {
    const tiff = makeTiff(1000, 2200, { resolution: [200, 200] });
    const placed = await imagePlacement(
      faxed(await buildFaxDocument(email([part('strip.tif', tiff)]), OPTIONS)).pdf,
    );
    expect(placed.at?.[1]).toBe(36);
  });
});

describe('buildFaxDocument: cover page', () => {
  const cover = {
    subject: 'Referral for Jane Roe',
    sender: 'alice@example.com',
    text: 'Dr. Smith, here it is.',
    recipients: [{ name: 'Dr. Smith', number: '+1 212-555-0100' }],
  };

  it('puts a cover page first and counts it', async () => {
    const document = faxed(await build('body-with-text.eml', { cover }));
    expect(document.passthrough).toBe(false);
    expect(document.pages).toBe(4);
    expect(document.files).toEqual([
      { filename: 'referral.pdf', pages: 2 },
      { filename: 'photo.jpg', pages: 1 },
    ]);
    const [first] = await readPdf(document.pdf);
    expect(first?.lines).toEqual(
      expect.arrayContaining([
        'To: Dr. Smith, fax +1 212-555-0100',
        'Subject: Referral for Jane Roe',
        'From: alice@example.com',
        'Date: Mar 3, 2025, 2:05 PM UTC',
        'Pages: 4 pages including this cover',
        'Dr. Smith, here it is.',
      ]),
    );
    expect(await pageText(document.pdf, 1)).toEqual(['Page 1']);
  });

  it('never passes a lone PDF through when a cover page goes in front', async () => {
    const document = faxed(await build('pdf-attachment.eml', { cover }));
    expect(document.passthrough).toBe(false);
    expect(document.pages).toBe(4);
  });
});
