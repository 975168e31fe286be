import { Readable } from 'node:stream';
import {
  type AddressObject,
  type Attachment,
  type ParsedMail,
  type SimpleParserOptions,
  type StructuredHeader,
  simpleParser,
} from 'mailparser';
import { headerSafe } from '../../shared/text-safety';
import { cmsContent } from './smime';

/** A leaf part that is a candidate attachment, in MIME (depth-first) order. */
export interface EmailPart {
  /** Decoded and sanitised for display; `attachment-<n>` when the part has no usable name. */
  filename: string;
  /** As declared, lower-case, without parameters. */
  contentType: string;
  content: Buffer;
  /** Without angle brackets, as `cid:` URLs name it. */
  contentId?: string;
  disposition?: string;
  /** Has a Content-ID inside multipart/related. */
  related: boolean;
  /** 0 = the message itself, 1 = inside an attached message/rfc822, … */
  depth: number;
  /** The HTML of the message holding this part shows it through a `cid:` link (a logo, not a document). */
  referencedByHtml?: boolean;
}

export interface ParsedEmail {
  from: { address?: string; name?: string }[];
  /** The To header's addresses, for the names on the cover sheet. */
  to?: { address?: string; name?: string }[];
  subject: string;
  /** The Message-ID header, with angle brackets. */
  messageId?: string;
  date?: Date;
  /** The body text (text/plain, or text from the HTML when there is no plain part). */
  text: string;
  /** With `cid:` links kept. */
  html?: string;
  parts: EmailPart[];
  /** S/MIME enveloped-data or PGP/MIME (multipart/encrypted): the attachments cannot be read. */
  encrypted: boolean;
}

/** Forwards of forwards nest; deeper than this is not a real forward. */
const MAX_DEPTH = 10;
/** Parts kept across all nesting levels; the rest of an absurd message is ignored. */
const MAX_PARTS = 500;
/** What file systems allow; longer names are cut (the extension kept) before anything reads them. */
export const MAX_FILE_NAME_CHARACTERS = 255;
/** RFC 5322's line limit: a subject longer than a header line is cut before anything reads it. */
export const MAX_SUBJECT_CHARACTERS = 998;
// A name read as Latin-1 takes up to four characters for each character of its UTF-8.
const MAX_RAW_FILE_NAME_CHARACTERS = 4 * MAX_FILE_NAME_CHARACTERS;

const OPTIONS: SimpleParserOptions = {
  keepCidLinks: true,
  // Attached messages are parsed here instead, so that each part knows how deep it sits.
  ignoreEmbedded: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  checksumAlgo: false,
};

interface MessageContent {
  text: string;
  html?: string;
  parts: EmailPart[];
  encrypted: boolean;
}

interface Budget {
  parts: number;
}

/** Reads a message whole, or as it streams in: decoded parts are then the only large copies. */
export async function parseEmail(raw: Buffer | Readable): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, OPTIONS).finally(() => {
    // A message the parser gave up on is not read to its end: free the connection it came over.
    if (raw instanceof Readable) raw.destroy();
  });
  const content = await messageContent(mail, 0, { parts: MAX_PARTS });
  return {
    from: addresses(mail.from),
    to: addresses(mail.to),
    subject: cutAt(mail.subject ?? '', MAX_SUBJECT_CHARACTERS),
    messageId: mail.messageId,
    date: mail.headers.has('date') ? mail.date : undefined,
    text: content.text,
    html: content.html,
    parts: content.parts,
    encrypted: content.encrypted,
  };
}

