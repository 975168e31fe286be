import { crc32, inflateSync } from 'node:zlib';
import { GifReader } from 'omggif';
import { degrees, type PDFDocument, type PDFImage } from 'pdf-lib';
import { PNG } from 'pngjs';
import UTIF from 'utif2';
import type { ImageType } from './document-type';

export interface PageSize {
  width: number;
  height: number;
}

/** Half an inch: fax machines do not print to the edge of the paper. */
const MARGIN = 36;
/** Refused before decoding: a small file can unpack to gigabytes. A Letter page at 600 dpi is 34 MP. */
export const MAX_IMAGE_PIXELS = 40_000_000;
const MAX_TIFF_PAGES = 1000;

/** Quarter turns, counter-clockwise as PDF counts them. */
export type Turn = 0 | 90 | 180 | 270;

export interface ImageInfo {
  width: number;
  height: number;
  /** Fax pages the image fills: one, or one per page of a multi-page TIFF. */
  pages: number;
}

/** Reads the size from the header and refuses damaged headers and decompression bombs. */
export function inspectImage(bytes: Uint8Array, type: ImageType): ImageInfo {
  const frames = type === 'tiff' ? tiffFrames(bytes) : [headerSize(bytes, type)];
  const first = frames[0];
  if (!first) throw new Error('TIFF has no pages');
  for (const frame of frames) checkPixels(frame.width, frame.height);
  if (type === 'png') checkPng(bytes);
  return { width: first.width, height: first.height, pages: frames.length };
}

/** Adds one page per image (per TIFF page), each fitted to the page size. Returns the pages added. */
export async function addImagePages(
  doc: PDFDocument,
  bytes: Uint8Array,
  type: ImageType,
  page: PageSize,
): Promise<number> {
  switch (type) {
    case 'jpeg': {
      const header = jpegHeader(bytes);
      // 12-bit JPEG is valid but PDF's DCTDecode only takes 8 bits per component.
      if (header.precision !== 8) throw new Error(`${header.precision}-bit JPEG`);
      drawImagePage(
        doc,
        await doc.embedJpg(ownBuffer(bytes)),
        header.width,
        header.height,
        header.turn,
        page,
      );
      return 1;
    }
    case 'png': {
      checkPng(bytes);
      const image = await doc.embedPng(bytes);
      drawImagePage(doc, image, image.width, image.height, 0, page);
      return 1;
    }
    case 'gif': {
      const image = await doc.embedPng(gifFirstFrame(bytes));
      drawImagePage(doc, image, image.width, image.height, 0, page);
      return 1;
    }
    case 'tiff':
      return addTiffPages(doc, bytes, page);
  }
}

export interface Placement {
  x: number;
  y: number;
  /** Drawn size in the image's own frame, before rotation. */
  width: number;
  height: number;
  rotate: Turn;
}

/**
 * Where to draw an image of proportions `width`×`height` (as stored) that must be turned by `turn` to
 * stand upright: as large as fits inside the margins, centred, aspect ratio kept. Landscape content on
 * a portrait page is turned a further quarter counter-clockwise when that prints it larger, as printers do.
 */
export function placeImage(width: number, height: number, turn: Turn, page: PageSize): Placement {
  const boxWidth = page.width - 2 * MARGIN;
  const boxHeight = page.height - 2 * MARGIN;
  const scaleToFit = (w: number, h: number) => Math.min(boxWidth / w, boxHeight / h);
  const [uprightWidth, uprightHeight] = isSideways(turn) ? [height, width] : [width, height];
  const extra =
    scaleToFit(uprightHeight, uprightWidth) > scaleToFit(uprightWidth, uprightHeight) ? 90 : 0;
  const rotate = ((turn + extra) % 360) as Turn;
  const scale = isSideways(rotate) ? scaleToFit(height, width) : scaleToFit(width, height);
  const drawnWidth = width * scale;
  const drawnHeight = height * scale;
  const [spanX, spanY] = isSideways(rotate) ? [drawnHeight, drawnWidth] : [drawnWidth, drawnHeight];
  const left = MARGIN + (boxWidth - spanX) / 2;
  const bottom = MARGIN + (boxHeight - spanY) / 2;
  // pdf-lib turns the image about its (x, y) corner; pick the corner that lands the turned image in the box.
  const corner: Record<Turn, [number, number]> = {
    0: [left, bottom],
    90: [left + spanX, bottom],
    180: [left + spanX, bottom + spanY],
    270: [left, bottom + spanY],
  };
  const [x, y] = corner[rotate];
  return { x, y, width: drawnWidth, height: drawnHeight, rotate };
}

