import { PDFArray, PDFDict, PDFDocument, PDFRef, PDFStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { makeFilledForm, makePdf } from '../../../../../fixtures/documents';
import {
  buildFaxDocument,
  type DocumentOptions,
  type FaxDocument,
} from '../../../../../functions/core/inbound/document/build-document';
import type {
  EmailPart,
  ParsedEmail,
} from '../../../../../functions/core/inbound/mail/parse-email';
import { pdfText } from '../../../../support/pdf-reader';

const OPTIONS: DocumentOptions = {
  pageSize: 'letter',
  maxPages: 100,
  maxBytes: 50 * 1024 * 1024,
  cover: false,
};

const COVER = {
  subject: 'Intake form',
  sender: 'alice@example.com',
  text: 'The form for Monday.',
  recipients: [{ name: 'Front desk', number: '+1 212-555-0100' }],
};

const VALUES = { Name: 'Jane Roe', Dose: '≥ 5 mg daily', City: 'Łódź' };

const part = (filename: string, content: Buffer): EmailPart => ({
  filename,
  contentType: 'application/pdf',
  content,
  disposition: 'attachment',
  related: false,
  depth: 0,
});

const email = (parts: EmailPart[]): ParsedEmail => ({
  from: [{ address: 'alice@example.com' }],
  subject: 'Test',
  text: '',
  parts,
  encrypted: false,
});

async function fax(parts: EmailPart[], options: Partial<DocumentOptions> = {}) {
  const outcome = await buildFaxDocument(email(parts), { ...OPTIONS, ...options });
  if (outcome.kind !== 'document') throw new Error(`refused: ${outcome.refusal.code}`);
  return outcome;
}

const hasForm = async (document: FaxDocument) =>
  (await PDFDocument.load(document.pdf)).getForm().getFields().length > 0;

/**
 * References to objects the file does not hold: pdf.js reads past them, poppler (and who knows
 * which renderer at Telnyx) rejects the file's cross-reference table.
 */
async function danglingReferences(pdf: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(pdf);
  const dangling: string[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (depth > 8 || value === undefined) return;
    if (value instanceof PDFRef) {
      if (doc.context.lookup(value) === undefined) dangling.push(value.toString());
      return;
    }
    if (value instanceof PDFArray) for (const item of value.asArray()) walk(item, depth + 1);
    if (value instanceof PDFDict) for (const [, item] of value.entries()) walk(item, depth + 1);
    if (value instanceof PDFStream) walk(value.dict, depth + 1);
  };
  for (const [, object] of doc.context.enumerateIndirectObjects()) walk(object, 0);
  return dangling;
}

describe('buildFaxDocument: filled forms', () => {
  for (const needAppearances of [true, false]) {
    const kind = needAppearances ? 'relying on NeedAppearances' : 'with appearances';

    it(`keeps the values of a form ${kind} when merged with another PDF`, async () => {
      const form = await makeFilledForm({ values: VALUES, needAppearances });
      const document = await fax([part('intake.pdf', form), part('notes.pdf', await makePdf(1))]);
      const text = await pdfText(document.pdf);
      for (const value of Object.values(VALUES)) expect(text).toContain(value);
      expect(text).toContain('Page 1');
      expect(await hasForm(document)).toBe(false);
      expect(await danglingReferences(document.pdf)).toEqual([]);
    });

    it(`keeps the values of a form ${kind} behind a cover page`, async () => {
      const form = await makeFilledForm({ values: VALUES, needAppearances });
      const document = await fax([part('intake.pdf', form)], { cover: COVER });
      const text = await pdfText(document.pdf);
      expect(text).toContain('The form for Monday.');
      for (const value of Object.values(VALUES)) expect(text).toContain(value);
      expect(document.pages).toBe(2);
    });
  }

  it('flattens a lone form whose values have no appearance', async () => {
    const form = await makeFilledForm({ values: VALUES, needAppearances: true });
    expect(await pdfText(form)).not.toContain('Jane Roe');
    const document = await fax([part('intake.pdf', form)]);
    expect(document.passthrough).toBe(false);
    const text = await pdfText(document.pdf);
    for (const value of Object.values(VALUES)) expect(text).toContain(value);
  });

  it('sends a lone form that draws its own values byte for byte', async () => {
    const form = await makeFilledForm({ values: { Name: 'Jane Roe' } });
    const document = await fax([part('intake.pdf', form)]);
    expect(document.passthrough).toBe(true);
    expect(Buffer.from(document.pdf).equals(form)).toBe(true);
  });
});
