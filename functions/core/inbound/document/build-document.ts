import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { type EmailPart, fileName, htmlCids, type ParsedEmail } from '../mail/parse-email';
import { isTnef, type TnefFile, tnefFiles } from '../mail/tnef';
import type { Refusal } from '../refusals';
import { hasActiveContent, removeActiveContent } from './active-content';
import { addCoverPages, type CoverContent } from './cover-page';
import { claimsFaxableType, type DocumentType, documentType } from './document-type';
import { flattenForm, formLacksAppearances } from './form-flattening';
import {
  addImagePages,
  checkImageData,
  ImageTooLargeError,
  inspectImage,
  MAX_DECODED_BYTES,
  MAX_IMAGE_PIXELS,
} from './images';
import { countPages } from './page-count';
import { fitsPage, fitToPage, type PageSize } from './page-geometry';
import {
  loadPdfDocument,
  type PdfBudget,
  PdfTooBigToOpenError,
  pdfBudget,
  wasDecrypted,
} from './pdf-loader';

export interface DocumentOptions {
  pageSize: 'letter' | 'a4';
  /** MAX_PAGES (at most 350, Telnyx's limit). */
  maxPages: number;
  maxBytes: number;
  /**
   * The cover sheet: `text` is the body's own text (see body-text.ts); `timeZone` (IANA, default
   * UTC) shows the date; `recipients` are all the numbers of the email, so one document serves them all.
   */
  cover: false | Omit<CoverContent, 'date' | 'documentPages'>;
}

export type FaxDocument = {
  kind: 'document';
  pdf: Uint8Array;
  /** Total pages, the cover page included. */
  pages: number;
  /** What went in, in order. */
  files: { filename: string; pages: number }[];
  /** Attachments not faxed that the sender should hear about (a .docx next to a PDF). */
  skipped: { filename: string; reason: 'unsupported' }[];
  /** The PDF bytes are the sender's own, unchanged. */
  passthrough: boolean;
  /** Characters of the cover sheet no font could draw (CJK, …): the sender is told which. */
  unprintable: string[];
};

export type DocumentOutcome = FaxDocument | { kind: 'refused'; refusal: Refusal };

export const PAGE_SIZES: Record<DocumentOptions['pageSize'], PageSize> = {
  letter: { width: 612, height: 792 },
  a4: { width: 595.28, height: 841.89 },
};

const MB = 1024 * 1024;
/** Telnyx's hard limit, and so the most MAX_PAGES can be: a PDF claiming more is refused unopened. */
const MAX_FAX_PAGES = 350;
// Signatures, keys and PGP/MIME's control part travel with a message but are no one's document.
const NOT_DOCUMENTS = new Set([
  'application/pkcs7-signature',
  'application/x-pkcs7-signature',
  'application/pkcs7-mime', // left here only when opaque-signed and not unwrapped, or certificates
  'application/x-pkcs7-mime',
  'application/pgp-signature',
  'application/pgp-keys',
  'application/pgp-encrypted',
]);
// Inline images this small beside a real document are signature logos and social icons.
const DECORATION_BYTES = 10 * 1024;
const DECORATION_PIXELS = 200 * 200;

/** A part whose bytes are (or claim to be) a PDF or an image, checked. */
interface Candidate {
  part: EmailPart;
  type?: DocumentType;
  pages: number;
  pixels?: number;
  pdf?: PDFDocument;
  /** Why it cannot be faxed: the whole email is refused rather than sent in part. */
  refusal?: Refusal;
}

interface Sorted {
  candidates: Candidate[];
  unsupported: EmailPart[];
  empty: EmailPart[];
  winmail: EmailPart[];
}

/** What opening one email's documents may still cost: every image and PDF of it spends from one. */
interface Budget {
  decodedBytes: number;
  pdf: PdfBudget;
}