const isSideways = (turn: Turn) => turn === 90 || turn === 270;

function drawImagePage(
  doc: PDFDocument,
  image: PDFImage,
  width: number,
  height: number,
  turn: Turn,
  page: PageSize,
): void {
  const placement = placeImage(width, height, turn, page);
  doc
    .addPage([page.width, page.height])
    .drawImage(image, { ...placement, rotate: degrees(placement.rotate) });
}

/** An image whose header promises more pixels than we decode: a huge scan, or a decompression bomb. */
export class ImageTooLargeError extends Error {
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    super(`image of ${width}×${height} pixels is over the ${MAX_IMAGE_PIXELS} limit`);
    this.name = 'ImageTooLargeError';
  }
}

function checkPixels(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new Error('image has no size');
  if (width * height > MAX_IMAGE_PIXELS) throw new ImageTooLargeError(width, height);
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * pdf-lib's PNG decoder spins forever on a file cut short or with broken deflate data, so zlib
 * reads it first: every chunk whole and intact up to IEND, and the pixels inflating to no more
 * than the header's size allows.
 */
function checkPng(bytes: Uint8Array): void {
  const data = view(bytes);
  const idat: Uint8Array[] = [];
  let offset = 8;
  for (;;) {
    if (offset + 12 > bytes.length) throw new Error('PNG cut short');
    const length = data.getUint32(offset);
    const end = offset + 12 + length;
    if (end > bytes.length) throw new Error('PNG cut short');
    const typeAndBody = bytes.subarray(offset + 4, offset + 8 + length);
    if (crc32(typeAndBody) !== data.getUint32(end - 4)) throw new Error('PNG chunk damaged');
    const type = Buffer.from(typeAndBody.subarray(0, 4)).toString('latin1');
    if (type === 'IDAT') idat.push(typeAndBody.subarray(4));
    if (type === 'IEND') break;
    offset = end;
  }
  const width = data.getUint32(16);
  const height = data.getUint32(20);
  const bitsPerPixel = (data.getUint8(24) || 8) * (PNG_CHANNELS[data.getUint8(25)] ?? 4);
  // Interlaced rows add a filter byte per row of each of the seven passes.
  const maxOutputLength = height * (Math.ceil((width * bitsPerPixel) / 8) + 4) + 1024;
  inflateSync(Buffer.concat(idat), { maxOutputLength });
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// pdf-lib reads a JPEG through `new DataView(bytes.buffer)`, so it must own its whole buffer.
const ownBuffer = (bytes: Uint8Array) =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);

function headerSize(bytes: Uint8Array, type: 'jpeg' | 'png' | 'gif') {
  const data = view(bytes);
  switch (type) {
    case 'jpeg':
      return jpegHeader(bytes);
    case 'png':
      if (Buffer.from(bytes.buffer, bytes.byteOffset + 12, 4).toString('latin1') !== 'IHDR') {
        throw new Error('PNG without IHDR');
      }
      return { width: data.getUint32(16), height: data.getUint32(20) };
    case 'gif':
      return { width: data.getUint16(6, true), height: data.getUint16(8, true) };
  }
}

const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpegHeader(bytes: Uint8Array) {
  const data = view(bytes);
  let turn: Turn = 0;
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) throw new Error('JPEG marker expected');
    const marker = bytes[pos + 1] ?? 0;
    if (marker === 0xff) {
      pos += 1;
    } else if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
    } else if (marker === 0xd9 || marker === 0xda) {
      break;
    } else {
      const length = data.getUint16(pos + 2);
      if (isStartOfFrame(marker)) {
        return {
          precision: data.getUint8(pos + 4),
          height: data.getUint16(pos + 5),
          width: data.getUint16(pos + 7),
          turn,
        };
      }
      if (marker === 0xe1) turn = exifTurn(bytes.subarray(pos + 4, pos + 2 + length)) ?? turn;
      pos += 2 + length;
    }
  }
  throw new Error('JPEG without a frame header');
}

