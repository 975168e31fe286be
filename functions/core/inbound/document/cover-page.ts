import { type PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { embedFonts, type Fonts } from './fonts';
import type { PageSize } from './page-geometry';

export interface CoverRecipient {
  /** The display name of the To address, when it has one. */
  name?: string;
  /** The number dialled, as the recipient would write it. */
  number: string;
}

export interface CoverContent {
  subject: string;
  /** Display name and address, as the From header gives them. */
  sender: string;
  recipients: CoverRecipient[];
  /** COVER_ORGANISATION. */
  organisation?: string;
  /** The callback number (COVER_PHONE, else FAX_FROM_NUMBER). */
  phone?: string;
  /** COVER_NOTICE: the confidentiality notice at the foot of the first page. */
  notice?: string;
  /** The body's own text (see body-text.ts). */
  text: string;
  date?: Date;
  /** IANA zone the date is shown in; UTC when absent. */
  timeZone?: string;
  /** Pages of the documents behind the cover pages. */
  documentPages: number;
}

export interface CoverPages {
  /** Cover pages added: one, and more when the message continues. */
  pages: number;
  /** Characters no shipped font can draw (CJK…), each once: the sender is told. */
  unprintable: string[];
}

const MARGIN = 54;
const TITLE_SIZE = 30;
// Fax resolution (204×196 dpi) keeps 12-point type legible; smaller type blurs.
const SIZE = 13;
const LEADING = 18;
const NOTICE_SIZE = 11;
const NOTICE_LEADING = 14;
const LABEL_WIDTH = 92;
const MAX_SUBJECT_LINES = 3;
const MAX_RECIPIENT_LINES = 6;
const MAX_NOTICE_LINES = 8;
/** Past this (some 7 pages) a body is not drawn: its last line says how much was left out. */
const MAX_BODY_CHARACTERS = 20_000;
/** More than three lines of the narrowest letters hold: the rest of a subject or name is never read. */
const MAX_ROW_CHARACTERS = 1000;
/** Drawn where a character has no glyph; the character itself is named in the sender's notice. */
const MISSING_GLYPH = '□';
const MAX_UNPRINTABLE_LISTED = 40;

interface Line {
  text: string;
  font: PDFFont;
  size: number;
  x: number;
  leading: number;
}

/**
 * Puts the cover sheet in front of the fax: who it is for and from, date, pages, subject, the
 * sender's own text (continued on further pages, never cut) and the confidentiality notice.
 */
export async function addCoverPages(
  doc: PDFDocument,
  content: CoverContent,
  size: PageSize,
): Promise<CoverPages> {
  const fonts = await embedFonts(doc);
  const missing = new Set<string>();
  const width = size.width - 2 * MARGIN;
  const draw = (text: string, font: PDFFont) => printable(text, font, missing);

  const notice = content.notice
    ? fitLines(
        draw(content.notice, fonts.regular),
        fonts.regular,
        width,
        MAX_NOTICE_LINES,
        NOTICE_SIZE,
      )
    : [];
  const noticeHeight = notice.length > 0 ? notice.length * NOTICE_LEADING + LEADING : 0;
  // The page total is one line whatever its digits: the layout is known before the count.
  const bodyLines = messageLines(content.text, fonts, draw, width);
  const headerHeight = heightOf(headerLines(content, 0, fonts, draw, width));
  const firstRoom = roomOnFirstPage(size, headerHeight, noticeHeight);
  const coverPages = pagesFor(bodyLines.length, firstRoom, size);
  const total = coverPages + content.documentPages;
  const rows = headerLines(content, total, fonts, draw, width);

  const first = doc.insertPage(0, [size.width, size.height]);
  let y = drawLines(first, rows, size.height - MARGIN - TITLE_SIZE);
  rule(first, y + LEADING / 2, width);
  y -= LEADING / 2;
  const onFirst = bodyLines.slice(0, firstRoom);
  drawLines(first, onFirst.map(bodyLine(fonts)), y);
  if (notice.length > 0) drawNotice(first, notice, fonts.regular, width);

  let rest = bodyLines.slice(firstRoom);
  const perPage = roomOnContinuedPage(size);
  for (let n = 2; rest.length > 0; n++) {
    const page = doc.insertPage(n - 1, [size.width, size.height]);
    const title = `Message, continued (page ${n} of ${total})`;
    const top: Line[] = [
      {
        text: draw(title, fonts.bold),
        font: fonts.bold,
        size: SIZE,
        x: MARGIN,
        leading: 2 * LEADING,
      },
    ];
    drawLines(
      page,
      [...top, ...rest.slice(0, perPage).map(bodyLine(fonts))],
      size.height - MARGIN - SIZE,
    );
    rest = rest.slice(perPage);
  }
  return { pages: coverPages, unprintable: [...missing].slice(0, MAX_UNPRINTABLE_LISTED) };
}

const bodyLine =
  (fonts: Fonts) =>
  (text: string): Line => ({ text, font: fonts.regular, size: SIZE, x: MARGIN, leading: LEADING });

const heightOf = (lines: Line[]) => lines.reduce((sum, line) => sum + line.leading, 0);

/** Body lines between the rule under the rows and the notice (or the bottom margin). */
function roomOnFirstPage(size: PageSize, headerHeight: number, noticeHeight: number): number {
  const firstBaseline = size.height - MARGIN - TITLE_SIZE - headerHeight - LEADING / 2;
  return Math.max(0, Math.floor((firstBaseline - MARGIN - noticeHeight) / LEADING) + 1);
}

const roomOnContinuedPage = (size: PageSize) =>
  Math.floor((size.height - 2 * MARGIN - SIZE - 2 * LEADING) / LEADING) + 1;

function pagesFor(lines: number, firstRoom: number, size: PageSize): number {
  if (lines <= firstRoom) return 1;
  return 1 + Math.ceil((lines - firstRoom) / roomOnContinuedPage(size));
}

type Draw = (text: string, font: PDFFont) => string;

/** The title and the labelled rows, laid out as lines (the title's line is the first). */
function headerLines(
  content: CoverContent,
  totalPages: number,
  fonts: Fonts,
  draw: Draw,
  width: number,
): Line[] {
  const lines: Line[] = [
    { text: 'FAX', font: fonts.bold, size: TITLE_SIZE, x: MARGIN, leading: 2 * LEADING },
  ];
  const recipients = content.recipients.map(({ name, number }) =>
    name ? `${name}, fax ${number}` : `Fax ${number}`,
  );
  const rows: { label: string; values: string[]; maxLines: number }[] = [
    { label: 'To', values: recipients, maxLines: MAX_RECIPIENT_LINES },
    { label: 'From', values: [content.sender], maxLines: 2 },
    ...optionalRow('Company', content.organisation),
    ...optionalRow('Callback', content.phone),
    ...(content.date
      ? [{ label: 'Date', values: [formatDate(content.date, content.timeZone)], maxLines: 1 }]
      : []),
    { label: 'Pages', values: [pageCount(totalPages)], maxLines: 1 },
    {
      label: 'Subject',
      values: [content.subject || '(no subject)'],
      maxLines: MAX_SUBJECT_LINES,
    },
  ];
  for (const { label, values, maxLines } of rows) {
    lines.push({ text: `${label}:`, font: fonts.bold, size: SIZE, x: MARGIN, leading: 0 });
    const text = values.map((v) => v.slice(0, MAX_ROW_CHARACTERS).replace(/\s+/g, ' ')).join('\n');
    for (const line of fitLines(
      draw(text, fonts.regular),
      fonts.regular,
      width - LABEL_WIDTH,
      maxLines,
    )) {
      lines.push({
        text: line,
        font: fonts.regular,
        size: SIZE,
        x: MARGIN + LABEL_WIDTH,
        leading: LEADING,
      });
    }
  }
  const last = lines.at(-1);
  if (last) last.leading += LEADING / 2;
  return lines;
}

const optionalRow = (label: string, value: string | undefined) =>
  value ? [{ label, values: [value], maxLines: 2 }] : [];

function messageLines(text: string, fonts: Fonts, draw: Draw, width: number): string[] {
  const shown = text.slice(0, MAX_BODY_CHARACTERS);
  const lines = fitLines(
    draw(shown, fonts.regular),
    fonts.regular,
    width,
    Number.POSITIVE_INFINITY,
  );
  if (text.length > shown.length) {
    lines.push(
      '',
      `[${text.length - shown.length} more characters of the message were not printed]`,
    );
  }
  return lines;
}

/** Draws each line at `y`, then moves down by its leading; returns where the next line goes. */
function drawLines(page: PDFPage, lines: Line[], y: number): number {
  let at = y;
  for (const line of lines) {
    if (line.text) page.drawText(line.text, { x: line.x, y: at, size: line.size, font: line.font });
    at -= line.leading;
  }
  return at;
}

function drawNotice(page: PDFPage, notice: string[], font: PDFFont, width: number): void {
  let y = MARGIN + (notice.length - 1) * NOTICE_LEADING;
  rule(page, y + NOTICE_LEADING, width);
  for (const line of notice) {
    if (line) page.drawText(line, { x: MARGIN, y, size: NOTICE_SIZE, font });
    y -= NOTICE_LEADING;
  }
}

const pageCount = (pages: number) =>
  `${pages} ${pages === 1 ? 'page' : 'pages'} including this cover`;

function rule(page: PDFPage, y: number, width: number): void {
  page.drawLine({
    start: { x: MARGIN, y },
    end: { x: MARGIN + width, y },
    thickness: 1,
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

/**
 * Text the font can draw: controls go, tabs become spaces, a character without a glyph becomes
 * its base letter when it has one (𝐁 → B) and otherwise a box, and is added to `missing`.
 */
const characterSets = new WeakMap<PDFFont, Set<number>>();

export function printable(text: string, font: PDFFont, missing = new Set<string>()): string {
  const encodable = characterSets.get(font) ?? new Set(font.getCharacterSet());
  characterSets.set(font, encodable);
  const canDraw = (c: string) => encodable.has(c.codePointAt(0) ?? 0);
  let out = '';
  for (const c of text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    .replace(/\p{Zs}/gu, ' ')) {
    if (c === '\n') out += c;
    // Zero-width and direction marks have glyphs in DejaVu that a fax would print as boxes.
    else if (/\p{Cc}|\p{Cf}|\p{Cs}/u.test(c)) continue;
    else if (canDraw(c)) out += c;
    else if (/\p{M}/u.test(c)) continue;
    else {
      const base = c.normalize('NFKD').replace(/\p{M}/gu, '');
      if (base && base !== c && [...base].every(canDraw)) out += base;
      else {
        missing.add(c);
        out += MISSING_GLYPH;
      }
    }
  }
  return out;
}

/** Wraps text to `width`, at most `maxLines` lines; a cut ends its last line with '…'. */
export function fitLines(
  text: string,
  font: PDFFont,
  width: number,
  maxLines: number,
  size = SIZE,
): string[] {
  const widthOf = measure(font, size);
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
      // A word longer than the line is cut a line at a time, and no further than the lines kept.
      while (lines.length <= maxLines) {
        const cut = longestFit(line, widthOf, width);
        if (cut >= line.length) break;
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

const advances = new WeakMap<PDFFont, Map<string, number>>();

/**
 * Widths summed from each character's advance, kept per font: fontkit lays out a whole string
 * each time it is asked, which made wrapping a long body quadratic. Kerning is left out, and only
 * ever narrows a line.
 */
function measure(font: PDFFont, size: number): (text: string) => number {
  let widths = advances.get(font);
  if (!widths) {
    widths = new Map();
    advances.set(font, widths);
  }
  const known = widths;
  return (text) => {
    let units = 0;
    for (const c of text) {
      let width = known.get(c);
      if (width === undefined) {
        width = font.widthOfTextAtSize(c, 1000);
        known.set(c, width);
      }
      units += width;
    }
    return (units * size) / 1000;
  };
}

/**
 * The longest start of `text` (at least one character) no wider than `width`: doubled until too
 * wide, then halved, so the work grows with the line, not with the word.
 */
function longestFit(text: string, widthOf: (s: string) => number, width: number): number {
  let fits = 1;
  let tooWide = 2;
  while (tooWide <= text.length && widthOf(text.slice(0, tooWide)) <= width) {
    fits = tooWide;
    tooWide *= 2;
  }
  tooWide = Math.min(tooWide, text.length + 1);
  while (tooWide - fits > 1) {
    const middle = Math.floor((fits + tooWide) / 2);
    if (widthOf(text.slice(0, middle)) <= width) fits = middle;
    else tooWide = middle;
  }
  return fits;
}

function withEllipsis(line: string, widthOf: (s: string) => number, width: number): string {
  let kept = line.trimEnd();
  while (kept && widthOf(`${kept}…`) > width) kept = kept.slice(0, -1).trimEnd();
  return `${kept}…`;
}
