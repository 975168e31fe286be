// Messages and files at and past every limit: each ends in a clear refusal or a correct fax,
// never a crash, a hang or a silent drop. (Memory and time are measured in bench/, not here.)
import fc from 'fast-check';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { makeGif, makePdf, makePng, makeTiff } from '../../fixtures/documents';
import { hasActiveContent } from '../../functions/core/inbound/document/active-content';
import { addImagePages, inspectImage } from '../../functions/core/inbound/document/images';
import type { InboundOutcome, InboundSettings } from '../../functions/core/inbound/process-inbound';
import {
  ACTIVE_MARKERS,
  activePdf,
  countLie,
  cyclicPageTree,
  hugePageTree,
  pngBomb,
  sharedBranches,
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
    expect(notice?.text).toContain(
      'Your fax was not sent: The email has more than 1,000 attachments and parts, more than this fax service reads.',
    );
    expect(notice?.subject).toBe('Re: Referral');
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
    expect(notice?.subject.length).toBeLessThanOrEqual(210);
    expect(notice?.subject).toMatch(/^Re: Referral and more and more .*…$/);
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
      subject: 'Re: Referral',
      inReplyTo: '<original-1@example.com>',
    });
    expect(notice?.text).toContain(
      'Your fax was not sent: The email could not be read: its headers or structure are too large or damaged.',
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
