// Messages and files at and past every limit: each ends in a clear refusal or a correct fax,
// never a crash, a hang or a silent drop. (Memory and time are measured in bench/, not here.)
import fc from 'fast-check';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { makeGif, makePdf, makePng, makeTiff, makeTnef } from '../../fixtures/documents';
import { hasActiveContent } from '../../functions/core/inbound/document/active-content';
import { addImagePages, inspectImage } from '../../functions/core/inbound/document/images';
import type { InboundOutcome, InboundSettings } from '../../functions/core/inbound/process-inbound';
import {
  ACTIVE_MARKERS,
  activePdf,
  countLie,
  cyclicPageTree,
  deflatedTiff,
  hugePageTree,
  objectStreamBomb,
  pngBomb,
  sharedBranches,
  type TiffPage,
  xrefStreamBomb,
} from '../support/hostile-files';
import {
  composeMail,
  faxAddress,
  type MemoryDeps,
  memoryDeps,
  type ReceivedOptions,
  runInbound,
  SENDER,
} from '../support/inbound-harness';
import { readPdf } from '../support/pdf-reader';

const tally = { inputs: 0, faxed: 0, refused: 0 };

afterAll(() => {
  console.info(`limits: ${tally.inputs} inputs, ${tally.faxed} faxed, ${tally.refused} refused`);
});

/** Runs one message and checks that it ended in exactly one of a fax or a refusal notice. */
async function deliver(
  raw: Buffer,
  options: ReceivedOptions & { settings?: Partial<InboundSettings>; deps?: MemoryDeps } = {},
) {
  tally.inputs += 1;
  const result = await runInbound(raw, options);
  const { outcome, deps } = result;
  if (outcome.kind === 'faxed') tally.faxed += 1;
  if (outcome.kind === 'refused') {
    tally.refused += 1;
    expect(outcome.noticeSent).toBe(true);
    expect(deps.fax.requests).toHaveLength(0);
  }
  expect(deps.mailer.sent.every((n) => n.to === (options.source ?? SENDER))).toBe(true);
  return { ...result, notice: deps.mailer.sent[0] };
}

const refusal = (outcome: InboundOutcome) =>
  outcome.kind === 'refused' ? outcome.refusal : { unexpected: outcome };

const withPdf = async (pdf: Uint8Array, filename = 'document.pdf') =>
  composeMail({ attachments: [{ filename, content: Buffer.from(pdf) }] });

