import { crc32, inflateSync } from 'node:zlib';
import { GifReader } from 'omggif';
import { degrees, drawImage, type PDFDocument, PDFImage, type PDFRef } from 'pdf-lib';
import { embedRaster, rasterOnWhite } from '../../shared/raster';
import { tiffFrames, tiffRasters } from '../../shared/tiff';
import type { ImageType } from './document-type';
import { type PageSize, type Placement, placeContent, type Turn } from './page-geometry';

/** Half an inch: fax machines do not print to the edge of the paper. */
const MARGIN = 36;
/** Refused before decoding: a small file can unpack to gigabytes. A Letter page at 600 dpi is 34 MP. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/**
 * What the decoders may allocate for one email's images, every page of every image summed, known
 * from their headers before any is decoded. Pages are decoded and compressed one at a time, so this
 * bounds the time more than the memory: the costliest page it admits, a 36-megapixel colour PNG,
 * adds about 400 MB at its peak and takes 10 s. A black-and-white fax page costs 0.5 MB, a colour
 * TIFF 3 bytes a pixel, a colour PNG 7.
 */
export const MAX_DECODED_BYTES = 256 * 1024 * 1024;

export interface ImageInfo {
  width: number;
  height: number;
  /** Fax pages the image fills: one, or one per page of a multi-page TIFF. */
  pages: number;
  /** What decoding every page allocates (0 for a JPEG, which goes into the PDF undecoded). */
  decodedBytes: number;
}

interface Frame {
  width: number;
  height: number;
  decodedBytes: number;
}

/** Reads the size from the headers alone and refuses damaged headers and too many pixels. */
export function inspectImage(bytes: Uint8Array, type: ImageType): ImageInfo {
  const frames = type === 'tiff' ? tiffFrames(bytes) : [headerFrame(bytes, type)];
  const first = frames[0];
  if (!first) throw new Error('TIFF has no pages');
  for (const frame of frames) checkPixels(frame.width, frame.height);
  const decodedBytes = frames.reduce((sum, frame) => sum + frame.decodedBytes, 0);
  return { width: first.width, height: first.height, pages: frames.length, decodedBytes };
}

/** Reads the compressed data through, where damage would hang a decoder; throws when damaged. */
export function checkImageData(bytes: Uint8Array, type: ImageType): void {
  if (type === 'png') checkPng(bytes);
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
        pageSizedScan(header, page),
      );
      return 1;
    }
    case 'png': {
      checkPng(bytes);
      const image = await doc.embedPng(bytes);
      // Embedded now, not when the document is saved, so that its decoded pixels go now.
      await image.embed();
      drawImagePage(doc, image, image.width, image.height, 0, page, pageSizedScan(image, page));
      return 1;
    }
    case 'gif': {
      const { width, height, rgba } = gifFirstFrame(bytes);
      drawImagePage(
        doc,
        embedRaster(doc, rasterOnWhite(rgba, width, height)),
        width,
        height,
        0,
        page,
        pageSizedScan({ width, height }, page),
      );
      return 1;
    }
    case 'tiff':
      return addTiffPages(doc, bytes, page);
  }
}

async function addTiffPages(doc: PDFDocument, bytes: Uint8Array, page: PageSize): Promise<number> {
  for (const frame of tiffFrames(bytes)) checkPixels(frame.width, frame.height);
  let pages = 0;
  for (const { raster, dpi } of tiffRasters(bytes)) {
    const image = embedRaster(doc, raster);
    // Fax TIFFs have 204×98 dpi pixels, twice as tall as wide: keep the page's true proportions.
    const scan = pageSizedScan(raster, page, dpi);
    drawImagePage(doc, image, raster.width / dpi[0], raster.height / dpi[1], 0, page, scan);
    pages += 1;
  }
  return pages;
}

/** Where to draw an image inside the half-inch margins (see placeContent). */
export function placeImage(width: number, height: number, turn: Turn, page: PageSize): Placement {
  return placeContent(width, height, turn, page, MARGIN);
}

