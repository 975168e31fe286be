// The message's own header block, read from the raw stream before anything parses the MIME body:
// the sender is judged from it, and the DKIM verifier reads the same bytes after it.
import { Readable } from 'node:stream';
import { simpleParser } from 'mailparser';

/** One header field, as DKIM verifiers key it. */
export interface HeaderField {
  /** Lower case, the text before the first colon, trimmed. */
  name: string;
  /** Unfolded and trimmed; bytes as Latin-1, undecoded. */
  value: string;
}

export type HeaderBlock =
  | {
      kind: 'read';
      fields: HeaderField[];
      /** The whole message again, header block first, for one more pass (the DKIM verifier). */
      message: Readable;
    }
  | { kind: 'too_large' }
  /**
   * Line breaks readers disagree on: a CR without its LF, or a line opening with white space
   * other than a space or a tab. mailauth folds such a line into the field before it, mailparser
   * reads it as a field of its own, so an unsigned line could carry a Content-Type or a From
   * that the signature never covered.
   */
  | { kind: 'ambiguous' };

/** mailparser's own limit on a header block; a message past it could not be read anyway. */
export const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Reads up to the blank line that ends the header block (or the end of a message without a
 * body). A block over `maxBytes` is not read further, and the stream is closed.
 */
export async function readHeaderBlock(
  stream: Readable,
  maxBytes = MAX_HEADER_BYTES,
): Promise<HeaderBlock> {
  const chunks = stream[Symbol.asyncIterator]();
  const read: Buffer[] = [];
  let length = 0;
  let end = -1;
  while (end < 0 && length <= maxBytes) {
    const next = await chunks.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value as Buffer);
    // The blank line may straddle two chunks: look again at the two bytes before this one.
    const tail = read.length > 0 ? lastBytes(read, 2) : Buffer.alloc(0);
    const found = blockEnd(Buffer.concat([tail, chunk]));
    if (found >= 0) end = length - tail.length + found;
    read.push(chunk);
    length += chunk.length;
  }
  const blockLength = end < 0 ? length : end;
  if (blockLength > maxBytes) {
    await chunks.return?.();
    return { kind: 'too_large' };
  }
  const head = Buffer.concat(read);
  const block = head.subarray(0, blockLength);
  if (hasAmbiguousBreaks(block)) {
    await chunks.return?.();
    return { kind: 'ambiguous' };
  }
  return {
    kind: 'read',
    fields: headerFields(block),
    message: Readable.from(rest(head, chunks)),
  };
}

function lastBytes(chunks: Buffer[], count: number): Buffer {
  const joined = Buffer.concat(chunks.slice(-count));
  return joined.subarray(Math.max(0, joined.length - count));
}

async function* rest(head: Buffer, chunks: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  yield head;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    yield Buffer.from(next.value as Buffer);
  }
}

/**
 * Just past the blank line: a line feed followed by another, or by CR LF, as mailauth and
 * mailparser both end the block. -1 when there is none.
 */
function blockEnd(buffer: Buffer): number {
  for (let i = buffer.indexOf(0x0a); i >= 0; i = buffer.indexOf(0x0a, i + 1)) {
    if (buffer[i + 1] === 0x0a) return i + 2;
    if (buffer[i + 1] === 0x0d && buffer[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
/** Bytes that JavaScript's `\s` (mailauth) takes for white space and mailparser does not. */
const OTHER_SPACE = new Set([0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0]);

export function hasAmbiguousBreaks(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) {
    const byte = block[i];
    if (byte === CR && block[i + 1] !== LF) return true;
    if (byte === LF && OTHER_SPACE.has(block[i + 1] ?? SPACE)) return true;
  }
  return block.length > 0 && OTHER_SPACE.has(block[0] as number);
}

/** The block without the line breaks that end it; a loop, as a regex here is quadratic. */
function withoutTrailingBreaks(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === CR || text.charCodeAt(end - 1) === LF)) end--;
  return text.slice(0, end);
}

/** The fields of a header block, in order; continuation lines joined as mailauth joins them. */
export function headerFields(block: Buffer): HeaderField[] {
  const lines = withoutTrailingBreaks(block.toString('latin1')).split(/\r?\n/);
  const fields: string[] = [];
  for (const line of lines) {
    const last = fields.length - 1;
    const folded = line.charCodeAt(0) === SPACE || line.charCodeAt(0) === TAB;
    if (last >= 0 && folded) fields[last] += `\r\n${line}`;
    else fields.push(line);
  }
  return fields.filter(Boolean).map(headerField);
}

/** One field (`Name: value`, possibly folded) as its name and unfolded value. */
export function headerField(line: string): HeaderField {
  const colon = line.indexOf(':');
  const name = (colon < 0 ? line : line.slice(0, colon)).trim().toLowerCase();
  const value = colon < 0 ? '' : line.slice(colon + 1).replace(/\r?\n/g, '');
  return { name, value: value.trim() };
}

/** The values of every field called `name` (lower case). */
export const valuesOf = (fields: HeaderField[], name: string): string[] =>
  fields.filter((field) => field.name === name).map((field) => field.value);

/** A Message-ID as mailparser gives it: within angle brackets. */
export function messageIdOf(value: string | undefined): string | undefined {
  const id = value?.trim();
  if (!id) return undefined;
  return `${id.startsWith('<') ? '' : '<'}${id}${id.endsWith('>') ? '' : '>'}`;
}

/** The longest line RFC 5322 allows: no subject a person wrote is longer. */
export const MAX_SUBJECT_CHARS = 998;

/**
 * A Subject field's value decoded for people (encoded words, charsets) as mailparser reads it,
 * cut to MAX_SUBJECT_CHARS: notices and the cover page show it, and neither needs a book.
 */
export async function decodedSubject(value: string): Promise<string> {
  // An encoded word is at most about four times longer than what it says.
  const head = value.slice(0, 8 * MAX_SUBJECT_CHARS);
  const parsed = await simpleParser(Buffer.from(`Subject: ${head}\r\n\r\n`, 'latin1'));
  return Array.from(parsed.subject ?? '')
    .slice(0, MAX_SUBJECT_CHARS)
    .join('');
}