/** Lower-case ids that the HTML links to with `cid:` URLs. */
export function htmlCids(html: string | undefined): Set<string> {
  const ids = new Set<string>();
  for (const match of html?.matchAll(/cid:([^"'\s<>)]+)/gi) ?? []) {
    ids.add(decodeUrlPart(match[1] ?? '').toLowerCase());
  }
  return ids;
}

async function messageContent(
  mail: ParsedMail,
  depth: number,
  budget: Budget,
): Promise<MessageContent> {
  const html = mail.html || undefined;
  const cids = htmlCids(html);
  const content: MessageContent = {
    text: mail.text ?? '',
    html,
    parts: [],
    encrypted: isEncryptedMessage(mail),
  };
  for (const attachment of mail.attachments) {
    const type = declaredType(attachment);
    if (type === 'message/rfc822' && depth < MAX_DEPTH) {
      const nested = await parseNested(attachment.content, depth + 1, budget);
      if (nested) {
        content.parts.push(...nested.parts);
        continue;
      }
    }
    if (/^application\/(x-)?pkcs7-mime$/.test(type)) {
      const cms = cmsContent(attachment.content);
      if (cms.kind === 'enveloped') {
        content.encrypted ||= depth === 0;
        continue;
      }
      const inner =
        cms.kind === 'signed' && cms.content && (await parseNested(cms.content, depth, budget));
      if (inner) {
        mergeOpaqueSigned(content, inner);
        continue;
      }
    }
    if (budget.parts <= 0) break;
    budget.parts -= 1;
    content.parts.push(toPart(attachment, type, depth, cids, content.parts.length + 1));
  }
  return content;
}

// An opaque-signed message is all inside its signature part: its text is the message's text.
function mergeOpaqueSigned(outer: MessageContent, inner: MessageContent): void {
  if (!outer.text.trim()) outer.text = inner.text;
  outer.html ??= inner.html;
  outer.parts.push(...inner.parts);
  outer.encrypted ||= inner.encrypted;
}

async function parseNested(
  raw: Buffer,
  depth: number,
  budget: Budget,
): Promise<MessageContent | undefined> {
  try {
    return await messageContent(await simpleParser(raw, OPTIONS), depth, budget);
  } catch {
    return undefined;
  }
}

function isEncryptedMessage(mail: ParsedMail): boolean {
  const type = mail.headers.get('content-type') as StructuredHeader | undefined;
  const value = type?.value?.toLowerCase();
  const smimeType = type?.params?.['smime-type']?.toLowerCase() ?? '';
  return (
    value === 'multipart/encrypted' ||
    (/^application\/(x-)?pkcs7-mime$/.test(value ?? '') && smimeType.includes('enveloped')) ||
    (mail.text ?? '').includes('-----BEGIN PGP MESSAGE-----')
  );
}

function declaredType(attachment: Attachment): string {
  const header = attachment.headers.get('content-type') as StructuredHeader | undefined;
  // A missing ';' (`application/pdf name="x.pdf"`) leaves the parameters in the value.
  const value = header?.value?.trim().split(/[\s;]/)[0] || attachment.contentType || '';
  return value.toLowerCase();
}

function toPart(
  attachment: Attachment,
  contentType: string,
  depth: number,
  cids: Set<string>,
  position: number,
): EmailPart {
  const contentId = attachment.cid || undefined;
  return {
    filename: fileName(attachment.filename ?? '') || `attachment-${position}`,
    contentType,
    content: attachment.content,
    contentId,
    disposition: attachment.contentDisposition?.toLowerCase(),
    related: attachment.related === true,
    depth,
    referencedByHtml: contentId !== undefined && cids.has(contentId.toLowerCase()),
  };
}

/**
 * The name as a person reads it, at most MAX_FILE_NAME_CHARACTERS long with its extension kept:
 * cut before it is repaired and cleaned, so that no work on it grows with what the sender sent.
 */
export function fileName(raw: string): string {
  const cut = raw.length > MAX_RAW_FILE_NAME_CHARACTERS;
  const bounded = cut ? keepingExtension(raw, MAX_RAW_FILE_NAME_CHARACTERS, '') : raw;
  const name = headerSafe(repairUtf8(bounded), Number.POSITIVE_INFINITY);
  return cut || name.length > MAX_FILE_NAME_CHARACTERS
    ? keepingExtension(name, MAX_FILE_NAME_CHARACTERS, '…')
    : name;
}

/** `name` cut to `max` characters, `mark` where the cut is, its extension (".pdf") kept. */
function keepingExtension(name: string, max: number, mark: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 11 ? name.slice(dot) : '';
  const stem = name.slice(0, name.length - extension.length);
  return `${cutAt(stem, max - mark.length - extension.length)}${mark}${extension}`;
}

/** The first `max` UTF-16 units of `text`, never half a surrogate pair. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, Math.max(0, end));
}

/**
 * Raw 8-bit UTF-8 in a header reaches us read as Latin-1 (`ÐÐ°ÑÑÐ¸Ð½ÐºÐ°`). Read it again as UTF-8
 * when that gives valid text; a name cut mid-character (Yahoo cuts at 127 bytes) loses the stub.
 */
function repairUtf8(name: string): string {
  if (!/[\u0080-\u00ff]/.test(name) || /[^\u0000-\u00ff]/.test(name)) return name;
  const decoded = withoutTrailingReplacements(Buffer.from(name, 'latin1').toString('utf8'));
  return decoded.includes('\ufffd') ? name : decoded;
}

// A loop, not /\ufffd+$/: that pattern retries from every U+FFFD of a run that does not end the
// text, which is quadratic in a name of them.
function withoutTrailingReplacements(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0xfffd) end -= 1;
  return text.slice(0, end);
}

function decodeUrlPart(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function addresses(header: AddressObject | AddressObject[] | undefined): ParsedEmail['from'] {
  const entries = [header ?? []].flat().flatMap((h) => h.value);
  return entries
    .flatMap((entry) => entry.group ?? [entry])
    .map((entry) => ({ address: entry.address || undefined, name: entry.name || undefined }));
}
