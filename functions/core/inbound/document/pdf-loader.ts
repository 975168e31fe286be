import { constants, inflateRawSync } from 'node:zlib';
import {
  decodePDFRawStream,
  PDFArray,
  type PDFContext,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFParser,
  PDFRawStream,
  PDFRef,
  type PDFStream,
  PDFStreamParsingError,
  PDFString,
  type Position,
} from 'pdf-lib';
import { type Decryption, emptyPasswordDecryption, firstFileId } from './pdf-decryption';

const STREAM = Buffer.from('stream', 'latin1');
const ENDSTREAM = Buffer.from('endstream', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
// PDFDocument.load's default (ParseSpeeds.Slow): it yields to the event loop every 100 objects.
const OBJECTS_PER_TICK = 100;
/**
 * Objects parsed from one email's PDFs, which all stay in memory until the fax is built: about
 * 55 bytes each (a number, a name, an entry of a cross-reference stream), so some 110 MB. A long
 * tagged document has a few hundred thousand.
 */
export const MAX_PDF_OBJECTS = 2_000_000;
/** Bytes inflated from the object and cross-reference streams of one email's PDFs. */
export const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

/**
 * What one email's PDFs may still unpack, spent as they are parsed. Object streams and
 * cross-reference streams are the parts a reader must inflate and expand before it can find a page:
 * a few kilobytes of them can stand for gigabytes of data or billions of objects.
 */
export interface PdfBudget {
  objects: number;
  inflatedBytes: number;
}

export const pdfBudget = (): PdfBudget => ({
  objects: MAX_PDF_OBJECTS,
  inflatedBytes: MAX_INFLATED_BYTES,
});

/** The PDF unpacks to more than its budget allows; parsing stopped there. */
export class PdfTooBigToOpenError extends Error {
  constructor() {
    super('the PDF unpacks to more than its budget');
    this.name = 'PdfTooBigToOpenError';
  }
}

/**
 * pdf-lib's parser, with one search made fast. A stream whose /Length is not a number (scanners
 * and Ghostscript write `/Length 12 0 R`, an object that follows the stream) is read to its
 * `endstream` by a JavaScript loop that tries five keywords at every byte: about 0.8 s for a
 * 22 MB scan. Here two native `indexOf` searches find the same end, by the same rules.
 */
export class QuickPdfParser extends PDFParser {
  private readonly data: Buffer;
  private overBudget = false;
  /** The indirect object being read, whose number and generation its strings are decrypted by. */
  private current: PDFRef | undefined;

  constructor(
    bytes: Uint8Array,
    private readonly budget: PdfBudget = pdfBudget(),
    private readonly decryption?: Decryption,
  ) {
    super(bytes, OBJECTS_PER_TICK, false, false);
    this.data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (decryption) this.followObjects();
  }

  /**
   * pdf-lib keeps the methods that read an object's header private: wrapped here, so that a string
   * or stream is decrypted with the key of its own object, and nothing outside one (the trailer) is.
   */
  private followObjects(): void {
    const parser = this as unknown as Record<string, (...args: unknown[]) => unknown>;
    const header = parser.parseIndirectObjectHeader?.bind(this);
    const object = parser.parseIndirectObject?.bind(this);
    const invalid = parser.tryToParseInvalidIndirectObject?.bind(this);
    if (!header || !object || !invalid) throw new Error('pdf-lib parser without object headers');
    parser.parseIndirectObjectHeader = () => {
      const ref = header();
      this.current = ref instanceof PDFRef ? ref : undefined;
      return ref;
    };
    parser.parseIndirectObject = async () => {
      try {
        return await object();
      } finally {
        this.current = undefined;
      }
    };
    parser.tryToParseInvalidIndirectObject = () => {
      try {
        return invalid();
      } finally {
        this.current = undefined;
      }
    };
  }

  /** The object being read, when its strings and streams are encrypted. */
  private encrypted(): PDFRef | undefined {
    const ref = this.current;
    return ref && this.decryption && ref !== this.decryption.encryptRef ? ref : undefined;
  }

  override async parseDocument() {
    try {
      const context = await super.parseDocument();
      if (this.overBudget) throw new PdfTooBigToOpenError();
      return context;
    } catch (error) {
      throw this.overBudget ? new PdfTooBigToOpenError() : error;
    }
  }

  override parseObject(): PDFObject {
    this.spend(1);
    const object = super.parseObject();
    const ref = this.encrypted();
    if (!ref || !(object instanceof PDFString || object instanceof PDFHexString)) return object;
    const plain = this.decryption?.strings(ref, object.asBytes()) ?? new Uint8Array(0);
    return PDFHexString.of(Buffer.from(plain).toString('hex'));
  }

  // pdf-lib reads on past an object it cannot parse; every path back to its loop passes here, so
  // once over budget the whole parse stops.
  protected override skipWhitespaceAndComments(): void {
    if (this.overBudget) throw new PdfTooBigToOpenError();
    super.skipWhitespaceAndComments();
  }

  /**
   * Object and cross-reference streams are inflated here, within the budget, and handed on
   * unfiltered: pdf-lib would inflate them whole, doubling its buffer as it goes.
   */
  protected override parseDictOrStream(): PDFDict | PDFStream {
    const parsed = super.parseDictOrStream();
    if (!(parsed instanceof PDFRawStream)) return parsed;
    const type = parsed.dict.lookup(PDFName.of('Type'));
    const isXref = type === PDFName.of('XRef');
    const object = isXref ? parsed : this.decrypted(parsed);
    if (type !== PDFName.of('ObjStm') && !isXref) return object;
    const contents = this.unpack(object);
    // pdf-lib makes an entry for every one a cross-reference stream claims, whatever it holds.
    this.spend(isXref ? claimedEntries(object.dict) : tokenCount(contents));
    object.dict.delete(PDFName.of('Filter'));
    object.dict.delete(PDFName.of('DecodeParms'));
    return PDFRawStream.of(object.dict, contents);
  }

  // Cross-reference streams are never encrypted; the strings of an object stream's objects are
  // not either, since the stream that holds them is.
  private decrypted(stream: PDFRawStream): PDFRawStream {
    const ref = this.encrypted();
    if (!ref || !this.decryption) return stream;
    return PDFRawStream.of(stream.dict, this.decryption.streams(ref, stream.contents));
  }

  private spend(objects: number): void {
    this.budget.objects -= objects;
    if (this.budget.objects < 0) this.stop();
  }

  private stop(): never {
    this.overBudget = true;
    throw new PdfTooBigToOpenError();
  }

  private unpack(stream: PDFRawStream): Uint8Array {
    const { dict } = stream;
    const filter = dict.lookup(PDFName.of('Filter'));
    const params = dict.lookup(PDFName.of('DecodeParms'));
    const filters = filter instanceof PDFArray ? filter.asArray() : filter ? [filter] : [];
    let data: Uint8Array = stream.contents;
    filters.forEach((name, i) => {
      const param = params instanceof PDFArray ? params.get(i) : params;
      data = this.decodeOne(data, name, param);
    });
    this.budget.inflatedBytes -= data.length;
    return data;
  }

  /** One filter's output, never more than the budget left (intermediate layers included). */
  private decodeOne(
    data: Uint8Array,
    filter: PDFObject,
    params: PDFObject | undefined,
  ): Uint8Array {
    const limit = Math.max(0, this.budget.inflatedBytes);
    if (filter === PDFName.of('FlateDecode')) {
      checkZlibHeader(data);
      try {
        // Raw, past the header and without the checksum, and to a cut end: as tolerant as pdf-lib.
        return inflateRawSync(data.subarray(2), {
          maxOutputLength: Math.max(1, limit),
          finishFlush: constants.Z_SYNC_FLUSH,
        });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') this.stop();
        throw error;
      }
    }
    // The other filters (LZW, RunLength, ASCII85, ASCIIHex) decode a bounded block at a time.
    const single = this.context.obj({ Filter: filter, ...(params ? { DecodeParms: params } : {}) });
    const decoded = decodePDFRawStream(PDFRawStream.of(single, data)).getBytes(limit + 1);
    if (decoded.length > limit) this.stop();
    return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  }

  // pdf-lib's rules: from the stream's first byte, every `stream` opens a nested stream and every
  // `endstream` (taking a CRLF, CR or LF right before it along) closes one; the end is where the
  // keyword that closes the outermost one begins. A stream never closed cannot be parsed.
  protected override findEndOfStreamFallback(startPos: Position): number {
    let nesting = 1;
    let at = this.bytes.offset();
    for (;;) {
      const closing = this.data.indexOf(ENDSTREAM, at);
      if (closing === -1) break;
      const closingStart = this.withLineEnd(closing, at);
      const opening = this.data.indexOf(STREAM, at);
      if (opening !== -1 && opening < closingStart) {
        nesting += 1;
        at = opening + STREAM.length;
        continue;
      }
      nesting -= 1;
      at = closing + ENDSTREAM.length;
      if (nesting === 0) {
        this.bytes.moveTo(at);
        return closingStart;
      }
    }
    this.bytes.moveTo(this.data.length);
    throw new PDFStreamParsingError(startPos);
  }

  /** Where the `endstream` at `index` starts, with the line end before it (not before `from`). */
  private withLineEnd(index: number, from: number): number {
    const data = this.data;
    if (index - 2 >= from && data[index - 2] === CR && data[index - 1] === LF) return index - 2;
    if (index - 1 >= from && (data[index - 1] === CR || data[index - 1] === LF)) return index - 1;
    return index;
  }
}

/** pdf-lib's checks on a zlib header, which inflating raw would skip. */
function checkZlibHeader(data: Uint8Array): void {
  const [method = 0, flags = 0] = data;
  if ((method & 0x0f) !== 8 || ((method << 8) + flags) % 31 !== 0 || flags & 0x20) {
    throw new Error('FlateDecode stream without a valid zlib header');
  }
}

/** Entries a cross-reference stream claims: pdf-lib makes each one, whatever the stream holds. */
function claimedEntries(dict: PDFDict): number {
  const index = dict.lookup(PDFName.of('Index'));
  const lengths =
    index instanceof PDFArray
      ? index.asArray().filter((_, i) => i % 2 === 1)
      : [dict.lookup(PDFName.of('Size'))];
  const total = lengths.reduce<number>(
    (sum, length) => sum + (length instanceof PDFNumber ? Math.max(0, length.asNumber()) : 0),
    0,
  );
  return Number.isFinite(total) ? total : Number.POSITIVE_INFINITY;
}

const DELIMITER = new Set([...'()<>[]{}/%'].map((c) => c.charCodeAt(0)));
const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);