// EXIF orientation → the counter-clockwise turn that stands the photo upright (mirrored ones unmirrored).
const ORIENTATION_TURN: Record<number, Turn> = {
  1: 0,
  2: 0,
  3: 180,
  4: 180,
  5: 90,
  6: 270,
  7: 270,
  8: 90,
};

function exifTurn(app1: Uint8Array): Turn | undefined {
  if (
    Buffer.from(app1.buffer, app1.byteOffset, Math.min(6, app1.length)).toString('latin1') !==
    'Exif\0\0'
  ) {
    return undefined;
  }
  try {
    const tiff = view(app1.subarray(6));
    const le = app1[6] === 0x49;
    const ifd = tiff.getUint32(4, le);
    const count = tiff.getUint16(ifd, le);
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + i * 12;
      if (tiff.getUint16(entry, le) === 0x0112)
        return ORIENTATION_TURN[tiff.getUint16(entry + 8, le)];
    }
  } catch {
    // A damaged EXIF block leaves the photo as stored.
  }
  return undefined;
}

function gifFirstFrame(bytes: Uint8Array): Uint8Array {
  const reader = new GifReader(bytes);
  const frame = reader.frameInfo(0);
  checkPixels(reader.width, reader.height);
  checkPixels(frame.width, frame.height);
  checkGifCodes(bytes, frame.data_offset);
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(0, rgba);
  return pngOnWhite(rgba, reader.width, reader.height);
}

/**
 * omggif follows LZW codes through its table without checking them, and a damaged file can make
 * that chain loop forever: read the codes first (as omggif reads them) and refuse a code that
 * names an entry not made yet. Valid codes only point back, so the chains then always end.
 */
function checkGifCodes(bytes: Uint8Array, dataOffset: number): void {
  let p = dataOffset;
  const minCodeSize = bytes[p++] ?? 0;
  if (minCodeSize < 2 || minCodeSize > 8) throw new Error('GIF code size out of range');
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  let codeSize = minCodeSize + 1;
  let mask = (1 << codeSize) - 1;
  let next = eoi + 1;
  let first = true;
  let block = bytes[p++] ?? 0;
  let bits = 0;
  let shift = 0;
  for (;;) {
    while (shift < 16 && block > 0) {
      bits |= (bytes[p++] ?? 0) << shift;
      shift += 8;
      block = block === 1 ? (bytes[p++] ?? 0) : block - 1;
    }
    if (shift < codeSize) return;
    const code = bits & mask;
    bits >>= codeSize;
    shift -= codeSize;
    if (code === clear) {
      [codeSize, next, first] = [minCodeSize + 1, eoi + 1, true];
      mask = (1 << codeSize) - 1;
      continue;
    }
    if (code === eoi) return;
    if (code > next || (first && code >= next)) throw new Error('GIF data damaged');
    if (!first && next < 4096) {
      next += 1;
      if (next >= mask + 1 && codeSize < 12) [codeSize, mask] = [codeSize + 1, (mask << 1) | 1];
    }
    first = false;
  }
}

