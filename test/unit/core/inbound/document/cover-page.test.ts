import { PDFDocument, type PDFFont, StandardFonts } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../../../../fixtures/documents';
import { pageText } from '../../../../../fixtures/pdf-content';
import { PAGE_SIZES } from '../../../../../functions/core/inbound/document/build-document';
import {
  addCoverPage,
  type CoverContent,
  fitLines,
  printable,
} from '../../../../../functions/core/inbound/document/cover-page';

const CONTENT: CoverContent = {
  subject: 'Referral for Jane Roe',
  sender: 'alice@example.com',
  text: 'Dr. Smith,\n\nPlease find the referral attached.',
  date: new Date('2025-03-03T14:05:00Z'),
  totalPages: 3,
};

async function coverOf(content: Partial<CoverContent>, pageSize = PAGE_SIZES.letter) {
  const doc = await PDFDocument.load(await makePdf(2), { updateMetadata: false });
  await addCoverPage(doc, { ...CONTENT, ...content }, pageSize);
  const pdf = await doc.save();
  return { doc, pdf, text: await pageText(pdf, 0) };
}

let font: PDFFont;
beforeAll(async () => {
  font = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
});

describe('addCoverPage', () => {
  it('puts a page in front with subject, sender, date, page count and the text', async () => {
    const { doc, text } = await coverOf({});
    expect(doc.getPageCount()).toBe(3);
    expect(text).toEqual([
      'Fax',
      'From:',
      'alice@example.com',
      'Date:',
      'Mar 3, 2025, 2:05 PM UTC',
      'Subject:',
      'Referral for Jane Roe',
      'Pages:',
      '3 pages including this cover',
      'Dr. Smith,',
      '',
      'Please find the referral attached.',
    ]);
  });

  it('shows the date in the given time zone, and leaves it out when unknown', async () => {
    expect((await coverOf({ timeZone: 'America/Chicago' })).text).toContain(
      'Mar 3, 2025, 8:05 AM CST',
    );
    expect((await coverOf({ date: undefined })).text).not.toContain('Date:');
  });

  it('uses the configured page size', async () => {
    const { doc } = await coverOf({}, PAGE_SIZES.a4);
    const page = doc.getPage(0);
    expect([page.getWidth(), page.getHeight()]).toEqual([595.28, 841.89]);
  });

  it('draws Cyrillic, CJK and emoji as question marks instead of failing', async () => {
    const { text } = await coverOf({
      subject: 'Счёт 請求書 🧾',
      sender: 'Đặng <dang@example.com>',
      text: 'Добрый день 😀\nnaïve café – “ok” €5',
    });
    expect(text).toContain('???? ??? ?');
    expect(text).toContain('Dang <dang@example.com>');
    expect(text).toContain('?????? ???? ?');
    expect(text).toContain('naïve café – “ok” €5');
  });

  it('fits a long body on the one page and marks the cut with an ellipsis', async () => {
    const body = Array.from(
      { length: 400 },
      (_, i) => `Line ${i} of a very long message body.`,
    ).join('\n');
    const { doc, text } = await coverOf({ text: body });
    expect(doc.getPageCount()).toBe(3);
    expect(text.at(-1)).toMatch(/…$/);
    expect(text.length).toBeLessThan(60);
  });
});

describe('printable', () => {
  it.each([
    ['plain ASCII', 'plain ASCII'],
    ['Łódź ą ş', 'Lódz a s'],
    ['tab\there', 'tab    here'],
    ['bell\u0007 and zero\u200bwidth', 'bell and zerowidth'],
    ['narrow\u202fspace', 'narrow space'],
    ['𝐁𝐨𝐥𝐝', 'Bold'],
    ['line\r\nbreak', 'line\nbreak'],
  ])('%j → %j', (input, expected) => {
    expect(printable(input, font)).toBe(expected);
  });
});

describe('fitLines', () => {
  const width = 200;
  const widthOf = (s: string) => font.widthOfTextAtSize(s, 12);

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

  it('ends the last allowed line with an ellipsis when text is left over', () => {
    const lines = fitLines('one two three four five six seven eight nine ten', font, 60, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/…$/);
    expect(widthOf(lines[1] ?? '')).toBeLessThanOrEqual(60);
  });
});
