import { type PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { makeTiff } from '../../../../../fixtures/documents';
import { addImagePages, inspectImage } from '../../../../../functions/core/inbound/document/images';
import { tiffFrames } from '../../../../../functions/core/shared/tiff';
import { deflatedTiff, type TiffPage } from '../../../../support/hostile-files';

const LETTER = { width: 612, height: 792 };

/** The image objects of the PDF built from `tiff`, as their dictionaries say. */
async function imagesOf(tiff: Buffer) {
  const doc = await PDFDocument.create();
  const pages = await addImagePages(doc, tiff, 'tiff', LETTER);
  const saved = await PDFDocument.load(await doc.save());
  const images = saved.context
    .enumerateIndirectObjects()
    .map(([, object]) => object)
    .filter((o): o is PDFRawStream => o instanceof PDFRawStream)
    .map((stream) => stream.dict)
    .filter((dict) => dict.get(PDFName.of('Subtype')) === PDFName.of('Image'))
    .map((dict: PDFDict) => ({
      colorSpace: dict.get(PDFName.of('ColorSpace'))?.toString(),
      bits: dict.get(PDFName.of('BitsPerComponent'))?.toString(),
      decode: dict.get(PDFName.of('Decode'))?.toString(),
      width: dict.get(PDFName.of('Width'))?.toString(),
    }));
  return { pages, images };
}

describe('TIFF pages', () => {
  it.each<[string, TiffPage, object]>([
    [
      'black and white',
      { width: 1728, height: 1100, pixels: true },
      { colorSpace: '/DeviceGray', bits: '1', decode: '[ 1 0 ]' },
    ],
    [
      'grey',
      { width: 300, height: 200, bitsPerSample: 8, pixels: true },
      { colorSpace: '/DeviceGray', bits: '8', decode: undefined },
    ],
    [
      'RGB',
      { width: 300, height: 200, bitsPerSample: 8, samplesPerPixel: 3, pixels: true },
      { colorSpace: '/DeviceRGB', bits: '8', decode: undefined },
    ],
  ])('%s pages go into the PDF as their own samples, one image a page', async (_, page, image) => {
    const { pages, images } = await imagesOf(deflatedTiff([page, page]));
    expect(pages).toBe(2);
    expect(images).toEqual([
      { ...image, width: String(page.width) },
      { ...image, width: String(page.width) },
    ]);
  });

  it('knows from the directories alone what each page takes to decode', () => {
    const frames = tiffFrames(
      deflatedTiff([
        { width: 1728, height: 2200 },
        { width: 1000, height: 1000, bitsPerSample: 8, samplesPerPixel: 3 },
        { width: 1000, height: 1000, bitsPerSample: 8, samplesPerPixel: 3, tile: 1024 },
      ]),
    );
    expect(frames).toEqual([
      { width: 1728, height: 2200, decodedBytes: 216 * 2200 },
      { width: 1000, height: 1000, decodedBytes: 3_000_000 },
      { width: 1000, height: 1000, decodedBytes: 3_000_000 + 3 * 1024 * 1024 },
    ]);
    expect(inspectImage(makeTiff(64, 48), 'tiff')).toMatchObject({ pages: 1, decodedBytes: 3072 });
  });

  it('a page whose sub-images stand for 2^40 directories (40 in the file) is read without following them', async () => {
    const tiff = deflatedTiff([{ width: 64, height: 64, pixels: true, sharedSubImages: 40 }]);
    const { pages } = await imagesOf(tiff);
    expect(pages).toBe(1);
  });

  it('refuses tiles too small to be real (one decoder call per handful of pixels)', () => {
    const tiff = deflatedTiff([{ width: 6000, height: 6000, tile: 1 }]);
    expect(() => inspectImage(tiff, 'tiff')).toThrow('TIFF tiles');
  });
});