/**
 * Fax resolutions (dots per inch across, down) a scan may already be a page at. A TIFF states its own;
 * other images are measured against these.
 */
const FAX_RESOLUTIONS: [number, number][] = [
  [200, 200],
  [204, 196],
  [204, 98],
];
/** How far a scan's size may be from the page's and still count as a page-sized scan. */
const PAGE_SIZED = 0.05;

/** The image's size in points when it is a page-sized scan at `dpi` (or any fax resolution). */
function pageSizedScan(
  pixels: { width: number; height: number },
  page: PageSize,
  dpi?: [number, number],
): { width: number; height: number } | undefined {
  for (const [across, down] of dpi ? [dpi] : FAX_RESOLUTIONS) {
    const width = (pixels.width / across) * 72;
    const height = (pixels.height / down) * 72;
    const near = (size: number, of: number) => Math.abs(size - of) <= of * PAGE_SIZED;
    if (near(width, page.width) && near(height, page.height)) return { width, height };
  }
  return undefined;
}

/** A page holding the image (embedded by pdf-lib, or an image object of ours), fitted and centred. */
function drawImagePage(
  doc: PDFDocument,
  image: PDFImage | PDFRef,
  width: number,
  height: number,
  turn: Turn,
  page: PageSize,
  scan?: { width: number; height: number },
): void {
  // A page-sized scan is the page: drawn at its own resolution, to the edges, never enlarged.
  const placement =
    turn === 0 && scan
      ? placeContent(scan.width, scan.height, 0, page, 0, 1)
      : placeImage(width, height, turn, page);
  const pdfPage = doc.addPage([page.width, page.height]);
  const rotate = degrees(placement.rotate);
  if (image instanceof PDFImage) {
    pdfPage.drawImage(image, { ...placement, rotate });
    return;
  }
  const name = pdfPage.node.newXObject('Image', image);
  pdfPage.pushOperators(
    ...drawImage(name, { ...placement, rotate, xSkew: degrees(0), ySkew: degrees(0) }),
  );
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
  inflateSync(Buffer.concat(idat), { maxOutputLength: pngRowBytes(data) });
}

/** The most a PNG's rows can inflate to, by its header. */
function pngRowBytes(data: DataView): number {
  const width = data.getUint32(16);
  const height = data.getUint32(20);
  const bitsPerPixel = (data.getUint8(24) || 8) * (PNG_CHANNELS[data.getUint8(25)] ?? 4);
  // Interlaced rows add a filter byte per row of each of the seven passes.
  return height * (Math.ceil((width * bitsPerPixel) / 8) + 4) + 1024;
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// pdf-lib reads a JPEG through `new DataView(bytes.buffer)`, so it must own its whole buffer.
const ownBuffer = (bytes: Uint8Array) =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);

function headerFrame(bytes: Uint8Array, type: 'jpeg' | 'png' | 'gif'): Frame {
  const data = view(bytes);
  switch (type) {
    case 'jpeg':
      return { ...jpegHeader(bytes), decodedBytes: 0 };
    case 'png': {
      if (Buffer.from(bytes.buffer, bytes.byteOffset + 12, 4).toString('latin1') !== 'IHDR') {
        throw new Error('PNG without IHDR');
      }
      const width = data.getUint32(16);
      const height = data.getUint32(20);
      // pdf-lib inflates the rows, then expands them to 8-bit RGBA.
      return { width, height, decodedBytes: pngRowBytes(data) + 4 * width * height };
    }
    case 'gif': {
      const width = data.getUint16(6, true);
      const height = data.getUint16(8, true);
      return { width, height, decodedBytes: 4 * width * height };
    }
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

function gifFirstFrame(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const reader = new GifReader(bytes);
  const frame = reader.frameInfo(0);
  checkPixels(reader.width, reader.height);
  checkPixels(frame.width, frame.height);
  checkGifCodes(bytes, frame.data_offset);
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(0, rgba);
  return { width: reader.width, height: reader.height, rgba };
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
