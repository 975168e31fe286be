import { PDFDocument, type PDFFont } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../../../../fixtures/documents';
import { PAGE_SIZES } from '../../../../../functions/core/inbound/document/build-document';
import {
  addCoverPages,
  type CoverContent,
  fitLines,
  printable,
} from '../../../../../functions/core/inbound/document/cover-page';
import { embedFonts } from '../../../../../functions/core/inbound/document/fonts';
import { readPdf } from '../../../../support/pdf-reader';

const CONTENT: CoverContent = {
  subject: 'Referral for Jane Roe',
  sender: 'Alice Example <alice@example.com>',
  recipients: [{ name: 'Dr. Smith', number: '+1 212-555-0100' }],
  organisation: 'Example Clinic',
  phone: '+1 212-555-0199',
  notice: 'CONFIDENTIAL: for the named recipient only.',
  text: 'Dr. Smith,\n\nPlease find the referral attached.',
  date: new Date('2025-03-03T14:05:00Z'),
  documentPages: 2,
};

async function coverOf(content: Partial<CoverContent>, pageSize = PAGE_SIZES.letter) {
  const doc = await PDFDocument.load(await makePdf(2), { updateMetadata: false });
  const added = await addCoverPages(doc, { ...CONTENT, ...content }, pageSize);
  const pdf = await doc.save();
  const pages = await readPdf(pdf);
  return { added, doc, pdf, pages, text: pages[0]?.lines ?? [] };
}

let font: PDFFont;
beforeAll(async () => {
  font = (await embedFonts(await PDFDocument.create())).regular;
});

describe('addCoverPages', () => {
  it('names the recipient, the sender, organisation, callback, date, pages, subject, text and notice', async () => {
    const { doc, text, added } = await coverOf({});
    expect(doc.getPageCount()).toBe(3);
    expect(added).toEqual({ pages: 1, unprintable: [] });
    expect(text).toEqual([
      'FAX',
      'To: Dr. Smith, fax +1 212-555-0100',
      'From: Alice Example <alice@example.com>',
      'Company: Example Clinic',
      'Callback: +1 212-555-0199',
      'Date: Mar 3, 2025, 2:05 PM UTC',
      'Pages: 3 pages including this cover',
      'Subject: Referral for Jane Roe',
      'Dr. Smith,',
      'Please find the referral attached.',
      'CONFIDENTIAL: for the named recipient only.',
    ]);
  });

  it('lists every recipient, and leaves out the rows and notice not configured', async () => {
    const { text } = await coverOf({
      recipients: [
        { name: 'Dr. Smith', number: '+1 212-555-0100' },
        { number: '+44 20 7946 0000' },
      ],
      organisation: undefined,
      phone: undefined,
      notice: undefined,
    });
    expect(text.slice(1, 3)).toEqual([
      'To: Dr. Smith, fax +1 212-555-0100',
      'Fax +44 20 7946 0000',
    ]);
    expect(text.join('\n')).not.toMatch(/Company|Callback|CONFIDENTIAL/);
  });

  it('shows the date in the given time zone, and leaves it out when unknown', async () => {
    expect((await coverOf({ timeZone: 'America/Chicago' })).text).toContain(
      'Date: Mar 3, 2025, 8:05 AM CST',
    );
    expect((await coverOf({ date: undefined })).text.join('\n')).not.toContain('Date:');
  });

  it('uses the configured page size', async () => {
    const { pages } = await coverOf({}, PAGE_SIZES.a4);
    expect([pages[0]?.width, pages[0]?.height]).toEqual([595.28, 841.89]);
  });

  it('draws symbols, Greek, Cyrillic and Polish as written', async () => {
    const { text, added } = await coverOf({
      subject: 'Dose ≥ 5 mg, ≤ 10 µg ± 2 °C, €5',
      sender: 'Иван Петров <ivan@example.com>',
      text: 'Łódź, Ελληνικά, naïve café – “ok”',
    });
    expect(added.unprintable).toEqual([]);
    // The micro sign and Greek mu share DejaVu's glyph, which reads back as mu: NFKC makes them one.
    expect(text.map((l) => l.normalize('NFKC'))).toContain(
      'Subject: Dose ≥ 5 mg, ≤ 10 µg ± 2 °C, €5'.normalize('NFKC'),
    );
    expect(text).toContain('From: Иван Петров <ivan@example.com>');
    expect(text).toContain('Łódź, Ελληνικά, naïve café – “ok”');
  });

  it('names the characters no font draws instead of turning them into question marks', async () => {
    const { text, added } = await coverOf({ subject: '請求書 invoice', text: 'Hello 你好' });
    expect(added.unprintable.sort()).toEqual(['你', '好', '書', '求', '請'].sort());
    expect(text).toContain('Subject: □□□ invoice');
    expect(text.join('\n')).not.toContain('?');
  });

  it('continues a long body on further pages, counted in the total, to its last line', async () => {
    const body = Array.from({ length: 80 }, (_, i) => `Line ${i + 1} of the message.`).join('\n');
    const { doc, pages, added } = await coverOf({ text: body });
    expect(added.pages).toBe(3);
    expect(doc.getPageCount()).toBe(5);
    expect(pages[0]?.lines).toContain('Pages: 5 pages including this cover');
    expect(pages[1]?.lines[0]).toBe('Message, continued (page 2 of 5)');
    const shown = pages.slice(0, 3).flatMap((p) => p.lines.filter((l) => /^Line \d+/.test(l)));
    expect(shown).toEqual(Array.from({ length: 80 }, (_, i) => `Line ${i + 1} of the message.`));
    expect(pages[2]?.lines.at(-1)).toBe('Line 80 of the message.');
  });

  it('shows three lines of a 200,000-character subject and of a 200,000-character name', async () => {
    const { text } = await coverOf({ subject: 's'.repeat(200_000), sender: 'n'.repeat(200_000) });
    const subject = text.filter((line) => /^(Subject: )?s+…?$/.test(line));
    expect(subject).toHaveLength(3);
    expect(subject[2]).toMatch(/…$/);
    expect(text.filter((line) => /^(From: )?n+…?$/.test(line))).toHaveLength(2);
  });
});

