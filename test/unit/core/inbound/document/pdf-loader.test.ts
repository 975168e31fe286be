import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { PDFDocument, PDFParser } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { makeEncryptedPdf, makePdf, makeTruncatedPdf } from '../../../../../fixtures/documents';
import { FIXTURE_DIR } from '../../../../../fixtures/generate';
import { documentType } from '../../../../../functions/core/inbound/document/document-type';
import {
  loadPdfDocument,
  MAX_INFLATED_BYTES,
  PdfTooBigToOpenError,
  pdfBudget,
  QuickPdfParser,
} from '../../../../../functions/core/inbound/document/pdf-loader';
import { parseEmail } from '../../../../../functions/core/inbound/mail/parse-email';
import {
  handWrittenPdf,
  hugePageTree,
  objectStreamBomb,
  xrefStreamBomb,
} from '../../../../support/hostile-files';
import { realEmailsDir, sharedName } from '../../../../support/paths';

const realDir = realEmailsDir;

const START = { line: 0, column: 0, offset: 0 };

/** Where each parser ends a stream whose data starts at byte 0 of `bytes`, and where it stops. */
function streamEnd(parser: PDFParser): { end: number; after: number } | 'unterminated' {
  const probe = parser as unknown as {
    findEndOfStreamFallback(start: typeof START): number;
    bytes: { offset(): number };
  };
  try {
    const end = probe.findEndOfStreamFallback(START);
    return { end, after: probe.bytes.offset() };
  } catch {
    return 'unterminated';
  }
}

/**
 * A PDF as scanners write it: each stream's /Length an indirect object after the stream, with
 * the given data, so pdf-lib must find every `endstream` by searching.
 */
function scannerStylePdf(streams: string[]): Buffer {
  const parts: string[] = ['%PDF-1.4\n'];
  const offsets: number[] = [];
  const at = () => Buffer.byteLength(parts.join(''), 'latin1');
  const object = (n: number, body: string) => {
    offsets[n] = at();
    parts.push(`${n} 0 obj\n${body}\nendobj\n`);
  };
  const kids = streams.map((_, i) => `${3 + 2 * i} 0 R`).join(' ');
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(2, `<< /Type /Pages /Kids [ ${kids} ] /Count ${streams.length} >>`);
  streams.forEach((data, i) => {
    const page = 3 + 2 * i;
    const contents = 3 + 2 * streams.length + i;
    object(
      page,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contents} 0 R >>`,
    );
    object(page + 1, String(data.length));
  });
  streams.forEach((data, i) => {
    const contents = 3 + 2 * streams.length + i;
    object(contents, `<< /Length ${4 + 2 * i} 0 R >>\nstream\n${data}\nendstream`);
  });
  const xref = at();
  const size = offsets.length;
  parts.push(`xref\n0 ${size}\n0000000000 65535 f \n`);
  for (let n = 1; n < size; n++) parts.push(`${String(offsets[n]).padStart(10, '0')} 00000 n \n`);
  parts.push(`trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.from(parts.join(''), 'latin1');
}

/** Both loads, saved the same way: equal bytes mean the same objects with the same contents. */
async function bothWays(bytes: Uint8Array) {
  const load = async (open: () => Promise<PDFDocument>) => {
    try {
      const doc = await open();
      return {
        pages: doc.getPageCount(),
        encrypted: doc.isEncrypted,
        objects: doc.context.enumerateIndirectObjects().length,
        saved: Buffer.from(await doc.save({ useObjectStreams: false })).toString('base64'),
      };
    } catch (error) {
      return { failed: (error as Error).name };
    }
  };
  return {
    quick: await load(() => loadPdfDocument(bytes)),
    pdfLib: await load(() =>
      PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false }),
    ),
  };
}

async function pdfsIn(dir: string): Promise<[string, Buffer][]> {
  const found: [string, Buffer][] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.eml'))) {
    try {
      const email = await parseEmail(readFileSync(path.join(dir, file)));
      for (const part of email.parts) {
        if (documentType(part.content) === 'pdf')
          found.push([`${file}/${part.filename}`, part.content]);
      }
    } catch {
      // Not a message this test is about.
    }
  }
  return found;
}

