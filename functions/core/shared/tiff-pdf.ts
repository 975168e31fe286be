// A TIFF as a PDF of the same pages, each at the size its resolution says: a received fax is kept
// as it arrived, not fitted to Letter with margins as a document to be faxed is.
import { degrees, drawImage, PDFDocument } from 'pdf-lib';
import { embedRaster } from './raster';
import { tiffFrames, tiffRasters } from './tiff';

export interface TiffLimits {
  /** Pixels one page may have. */
  maxPagePixels: number;
  /** What decoding every page may allocate, summed: known from the headers before decoding. */
  maxDecodedBytes: number;
}

/** A page larger than the limits allow, or pages that would cost more than they allow to decode. */
export class TiffTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TiffTooLargeError';
  }
}

// A TIFF without a resolution is read at fax fine resolution; PDF pages end at 200 inches.
const DEFAULT_DPI = 200;
const MAX_PAGE_POINTS = 14_400;
const NONE = degrees(0);

/** Throws on a damaged TIFF and, before decoding anything, on one beyond `limits`. */
export async function tiffToPdf(
  bytes: Uint8Array,
  limits: TiffLimits,
): Promise<{ pdf: Uint8Array; pages: number }> {
  checkCost(bytes, limits);
  const doc = await PDFDocument.create();
  let pages = 0;
  for (const { raster, dpi } of tiffRasters(bytes)) {
    const image = embedRaster(doc, raster);
    const width = pagePoints(raster.width, dpi[0]);
    const height = pagePoints(raster.height, dpi[1]);
    const page = doc.addPage([width, height]);
    const name = page.node.newXObject('Fax', image);
    page.pushOperators(
      ...drawImage(name, { x: 0, y: 0, width, height, rotate: NONE, xSkew: NONE, ySkew: NONE }),
    );
    pages += 1;
  }
  return { pdf: await doc.save(), pages };
}

function checkCost(bytes: Uint8Array, limits: TiffLimits): void {
  const frames = tiffFrames(bytes);
  if (frames.length === 0) throw new Error('TIFF has no pages');
  for (const { width, height } of frames) {
    if (!(width > 0 && height > 0)) throw new Error('TIFF page has no size');
    if (width * height > limits.maxPagePixels) {
      throw new TiffTooLargeError(`TIFF page of ${width}×${height} pixels`);
    }
  }
  const decoded = frames.reduce((sum, frame) => sum + frame.decodedBytes, 0);
  if (decoded > limits.maxDecodedBytes) {
    throw new TiffTooLargeError(`TIFF pages would decode to ${decoded} bytes`);
  }
}

const pagePoints = (pixels: number, dpi: number) =>
  Math.min(MAX_PAGE_POINTS, Math.max(1, (pixels / (dpi > 1 ? dpi : DEFAULT_DPI)) * 72));
