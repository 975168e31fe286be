import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { PDFDocument, PDFParser } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { makeEncryptedPdf, makePdf, makeTruncatedPdf } from '../../../../../fixtures/documents';
import { FIXTURE_DIR } from '../../../../../fixtures/generate';
import { documentType } from '../../../../../functions/core/inbound/document/document-type';
import {
  loadPdfDocument,
  QuickPdfParser,
} from '../../../../../functions/core/inbound/document/pdf-loader';
import { parseEmail } from '../../../../../functions/core/inbound/mail/parse-email';
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