/** Pages of a TIFF, read from the directory chain before any decoding (UTIF loops on a cyclic chain). */
function tiffFrames(bytes: Uint8Array): { width: number; height: number }[] {
  const data = view(bytes);
  const le = bytes[0] === 0x49;
  const seen = new Set<number>();
  const frames: { width: number; height: number }[] = [];
  let offset = data.getUint32(4, le);
  while (offset !== 0) {
    if (seen.has(offset) || seen.size >= MAX_TIFF_PAGES)
      throw new Error('TIFF directory chain loops');
    seen.add(offset);
    const count = data.getUint16(offset, le);
    const tags = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const entry = offset + 2 + i * 12;
      checkTiffTag(data, entry, le);
      const short = data.getUint16(entry + 2, le) === 3;
      tags.set(
        data.getUint16(entry, le),
        short ? data.getUint16(entry + 8, le) : data.getUint32(entry + 8, le),
      );
    }
    if (!isThumbnail(tags.get(254))) {
      frames.push({ width: tags.get(256) ?? 0, height: tags.get(257) ?? 0 });
    }
    offset = data.getUint32(offset + 2 + count * 12, le);
  }
  return frames;
}

// Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, … DOUBLE, IFD).
const TIFF_TYPE_BYTES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];

/** UTIF reads as many values as a tag claims: a damaged count would have it fill the memory. */
function checkTiffTag(data: DataView, entry: number, le: boolean): void {
  const size = TIFF_TYPE_BYTES[data.getUint16(entry + 2, le)] ?? 0;
  const bytes = size * data.getUint32(entry + 4, le);
  const inline = bytes <= 4;
  if (size === 0 || (!inline && data.getUint32(entry + 8, le) + bytes > data.byteLength)) {
    throw new Error('TIFF tag damaged');
  }
}

const isThumbnail = (newSubfileType: unknown) =>
  typeof newSubfileType === 'number' && (newSubfileType & 1) === 1;

const rational = (value: unknown): number => {
  const pair = Array.isArray(value) ? value[0] : undefined;
  return Array.isArray(pair) && pair[0] > 0 && pair[1] > 0 ? pair[0] / pair[1] : 1;
};

async function addTiffPages(doc: PDFDocument, bytes: Uint8Array, page: PageSize): Promise<number> {
  tiffFrames(bytes);
  const file = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  const pages = UTIF.decode(file).filter(
    (ifd) => Array.isArray(ifd.t256) && !isThumbnail((ifd.t254 as number[] | undefined)?.[0]),
  );
  if (pages.length === 0) throw new Error('TIFF has no pages');
  for (const ifd of pages) {
    checkPixels(Number((ifd.t256 as number[])[0]), Number((ifd.t257 as number[])[0]));
    UTIF.decodeImage(file, ifd);
    const image = await doc.embedPng(pngOnWhite(UTIF.toRGBA8(ifd), ifd.width, ifd.height));
    // Fax TIFFs have 204×98 dpi pixels, twice as tall as wide: keep the page's true proportions.
    const width = ifd.width / rational(ifd.t282);
    const height = ifd.height / rational(ifd.t283);
    drawImagePage(doc, image, width, height, 0, page);
  }
  return pages.length;
}

/** RGBA pixels flattened onto white (what paper shows through) as an RGB PNG pdf-lib can embed. */
function pngOnWhite(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const rgb = Buffer.allocUnsafe(width * height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    const alpha = rgba[i + 3] ?? 255;
    const paper = 255 - alpha;
    rgb[j] = ((rgba[i] ?? 0) * alpha + 255 * paper) / 255;
    rgb[j + 1] = ((rgba[i + 1] ?? 0) * alpha + 255 * paper) / 255;
    rgb[j + 2] = ((rgba[i + 2] ?? 0) * alpha + 255 * paper) / 255;
  }
  const png = new PNG();
  png.width = width;
  png.height = height;
  png.data = rgb;
  return PNG.sync.write(png, {
    colorType: 2,
    inputColorType: 2,
    inputHasAlpha: false,
    deflateLevel: 6,
  });
}