describe('printable', () => {
  it.each([
    ['plain ASCII', 'plain ASCII'],
    ['Łódź ą ş ≥', 'Łódź ą ş ≥'],
    ['tab\there', 'tab    here'],
    ['bell\u0007 and zero\u200bwidth', 'bell and zerowidth'],
    ['narrow\u202fspace', 'narrow space'],
    ['line\r\nbreak', 'line\nbreak'],
    ['漢字', '□□'],
  ])('%j → %j', (input, expected) => {
    expect(printable(input, font)).toBe(expected);
  });
});

describe('fitLines', () => {
  const width = 200;
  const widthOf = (s: string) => font.widthOfTextAtSize(s, 13);

  it('wraps at spaces within the width, keeping paragraphs', () => {
    const lines = fitLines(
      'The quick brown fox jumps over the lazy dog again and again.\n\nNext',
      font,
      width,
      10,
    );
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(widthOf(line)).toBeLessThanOrEqual(width);
    expect(lines.slice(-2)).toEqual(['', 'Next']);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe(
      'The quick brown fox jumps over the lazy dog again and again. Next',
    );
  });

  it('breaks a word longer than the line', () => {
    const lines = fitLines('x'.repeat(200), font, width, 10);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe('x'.repeat(200));
  });

  it('cuts a 200,000-character word only as far as the lines it keeps, each line as full as fits', () => {
    const lines = fitLines('x'.repeat(200_000), font, width, 3);
    expect(lines).toHaveLength(3);
    const full = 'x'.repeat(lines[0]?.length ?? 0);
    expect(widthOf(full)).toBeLessThanOrEqual(width);
    expect(widthOf(`${full}x`)).toBeGreaterThan(width);
    expect(lines.slice(0, 2)).toEqual([full, full]);
    expect(lines[2]).toMatch(/^x+…$/);
  });

  it('ends the last allowed line with an ellipsis when text is left over', () => {
    const lines = fitLines('one two three four five six seven eight nine ten', font, 60, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/…$/);
    expect(widthOf(lines[1] ?? '')).toBeLessThanOrEqual(60);
  });
});