describe('size and structure limits of the message', () => {
  it('a 30 MB message carrying a 21 MB PDF: faxed, the sender’s bytes unchanged', async () => {
    const pdf = await makePdf(3, { padding: 21 * 1024 * 1024 });
    const raw = await withPdf(pdf);
    expect(raw.length).toBeGreaterThan(28 * 1024 * 1024);
    expect(raw.length).toBeLessThanOrEqual(30 * 1024 * 1024);
    const { outcome, deps } = await deliver(raw);
    expect(outcome).toMatchObject({ kind: 'faxed', pages: 3, results: [{ kind: 'queued' }] });
    const sent = deps.media.documents.values().next().value as Uint8Array;
    expect(Buffer.compare(Buffer.from(sent), pdf)).toBe(0);
  });

  it('1,000 attachments: refused as too many, in plain words', async () => {
    const attachments = Array.from({ length: 1000 }, (_, i) => ({
      filename: `page-${i}.txt`,
      content: `page ${i}`,
    }));
    const { outcome, notice } = await deliver(await composeMail({ attachments }), {
      commonHeaders: { from: [`Alice Doctor <${SENDER}>`], subject: 'Referral' },
    });
    expect(refusal(outcome)).toEqual({ code: 'too_many_attachments', limit: 1000 });
    expect(notice?.text.split('\n\n')[2]).toBe(
      'The email has more than 1,000 attachments and parts, more than this fax service reads.',
    );
    expect(notice?.subject).toBe('Fax not sent: Referral');
  });

  it('1,000 attachments from an authenticated sender who is not allowed: told so, not more', async () => {
    const attachments = Array.from({ length: 1000 }, (_, i) => ({
      filename: `${i}.txt`,
      content: 'x',
    }));
    const raw = await composeMail({ from: 'mallory@example.net', attachments });
    const { outcome } = await deliver(raw, {
      source: 'mallory@example.net',
      commonHeaders: { from: ['Mallory <mallory@example.net>'] },
    });
    expect(refusal(outcome)).toEqual({ code: 'sender_not_allowed', sender: 'mallory@example.net' });
  });

  it('1,000 attachments from an unauthenticated sender: dropped without a reply', async () => {
    const attachments = Array.from({ length: 1000 }, (_, i) => ({
      filename: `${i}.txt`,
      content: 'x',
    }));
    const { outcome, deps } = await deliver(await composeMail({ attachments }), {
      verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' },
    });
    expect(outcome).toMatchObject({ kind: 'dropped' });
    expect(deps.mailer.sent).toHaveLength(0);
  });

  it('multipart nested 100 deep with the PDF at the bottom: faxed', async () => {
    const pdf = (await makePdf(1)).toString('base64');
    let body = `Content-Type: application/pdf; name="deep.pdf"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="deep.pdf"\r\n\r\n${pdf}\r\n`;
    for (let depth = 100; depth >= 1; depth--) {
      body = `Content-Type: multipart/mixed; boundary="b${depth}"\r\n\r\n--b${depth}\r\n${body}--b${depth}--\r\n`;
    }
    const raw = Buffer.from(
      `From: Alice <${SENDER}>\r\nTo: ${faxAddress('+13125551234')}\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`,
    );
    const { outcome } = await deliver(raw);
    expect(outcome).toMatchObject({ kind: 'faxed', pages: 1 });
  });

  it('messages forwarded 100 deep: refused as having no document, past the tenth level', async () => {
    let inner = `From: Bob <bob@example.org>\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\nhello\r\n`;
    for (let depth = 1; depth <= 100; depth++) {
      inner = `From: Alice <${SENDER}>\r\nSubject: Fwd ${depth}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="f${depth}"\r\n\r\n--f${depth}\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n--f${depth}--\r\n`;
    }
    const raw = Buffer.from(`To: ${faxAddress('+13125551234')}\r\n${inner}`);
    const { outcome } = await deliver(raw);
    expect(refusal(outcome)).toEqual({ code: 'no_document' });
  });

  it('a 200 KB header: read, and the notice subject stays one short line', async () => {
    const subject = `Referral ${'and more '.repeat(23_000)}`;
    const raw = await composeMail({ subject, attachments: [] });
    const { outcome, notice } = await deliver(raw);
    expect(refusal(outcome)).toEqual({ code: 'no_document' });
    expect(notice?.subject.length).toBeLessThanOrEqual('Fax not sent: '.length + 200);
    expect(notice?.subject).toMatch(/^Fax not sent: Referral and more and more .*…$/);
  });

  it('a header over 1 MB that the parser will not read: refused as too complex, judged by SES', async () => {
    const raw = await composeMail({ headers: { 'X-Padding': 'x'.repeat(1_100_000) } });
    const { outcome, notice } = await deliver(raw, {
      commonHeaders: {
        from: [`"Alice Doctor" <${SENDER}>`],
        subject: 'Referral',
        messageId: '<original-1@example.com>',
      },
    });
    expect(refusal(outcome)).toEqual({ code: 'email_too_complex' });
    expect(notice).toMatchObject({
      subject: 'Fax not sent: Referral',
      inReplyTo: '<original-1@example.com>',
    });
    expect(notice?.text.split('\n\n')[2]).toBe(
      'The email could not be read: its headers or structure are too large or damaged.',
    );
  });
});

describe('page trees that lie or explode', () => {
  it('a root claiming 100,000 pages over one real page: too many pages', async () => {
    const { outcome } = await deliver(await withPdf(countLie(100_000)));
    expect(refusal(outcome)).toEqual({ code: 'too_many_pages', pages: 100_000, limit: 100 });
  });

  it('100,000 real pages: too many pages, counted without building them all', async () => {
    const { outcome } = await deliver(await withPdf(hugePageTree(100_000)));
    expect(refusal(outcome)).toEqual({ code: 'too_many_pages', pages: 100_000, limit: 100 });
  });

  it('2^40 pages from 42 objects (shared branches), under a root claiming one: too many pages', async () => {
    const { outcome } = await deliver(await withPdf(sharedBranches(40)));
    expect(refusal(outcome)).toMatchObject({ code: 'too_many_pages', limit: 100 });
  });

  it('a page tree that contains itself: unreadable', async () => {
    const { outcome } = await deliver(await withPdf(cyclicPageTree(), 'loop.pdf'));
    expect(refusal(outcome)).toEqual({ code: 'unreadable_document', file: 'loop.pdf' });
  });

  it('an honest 101-page PDF is still counted exactly', async () => {
    const { outcome } = await deliver(await withPdf(hugePageTree(101)));
    expect(refusal(outcome)).toEqual({ code: 'too_many_pages', pages: 101, limit: 100 });
  });
});