describe('QuickPdfParser', () => {
  it('ends a stream exactly where pdf-lib does, for any bytes', () => {
    const token = fc.constantFrom(
      'stream',
      'endstream',
      '\r\nendstream',
      '\rendstream',
      '\nendstream',
      '\r',
      '\n',
      '\r\n',
      'end',
      'str',
      'eam',
      'x',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), (tokens) => {
        const bytes = Buffer.from(tokens.join(''), 'latin1');
        expect(streamEnd(new QuickPdfParser(bytes))).toEqual(streamEnd(new PDFParser(bytes)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('loadPdfDocument', () => {
  it('reads a scanner-style PDF (indirect lengths) into the same document as PDFDocument.load', async () => {
    const pdf = scannerStylePdf([
      'q 612 0 0 792 0 0 cm /Im0 Do Q',
      'binary data that says stream and upstream\r\nendstream-like text',
      'ends with a lone CR\r',
      '',
    ]);
    const { quick, pdfLib } = await bothWays(pdf);
    expect(quick).toEqual(pdfLib);
    expect(quick).toMatchObject({ pages: 4, encrypted: false });
  });

  it('agrees with PDFDocument.load on ordinary, encrypted and damaged PDFs', async () => {
    for (const pdf of [
      await makePdf(3, { padding: 5000 }),
      await makeEncryptedPdf(),
      await makeTruncatedPdf(),
      Buffer.from('%PDF-1.7\n1 0 obj\n<< /Length 5 >>\nstream\nabc'),
    ]) {
      const { quick, pdfLib } = await bothWays(pdf);
      expect(quick).toEqual(pdfLib);
    }
  });

  it('agrees with PDFDocument.load on every PDF in the test emails', async () => {
    const pdfs = await pdfsIn(FIXTURE_DIR);
    expect(pdfs.length).toBeGreaterThan(5);
    for (const [name, pdf] of pdfs) {
      const { quick, pdfLib } = await bothWays(pdf);
      expect({ name, ...quick }).toEqual({ name, ...pdfLib });
    }
  });

  it.runIf(existsSync(realDir))(
    sharedName('agrees with PDFDocument.load on every PDF in the real emails'),
    async () => {
      for (const [name, pdf] of await pdfsIn(realDir)) {
        const { quick, pdfLib } = await bothWays(pdf);
        expect({ name, ...quick }).toEqual({ name, ...pdfLib });
      }
    },
  );
});

/** One page, its page object in an object stream encoded by `encode` and named by `filters`. */
function encodedObjectStream(filters: string, encode: (text: Buffer) => Buffer): Buffer {
  const text = Buffer.from('4 0 << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>', 'latin1');
  const data = encode(text);
  return handWrittenPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Count 1 /Kids [4 0 R] >>',
    `<< /Type /ObjStm /N 1 /First 4 /Filter ${filters} /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream`,
  ]);
}

/** RunLength-encoded: every two bytes stand for 128 spaces. */
const runLengthSpaces = (runs: number) =>
  Buffer.concat([Buffer.alloc(2 * runs, 0).fill(Buffer.from([0x81, 0x20])), Buffer.from([0x80])]);

describe('loadPdfDocument: object and cross-reference streams', () => {
  it('reads them into the same document as PDFDocument.load, whatever their filters', async () => {
    const written = await PDFDocument.load(await makePdf(3));
    const compact = await written.save({ useObjectStreams: true });
    expect(Buffer.from(compact).toString('latin1')).toContain('/ObjStm');
    const hex = (data: Buffer) => Buffer.from(data.toString('hex'), 'latin1');
    for (const pdf of [
      compact,
      encodedObjectStream('/FlateDecode', (text) => deflateSync(text)),
      encodedObjectStream('[/ASCIIHexDecode /FlateDecode]', (text) => hex(deflateSync(text))),
      encodedObjectStream('[/FlateDecode /FlateDecode]', (t) => deflateSync(deflateSync(t))),
      encodedObjectStream('/RunLengthDecode', (text) =>
        Buffer.concat([Buffer.from([text.length - 1]), text, Buffer.from([0x80])]),
      ),
      await objectStreamBomb(1),
      await xrefStreamBomb(1),
    ]) {
      const { quick, pdfLib } = await bothWays(pdf);
      expect(quick).toMatchObject({ pages: expect.any(Number) });
      expect(quick).toEqual(pdfLib);
    }
  });

  it('stops inflating at the budget, and says so', async () => {
    await expect(loadPdfDocument(await objectStreamBomb(40))).rejects.toThrow(PdfTooBigToOpenError);
    const budget = { ...pdfBudget(), inflatedBytes: 512 * 1024 };
    await expect(loadPdfDocument(await objectStreamBomb(1), budget)).rejects.toThrow(
      PdfTooBigToOpenError,
    );
  });

  it('stops any filter at the budget, not only FlateDecode', async () => {
    const runs = Math.ceil(MAX_INFLATED_BYTES / 128) + 1;
    const pdf = encodedObjectStream('/RunLengthDecode', () => runLengthSpaces(runs));
    await expect(loadPdfDocument(pdf)).rejects.toThrow(PdfTooBigToOpenError);
  });

  it('counts the entries a cross-reference stream claims against the objects it may make', async () => {
    await expect(loadPdfDocument(await xrefStreamBomb(1, { entries: 3_000_000 }))).rejects.toThrow(
      PdfTooBigToOpenError,
    );
  });

  it('shares one budget between the PDFs of an email', async () => {
    const pdf = hugePageTree(1000);
    const budget = { ...pdfBudget(), objects: 15_000 };
    const first = await loadPdfDocument(pdf, budget);
    expect(first.getPageCount()).toBe(1000);
    expect(budget.objects).toBeLessThan(10_000);
    await expect(loadPdfDocument(pdf, budget)).rejects.toThrow(PdfTooBigToOpenError);
  });
});
