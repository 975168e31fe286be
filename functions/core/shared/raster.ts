// Decoded pixels become a PDF image, compressed as soon as they are decoded: a fax of many pages
// then holds one page's pixels at a time, never all of them.
import { deflateSync } from 'node:zlib';
import type { PDFDocument, PDFRef } from 'pdf-lib';

/** Rows of samples as PDF reads them, each row starting on a byte. */
export interface Raster {
  width: number;
  height: number;
  colorSpace: 'DeviceGray' | 'DeviceRGB';
  bitsPerComponent: 1 | 8;
  /** Sample 0 is white (TIFF's WhiteIsZero), not black. */
  whiteIsZero: boolean;
  samples: Uint8Array;
}

export const rowBytes = (raster: Omit<Raster, 'samples' | 'whiteIsZero'>) =>
  Math.ceil(
    (raster.width * (raster.colorSpace === 'DeviceRGB' ? 3 : 1) * raster.bitsPerComponent) / 8,
  );

/** The raster as an image object of `doc`, deflated by zlib; its samples are not kept. */
export function embedRaster(doc: PDFDocument, raster: Raster): PDFRef {
  const { width, height, colorSpace, bitsPerComponent, whiteIsZero } = raster;
  const size = rowBytes(raster) * height;
  // A page cut short (a missing strip) is padded as readers pad it, rather than left for them to guess.
  const samples =
    raster.samples.length >= size
      ? raster.samples.subarray(0, size)
      : Buffer.concat([raster.samples, Buffer.alloc(size - raster.samples.length)]);
  const stream = doc.context.stream(deflateSync(samples), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: width,
    Height: height,
    ColorSpace: colorSpace,
    BitsPerComponent: bitsPerComponent,
    Filter: 'FlateDecode',
    ...(whiteIsZero ? { Decode: [1, 0] } : {}),
  });
  return doc.context.register(stream);
}

/**
 * RGBA pixels flattened onto white (what paper shows through), as RGB written over the same
 * buffer: no second copy of a large image.
 */
export function rasterOnWhite(rgba: Uint8Array, width: number, height: number): Raster {
  const pixels = width * height;
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    const at = 4 * i;
    const alpha = rgba[at + 3] ?? 255;
    const paper = 255 * (255 - alpha);
    const red = rgba[at] ?? 0;
    const green = rgba[at + 1] ?? 0;
    const blue = rgba[at + 2] ?? 0;
    rgba[j] = (red * alpha + paper) / 255;
    rgba[j + 1] = (green * alpha + paper) / 255;
    rgba[j + 2] = (blue * alpha + paper) / 255;
  }
  return {
    width,
    height,
    colorSpace: 'DeviceRGB',
    bitsPerComponent: 8,
    whiteIsZero: false,
    samples: rgba.subarray(0, 3 * pixels),
  };
}