describe('images that would unpack past memory', () => {
  it('a 20,000 × 20,000 PNG (a real decompression bomb): refused by size, never decoded', async () => {
    const bomb = pngBomb(20_000, 20_000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const raw = await composeMail({ attachments: [{ filename: 'scan.png', content: bomb }] });
    const { outcome, notice } = await deliver(raw);
    expect(refusal(outcome)).toEqual({
      code: 'image_too_large',
      file: 'scan.png',
      width: 20_000,
      height: 20_000,
      limit: 40_000_000,
    });
    expect(notice?.text).toContain(
      'The image "scan.png" is 20000 × 20000 pixels, more than this fax service opens (40 million pixels).',
    );
  });

  it('damaged PNG, GIF and TIFF files never hang the decoders (a cut or flipped byte)', async () => {
    const sources = [
      ['png', makePng(64, 48)],
      ['gif', makeGif(64, 48)],
      ['tiff', makeTiff(64, 48)],
    ] as const;
    const quiet = console.log;
    console.log = () => {}; // omggif reports short streams on the console
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...sources),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
            minLength: 1,
            maxLength: 8,
          }),
          fc.option(fc.nat(), { nil: undefined }),
          async ([type, source], flips, cut) => {
            tally.inputs += 1;
            const bytes = Buffer.from(source);
            for (const [at, mask] of flips) {
              const i = at % bytes.length;
              bytes[i] = (bytes[i] ?? 0) ^ mask;
            }
            const damaged = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
            try {
              inspectImage(damaged, type);
              const doc = await PDFDocument.create();
              await addImagePages(doc, damaged, type, { width: 612, height: 792 });
            } catch {
              // Refusing a damaged image is fine; hanging or exhausting memory is not.
            }
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      console.log = quiet;
    }
  });
});

describe('PDFs with scripts or embedded files', () => {
  it('are faxed rebuilt from their pages: no script, action or embedded file goes on', async () => {
    const pdf = await activePdf();
    const source = pdf.toString('latin1');
    for (const marker of ACTIVE_MARKERS) expect(source).toContain(marker);
    const { outcome, deps } = await deliver(await withPdf(pdf, 'form.pdf'));
    expect(outcome).toMatchObject({ kind: 'faxed', pages: 2, results: [{ kind: 'queued' }] });
    const sent = deps.media.documents.values().next().value as Uint8Array;
    const text = Buffer.from(sent).toString('latin1');
    for (const marker of [...ACTIVE_MARKERS, '/AA', '/EF ']) expect(text).not.toContain(marker);
    const reloaded = await PDFDocument.load(sent);
    expect(reloaded.getPageCount()).toBe(2);
    expect(hasActiveContent(reloaded)).toBe(false);
  });

  it('a plain PDF still goes out byte for byte', async () => {
    const pdf = await makePdf(2);
    const deps = memoryDeps();
    await deliver(await withPdf(pdf), { deps });
    const sent = deps.media.documents.values().next().value as Uint8Array;
    expect(Buffer.compare(Buffer.from(sent), pdf)).toBe(0);
  });
});