/**
 * About how many objects pdf-lib will make of an object stream's text: one per delimiter and per
 * run of other characters. It counts words inside strings too, so it errs on the high side.
 */
function tokenCount(text: Uint8Array): number {
  let count = 0;
  let inRun = false;
  for (const byte of text) {
    const delimiter = DELIMITER.has(byte);
    const regular = !delimiter && !WHITESPACE.has(byte);
    if (delimiter || (regular && !inRun)) count += 1;
    inRun = regular;
  }
  return count;
}

/**
 * `PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false })`, parsed by
 * QuickPdfParser: the same document, object for object. Throws PdfTooBigToOpenError when the
 * PDF would unpack to more than `budget` has left (which it spends).
 */
export async function loadPdfDocument(
  bytes: Uint8Array,
  budget: PdfBudget = pdfBudget(),
): Promise<PDFDocument> {
  const unspent = { ...budget };
  const context = await new QuickPdfParser(bytes, budget).parseDocument();
  const decryption = emptyPasswordDecryptionOf(context);
  if (!decryption) return documentOf(context);
  // Read again, decrypting as it goes: the first reading spent on object streams it could not
  // open, so only the second is counted.
  Object.assign(budget, unspent);
  const plain = await new QuickPdfParser(bytes, budget, decryption).parseDocument();
  if (decryption.encryptRef) plain.delete(decryption.encryptRef);
  plain.trailerInfo.Encrypt = undefined;
  const document = documentOf(plain);
  decrypted.add(document);
  return document;
}

// load() is this parse and this constructor, which pdf-lib keeps private; 1.17.1 is its last
// release, so the two do not drift apart. Arguments: context, ignoreEncryption, updateMetadata.
const documentOf = (context: PDFContext) =>
  Reflect.construct(PDFDocument, [context, true, false]) as PDFDocument;

const decrypted = new WeakSet<PDFDocument>();

/** The PDF was encrypted and opened with the empty password: its bytes are not the ones to send. */
export const wasDecrypted = (pdf: PDFDocument) => decrypted.has(pdf);

function emptyPasswordDecryptionOf(context: PDFContext): Decryption | undefined {
  const { Encrypt, ID } = context.trailerInfo;
  const dict = Encrypt && context.lookup(Encrypt);
  if (!(dict instanceof PDFDict)) return undefined;
  const encryptRef = Encrypt instanceof PDFRef ? Encrypt : undefined;
  return emptyPasswordDecryption(dict, firstFileId(context.lookup(ID)), encryptRef);
}
