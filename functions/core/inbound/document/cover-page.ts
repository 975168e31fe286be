import { type PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import type { PageSize } from './images';

export interface CoverContent {
  subject: string;
  sender: string;
  /** The body's own text (see body-text.ts). */
  text: string;
  date?: Date;
  /** IANA zone the date is shown in; UTC when absent. */
  timeZone?: string;
  /** Pages of the whole fax, this cover included. */
  totalPages: number;
}

const MARGIN = 54;
const TITLE_SIZE = 24;
const SIZE = 12;
const LEADING = 16;
const LABEL_WIDTH = 70;
const MAX_SUBJECT_LINES = 3;
/** More body than fits on a page is never read; this bounds the work on a huge body. */
const MAX_BODY_CHARACTERS = 20_000;

/** Puts a cover page in front of the fax: subject, sender, date, page count and the sender's own text. */
export async function addCoverPage(
  doc: PDFDocument,
  content: CoverContent,
  size: PageSize,
): Promise<void> {
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.insertPage(0, [size.width, size.height]);
  const width = size.width - 2 * MARGIN;
  let y = size.height - MARGIN - TITLE_SIZE;
  page.drawText('Fax', { x: MARGIN, y, size: TITLE_SIZE, font: bold });
  y -= 2 * LEADING;

  const rows: { label: string; value: string; maxLines?: number }[] = [
    { label: 'From', value: content.sender },
    ...(content.date ? [{ label: 'Date', value: formatDate(content.date, content.timeZone) }] : []),
    { label: 'Subject', value: content.subject || '(no subject)', maxLines: MAX_SUBJECT_LINES },
    { label: 'Pages', value: pageCount(content.totalPages) },
  ];
  for (const { label, value, maxLines = 1 } of rows) {
    page.drawText(`${label}:`, { x: MARGIN, y, size: SIZE, font: bold });
    for (const line of fitLines(
      printable(value.replace(/\s+/g, ' '), regular),
      regular,
      width - LABEL_WIDTH,
      maxLines,
    )) {
      page.drawText(line, { x: MARGIN + LABEL_WIDTH, y, size: SIZE, font: regular });
      y -= LEADING;
    }
  }
  y -= LEADING / 2;
  rule(page, y + LEADING / 2, width);
  y -= LEADING;

  const bodyLines = Math.floor((y - MARGIN) / LEADING) + 1;
  const body = printable(content.text.slice(0, MAX_BODY_CHARACTERS), regular);
  for (const line of fitLines(body, regular, width, bodyLines)) {
    page.drawText(line, { x: MARGIN, y, size: SIZE, font: regular });
    y -= LEADING;
  }
}

const pageCount = (pages: number) =>
  `${pages} ${pages === 1 ? 'page' : 'pages'} including this cover`;

function rule(page: PDFPage, y: number, width: number): void {
  page.drawLine({
    start: { x: MARGIN, y },
    end: { x: MARGIN + width, y },
    thickness: 0.75,
    color: rgb(0, 0, 0),
  });
}

function formatDate(date: Date, timeZone = 'UTC'): string {
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat('en-US', { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' }).format(date);
  }
}

// Latin letters that Unicode does not decompose into a base letter and an accent.
const UNDECOMPOSABLE: Record<string, string> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
};

/**
 * Text the standard Helvetica (WinAnsi) can draw: accents it lacks are dropped (ą → a), other
 * characters it cannot encode (Cyrillic, CJK, emoji) become '?', controls go, tabs become spaces.
 */
export function printable(text: string, font: PDFFont): string {
  const encodable = new Set(font.getCharacterSet());
  const canDraw = (c: string) => encodable.has(c.codePointAt(0) ?? 0);
  let out = '';
  for (const c of text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    .replace(/\p{Zs}/gu, ' ')) {
    if (c === '\n' || canDraw(c)) out += c;
    else if (/\p{Cc}|\p{Cf}|\p{M}/u.test(c)) continue;
    else {
      const base = UNDECOMPOSABLE[c] ?? c.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base && [...base].every(canDraw) ? base : '?';
    }
  }
  return out;
}

/** Wraps text to `width`, at most `maxLines` lines; a cut ends its last line with '…'. */
export function fitLines(text: string, font: PDFFont, width: number, maxLines: number): string[] {
  const widthOf = (s: string) => font.widthOfTextAtSize(s, SIZE);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const joined = line ? `${line} ${word}` : word;
      if (widthOf(joined) <= width) {
        line = joined;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (widthOf(line) > width) {
        const cut = longestFit(line, widthOf, width);
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
      if (lines.length > maxLines) break;
    }
    lines.push(line);
    if (lines.length > maxLines) break;
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept.pop() ?? '';
  kept.push(withEllipsis(last, widthOf, width));
  return kept;
}

function longestFit(text: string, widthOf: (s: string) => number, width: number): number {
  let cut = 1;
  while (cut < text.length && widthOf(text.slice(0, cut + 1)) <= width) cut += 1;
  return cut;
}

function withEllipsis(line: string, widthOf: (s: string) => number, width: number): string {
  let kept = line.trimEnd();
  while (kept && widthOf(`${kept}…`) > width) kept = kept.slice(0, -1).trimEnd();
  return `${kept}…`;
}