// Each of these took seconds to minutes (past the 30 s test timeout) or over a gigabyte before its
// fix; the figures are in issue 11's closing note, not asserted here.
describe('text that costs more than its length', () => {
  it('a 319 KB file name of bytes that read as U+FFFD: the name is cut to 255 characters, its extension kept', async () => {
    const name = Buffer.concat([Buffer.alloc(318_000, 0xff), Buffer.from('x.docx')]);
    const raw = Buffer.concat([
      Buffer.from(
        [
          `From: Alice Doctor <${SENDER}>`,
          `To: ${faxAddress('+13125551234')}`,
          'Subject: Referral',
          'Message-ID: <long-name@example.com>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="b"',
          '',
          '--b',
          'Content-Type: application/octet-stream',
          'Content-Disposition: attachment; filename="',
        ].join('\r\n'),
        'latin1',
      ),
      name,
      Buffer.from('"\r\n\r\nPK not a document\r\n--b--\r\n', 'latin1'),
    ]);
    expect(raw.length).toBeGreaterThan(318_000);
    const { outcome, notice } = await deliver(raw);
    const refused = refusal(outcome);
    expect(refused).toMatchObject({ code: 'unsupported_document' });
    const [file = ''] = 'files' in refused ? (refused.files as string[]) : [];
    expect(file.length).toBeLessThanOrEqual(255);
    expect(file).toMatch(/^ÿ+…\.docx$/);
    expect(notice?.text).toContain(`cannot fax "ÿÿÿ`);
  });

  it('a winmail.dat whose file name holds 300,000 NULs: the PDF in it faxed under its readable name', async () => {
    const tnef = makeTnef([
      { filename: `${'\0'.repeat(300_000)}scan.pdf`, content: await makePdf(1) },
    ]);
    const raw = await composeMail({ attachments: [{ filename: 'winmail.dat', content: tnef }] });
    const { outcome, deps } = await deliver(raw);
    expect(outcome).toMatchObject({ kind: 'faxed', pages: 1, results: [{ kind: 'queued' }] });
    expect(deps.fax.requests).toHaveLength(1);
  });

  it('a body of 200,000 unclosed "[cid:" placeholders with a cover page: faxed', async () => {
    const raw = await composeMail({
      text: `Please fax this. ${'[cid:'.repeat(200_000)}`,
      attachments: [{ filename: 'letter.pdf', content: await makePdf(1) }],
    });
    const { outcome, deps } = await deliver(raw);
    // The body continues over cover pages up to 20,000 characters; the rest is said, not drawn.
    expect(outcome).toMatchObject({ kind: 'faxed', results: [{ kind: 'queued' }] });
    const pages = await readPdf(deps.media.documents.values().next().value as Uint8Array);
    expect(pages.length).toBeLessThan(12);
    expect(pages.flatMap((p) => p.lines).join('\n')).toMatch(
      /more characters of the message were not printed/,
    );
  });

  it('a 200,000-character subject with a cover page: faxed, the cover showing three lines of it', async () => {
    const raw = await composeMail({
      subject: 'x'.repeat(200_000),
      text: 'Please fax this.',
      attachments: [{ filename: 'letter.pdf', content: await makePdf(1) }],
    });
    const { outcome, deps } = await deliver(raw);
    expect(outcome).toMatchObject({ kind: 'faxed', pages: 2, results: [{ kind: 'queued' }] });
    const sent = deps.media.documents.values().next().value as Uint8Array;
    const cover = (await readPdf(sent))[0]?.lines ?? [];
    const subjectLines = cover.filter((line) => /^(Subject: )?x+…?$/.test(line));
    expect(subjectLines).toHaveLength(3);
    expect(subjectLines[2]).toMatch(/…$/);
    expect(cover).toContain('Please fax this.');
  });
});

const tiffMail = (pages: TiffPage[], filename = 'photo.tif') =>
  composeMail({ attachments: [{ filename, content: deflatedTiff(pages) }] });