export async function buildFaxDocument(
  email: ParsedEmail,
  options: DocumentOptions,
): Promise<DocumentOutcome> {
  if (email.encrypted) return refused({ code: 'encrypted_email' });
  const cids = htmlCids(email.html);
  const parts = withoutCopies(unpackWinmail(email.parts.filter((p) => isAttachment(p, cids))));
  const sorted = await sortParts(parts);
  const chosen = withoutDecorations(sorted.candidates);
  const problem = chosen.find((c) => c.refusal)?.refusal;
  if (problem) return refused(problem);
  if (chosen.length === 0) return refused(nothingToFax(sorted));

  const pages = chosen.reduce((sum, c) => sum + c.pages, options.cover ? 1 : 0);
  if (pages > options.maxPages) {
    return refused({ code: 'too_many_pages', pages, limit: options.maxPages });
  }
  const skipped = sorted.unsupported.map((p) => ({
    filename: p.filename,
    reason: 'unsupported' as const,
  }));
  const [only] = chosen;
  // A PDF with scripts or embedded files is rebuilt from its pages, which leaves them behind; one
  // with pages of another size or turned sideways is rebuilt so that every page prints full size.
  // A restricted one is sent decrypted: a fax renderer need not honour an empty password. A form
  // whose values have no appearance is flattened, or a renderer would show its fields empty.
  if (
    !options.cover &&
    chosen.length === 1 &&
    only?.pdf &&
    !wasDecrypted(only.pdf) &&
    !formLacksAppearances(only.pdf) &&
    startsWithHeader(only.part.content) &&
    !hasActiveContent(only.pdf) &&
    only.pdf.getPages().every((page) => fitsPage(page, PAGE_SIZES[options.pageSize]))
  ) {
    return passThrough(only, skipped, options);
  }
  return assemble(chosen, email, options, skipped);
}

/** A lone PDF and no cover page: the sender's own bytes go out unchanged. */
function passThrough(
  candidate: Candidate,
  skipped: FaxDocument['skipped'],
  options: DocumentOptions,
): DocumentOutcome {
  const { part, pages } = candidate;
  return withinSize(
    {
      kind: 'document',
      pdf: part.content,
      pages,
      files: [{ filename: part.filename, pages }],
      skipped,
      passthrough: true,
      unprintable: [],
    },
    options,
  );
}

const refused = (refusal: Refusal): DocumentOutcome => ({ kind: 'refused', refusal });

