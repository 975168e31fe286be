import { PDFDocument, PDFParser, PDFStreamParsingError, type Position } from 'pdf-lib';

const STREAM = Buffer.from('stream', 'latin1');
const ENDSTREAM = Buffer.from('endstream', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
// PDFDocument.load's default (ParseSpeeds.Slow): it yields to the event loop every 100 objects.
const OBJECTS_PER_TICK = 100;

/**
 * pdf-lib's parser, with one search made fast. A stream whose /Length is not a number (scanners
 * and Ghostscript write `/Length 12 0 R`, an object that follows the stream) is read to its
 * `endstream` by a JavaScript loop that tries five keywords at every byte: about 0.8 s for a
 * 22 MB scan. Here two native `indexOf` searches find the same end, by the same rules.
 */
export class QuickPdfParser extends PDFParser {
  private readonly data: Buffer;

  constructor(bytes: Uint8Array) {
    super(bytes, OBJECTS_PER_TICK, false, false);
    this.data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

/**
 * `PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false })`, parsed by
 * QuickPdfParser: the same document, object for object.
 */
export async function loadPdfDocument(bytes: Uint8Array): Promise<PDFDocument> {
  const context = await new QuickPdfParser(bytes).parseDocument();
  // load() is this parse and this constructor, which pdf-lib keeps private; 1.17.1 is its last
  // release, so the two do not drift apart. Arguments: context, ignoreEncryption, updateMetadata.
  return Reflect.construct(PDFDocument, [context, true, false]) as PDFDocument;
}