describe('images that open to more than one email may use', () => {
  it('a 3-page TIFF of a few hundred bytes whose colour pages each claim 6,300 × 6,300: refused unopened', async () => {
    const page: TiffPage = { width: 6300, height: 6300, bitsPerSample: 8, samplesPerPixel: 3 };
    const tiff = deflatedTiff([page, page, page]);
    expect(tiff.length).toBeLessThan(1024);
    const { outcome, notice } = await deliver(await tiffMail([page, page, page]));
    expect(refusal(outcome)).toEqual({
      code: 'image_too_big_to_open',
      file: 'photo.tif',
      megabytes: 341,
      emailMegabytes: 341,
      limit: 256,
    });
    expect(notice?.text).toContain(
      'The image "photo.tif" would be 341 MB once opened, more than this fax service can handle (256 MB of images in one email).',
    );
  });

  it('a 0.3 MB 3-page colour TIFF whose white pages really inflate to 114 MB each: refused unopened', async () => {
    const page: TiffPage = {
      width: 6300,
      height: 6300,
      bitsPerSample: 8,
      samplesPerPixel: 3,
      pixels: true,
    };
    const tiff = deflatedTiff([page, page, page]);
    expect(tiff.length).toBeLessThan(400 * 1024);
    const { outcome } = await deliver(await tiffMail([page, page, page]));
    expect(refusal(outcome)).toMatchObject({ code: 'image_too_big_to_open', megabytes: 341 });
  });

  it('200 black-and-white pages each claiming 36 megapixels (a 7 KB file): refused unopened', async () => {
    const pages = Array.from({ length: 200 }, () => ({ width: 6000, height: 6000 }));
    const { outcome } = await deliver(await tiffMail(pages));
    expect(refusal(outcome)).toEqual({
      code: 'image_too_big_to_open',
      file: 'photo.tif',
      megabytes: 858,
      emailMegabytes: 858,
      limit: 256,
    });
  });

  it('the review’s 15 KB 3-page fax TIFF of 6,300 × 6,300 pages (1.3 GB before): faxed as three pages', async () => {
    const page: TiffPage = { width: 6300, height: 6300, pixels: true };
    const { outcome } = await deliver(await tiffMail([page, page, page]));
    expect(outcome).toMatchObject({ kind: 'faxed', pages: 3, results: [{ kind: 'queued' }] });
  });

  it('images that each fit but together do not: refused at the one that tips the email over', async () => {
    const page: TiffPage = { width: 6000, height: 6000, bitsPerSample: 8, samplesPerPixel: 3 };
    const attachments = ['a.tif', 'b.tif', 'c.tif'].map((filename) => ({
      filename,
      content: deflatedTiff([page]),
    }));
    const { outcome, notice } = await deliver(await composeMail({ attachments }));
    expect(refusal(outcome)).toEqual({
      code: 'image_too_big_to_open',
      file: 'c.tif',
      megabytes: 103,
      emailMegabytes: 309,
      limit: 256,
    });
    expect(notice?.text).toContain('c.tif');
  });

  it('a 20,000 × 20,000 PNG beside a page of text: still refused by its pixels', async () => {
    const raw = await composeMail({
      attachments: [
        { filename: 'letter.pdf', content: await makePdf(1) },
        { filename: 'scan.png', content: pngBomb(20_000, 20_000) },
      ],
    });
    const { outcome } = await deliver(raw);
    expect(refusal(outcome)).toMatchObject({ code: 'image_too_large', file: 'scan.png' });
  });
});

describe('PDFs whose compressed structure unpacks past memory', () => {
  it('a 0.5 MB PDF whose object stream inflates to 512 MiB: refused', async () => {
    const pdf = await objectStreamBomb(512);
    expect(pdf.length).toBeLessThan(600 * 1024);
    const { outcome, notice } = await deliver(await withPdf(pdf, 'bomb.pdf'));
    expect(refusal(outcome)).toEqual({ code: 'pdf_too_big_to_open', file: 'bomb.pdf' });
    expect(notice?.text).toContain('"bomb.pdf"');
  });

  it('a 5 KB PDF whose object stream inflates, in two layers, to 2 GiB: refused', async () => {
    const pdf = await objectStreamBomb(2048, 2);
    expect(pdf.length).toBeLessThan(8 * 1024);
    const { outcome } = await deliver(await withPdf(pdf, 'bomb.pdf'));
    expect(refusal(outcome)).toEqual({ code: 'pdf_too_big_to_open', file: 'bomb.pdf' });
  });

  it('a 1 MB PDF whose cross-reference stream inflates to 1.1 GB: refused', async () => {
    const { outcome } = await deliver(await withPdf(await xrefStreamBomb(1100), 'bomb.pdf'));
    expect(refusal(outcome)).toEqual({ code: 'pdf_too_big_to_open', file: 'bomb.pdf' });
  });

  it('a cross-reference stream claiming 200 million entries it does not hold: refused', async () => {
    const pdf = await xrefStreamBomb(1, { entries: 200_000_000 });
    const { outcome } = await deliver(await withPdf(pdf, 'bomb.pdf'));
    expect(refusal(outcome)).toEqual({ code: 'pdf_too_big_to_open', file: 'bomb.pdf' });
  });

  it('a PDF whose object stream holds a small honest page: faxed', async () => {
    const { outcome } = await deliver(await withPdf(await objectStreamBomb(1), 'small.pdf'));
    expect(outcome).toMatchObject({ kind: 'faxed', pages: 1, results: [{ kind: 'queued' }] });
  });
});