function isAttachment(part: EmailPart, topLevelCids: Set<string>): boolean {
  if (NOT_DOCUMENTS.has(part.contentType)) return false;
  const shownInHtml =
    part.referencedByHtml ??
    (part.depth === 0 && !!part.contentId && topLevelCids.has(part.contentId.toLowerCase()));
  if (shownInHtml) return false;
  // Alternative bodies (text/watch-html, delivery reports) are not files the sender attached.
  return !(/^(text|message)\//.test(part.contentType) && part.disposition !== 'attachment');
}

function unpackWinmail(parts: EmailPart[]): EmailPart[] {
  return parts.flatMap((part) => {
    const files = isTnef(part.content) ? readTnef(part.content) : [];
    if (files.length === 0) return [part];
    return files.map((file, i) => ({
      filename: fileName(file.filename) || `${part.filename}-${i + 1}`,
      contentType: 'application/octet-stream',
      content: file.content,
      disposition: 'attachment',
      related: false,
      depth: part.depth,
    }));
  });
}

/** The files in a winmail.dat; none when it is damaged (it is then refused as winmail.dat). */
function readTnef(bytes: Buffer): TnefFile[] {
  try {
    return tnefFiles(bytes);
  } catch {
    return [];
  }
}

// A file repeated deeper down is the copy inside a forwarded message; the same file twice at one
// level was attached twice on purpose (Evolution's two blob.png), so both are faxed.
function withoutCopies(parts: EmailPart[]): EmailPart[] {
  // Only files of one size can be copies; the others need no digest (20 ms for a 22 MB scan).
  const sizes = new Map<number, number>();
  for (const { content } of parts) sizes.set(content.length, (sizes.get(content.length) ?? 0) + 1);
  const digests = parts.map((p, i) =>
    (sizes.get(p.content.length) ?? 0) > 1
      ? createHash('sha256').update(p.content).digest('hex')
      : `unique#${i}`,
  );
  const shallowest = new Map<string, number>();
  parts.forEach((part, i) => {
    const digest = digests[i] ?? '';
    shallowest.set(digest, Math.min(shallowest.get(digest) ?? part.depth, part.depth));
  });
  return parts.filter((part, i) => part.depth === shallowest.get(digests[i] ?? ''));
}

async function sortParts(parts: EmailPart[]): Promise<Sorted> {
  const sorted: Sorted = { candidates: [], unsupported: [], empty: [], winmail: [] };
  const budget: Budget = { decodedBytes: MAX_DECODED_BYTES, pdf: pdfBudget() };
  for (const part of parts) {
    const type = part.content.length > 0 ? documentType(part.content) : undefined;
    if (part.content.length === 0) sorted.empty.push(part);
    else if (type) sorted.candidates.push(await inspect(part, type, budget));
    else if (isTnef(part.content) || /ms-tnef/.test(part.contentType)) sorted.winmail.push(part);
    else if (claimsFaxableType(part.contentType)) {
      sorted.candidates.push({ part, pages: 0, refusal: unreadable(part) });
    } else sorted.unsupported.push(part);
  }
  return sorted;
}

const unreadable = (part: EmailPart): Refusal => ({
  code: 'unreadable_document',
  file: part.filename,
});

async function inspect(part: EmailPart, type: DocumentType, budget: Budget): Promise<Candidate> {
  if (type === 'pdf') {
    const pdf = await loadPdf(part.content, budget.pdf);
    if (pdf === 'encrypted') {
      return { part, type, pages: 0, refusal: { code: 'encrypted_pdf', file: part.filename } };
    }
    if (pdf === 'too_big') {
      return {
        part,
        type,
        pages: 0,
        refusal: { code: 'pdf_too_big_to_open', file: part.filename },
      };
    }
    if (pdf === 'unreadable') return { part, type, pages: 0, refusal: unreadable(part) };
    // More pages than any fax may have: counted against the limit, never opened.
    if (typeof pdf === 'number') return { part, type, pages: pdf };
    return { part, type, pages: pdf.getPageCount(), pdf };
  }
  try {
    const info = inspectImage(part.content, type);
    const candidate = { part, type, pages: info.pages, pixels: info.width * info.height };
    budget.decodedBytes -= info.decodedBytes;
    if (budget.decodedBytes < 0) return { ...candidate, refusal: tooBigToOpen(part, info, budget) };
    checkImageData(part.content, type);
    return candidate;
  } catch (error) {
    if (error instanceof ImageTooLargeError) {
      const { width, height } = error;
      const refusal: Refusal = {
        code: 'image_too_large',
        file: part.filename,
        width,
        height,
        limit: MAX_IMAGE_PIXELS,
      };
      return { part, type, pages: 0, refusal };
    }
    return { part, type, pages: 0, refusal: unreadable(part) };
  }
}

const megabytes = (bytes: number) => Math.round(bytes / MB);

function tooBigToOpen(part: EmailPart, info: { decodedBytes: number }, budget: Budget): Refusal {
  return {
    code: 'image_too_big_to_open',
    file: part.filename,
    megabytes: megabytes(info.decodedBytes),
    emailMegabytes: megabytes(MAX_DECODED_BYTES - budget.decodedBytes),
    limit: megabytes(MAX_DECODED_BYTES),
  };
}

/** The loaded PDF, or why it cannot be faxed, or the pages it claims when that is more than any fax has. */
async function loadPdf(
  bytes: Uint8Array,
  budget: PdfBudget,
): Promise<PDFDocument | 'encrypted' | 'unreadable' | 'too_big' | number> {
  // A PDF cut short in transit still parses page by page; its missing end marker gives it away.
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(-1024);
  if (!tail.includes('%%EOF')) return 'unreadable';
  try {
    // Loaded past the encryption check and tested after: pdf-lib's EncryptedPDFError fails `instanceof`.
    const pdf = await loadPdfDocument(bytes, budget);
    if (pdf.isEncrypted) return 'encrypted';
    // Counted within bounds before pdf-lib walks the page tree; a /Count that claims too much is
    // believed, as viewers believe it.
    const count = countPages(pdf, MAX_FAX_PAGES);
    if (count === 'unreadable') return 'unreadable';
    const claimed = Math.max(count.counted, count.declared ?? 0);
    if (claimed > MAX_FAX_PAGES) return claimed;
    return count.counted > 0 && pdf.getPageCount() > 0 ? pdf : 'unreadable';
  } catch (error) {
    return error instanceof PdfTooBigToOpenError ? 'too_big' : 'unreadable';
  }
}

function isDecoration(candidate: Candidate): boolean {
  const { part, type, pixels } = candidate;
  const image = type ? type !== 'pdf' : part.contentType.startsWith('image/');
  return (
    image &&
    part.disposition !== 'attachment' &&
    (part.content.length < DECORATION_BYTES || (pixels !== undefined && pixels < DECORATION_PIXELS))
  );
}

/** Small inline images are dropped only beside a real document: alone, a small photo is the document. */
function withoutDecorations(candidates: Candidate[]): Candidate[] {
  const real = candidates.filter((c) => !isDecoration(c));
  return real.length > 0 ? real : candidates;
}

function nothingToFax(sorted: Sorted): Refusal {
  const [winmail] = sorted.winmail;
  if (winmail) return { code: 'winmail_dat', file: winmail.filename };
  const [empty] = sorted.empty;
  if (empty) return { code: 'empty_attachment', file: empty.filename };
  if (sorted.unsupported.length > 0) {
    return { code: 'unsupported_document', files: sorted.unsupported.map((p) => p.filename) };
  }
  return { code: 'no_document' };
}

const startsWithHeader = (bytes: Uint8Array) =>
  bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46;

async function assemble(
  chosen: Candidate[],
  email: ParsedEmail,
  options: DocumentOptions,
  skipped: FaxDocument['skipped'],
): Promise<DocumentOutcome> {
  const size = PAGE_SIZES[options.pageSize];
  const out = await PDFDocument.create({ updateMetadata: false });
  const files: FaxDocument['files'] = [];
  for (const { part, type, pdf } of chosen) {
    try {
      const before = out.getPageCount();
      if (pdf) {
        // Copied pages leave the form behind: its values go onto the pages first.
        await flattenForm(pdf);
        for (const page of await out.copyPages(pdf, pdf.getPageIndices())) {
          out.addPage(page);
          if (!fitsPage(page, size)) fitToPage(out, page, size);
        }
      } else if (type && type !== 'pdf') {
        await addImagePages(out, part.content, type, size);
      }
      files.push({ filename: part.filename, pages: out.getPageCount() - before });
    } catch {
      return refused(unreadable(part));
    }
  }
  removeActiveContent(out);
  let unprintable: string[] = [];
  if (options.cover) {
    const content = { ...options.cover, date: email.date, documentPages: out.getPageCount() };
    ({ unprintable } = await addCoverPages(out, content, size));
  }
  const pages = out.getPageCount();
  if (pages > options.maxPages)
    return refused({ code: 'too_many_pages', pages, limit: options.maxPages });
  // Without object streams the file stays PDF 1.4-style, which every fax renderer reads.
  const bytes = await out.save({ useObjectStreams: false });
  return withinSize(
    { kind: 'document', pdf: bytes, pages, files, skipped, passthrough: false, unprintable },
    options,
  );
}

function withinSize(document: FaxDocument, options: DocumentOptions): DocumentOutcome {
  if (document.pdf.length <= options.maxBytes) return document;
  const tenths = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
  return refused({
    code: 'too_large',
    megabytes: tenths(document.pdf.length),
    limit: tenths(options.maxBytes),
  });
}
