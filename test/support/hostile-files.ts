// Files built to hurt a document pipeline: page trees that lie or explode, PDFs that carry scripts
// and other files, and an image that inflates to gigabytes.
import { constants, crc32, createDeflateRaw, deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { makePdf } from '../../fixtures/documents';

/** A PDF written by hand, object by object, with a correct cross-reference table. */
export function handWrittenPdf(objects: string[]): Buffer {
  const parts = ['%PDF-1.4\n'];
  const offsets: number[] = [];
  let length = 9;
  objects.forEach((object, i) => {
    const text = `${i + 1} 0 obj\n${object}\nendobj\n`;
    offsets.push(length);
    parts.push(text);
    length += text.length;
  });
  parts.push(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`);
  for (const offset of offsets) parts.push(`${String(offset).padStart(10, '0')} 00000 n \n`);
  parts.push(
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`,
  );
  return Buffer.from(parts.join(''), 'latin1');
}

const PAGE = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>';

/** `pages` real pages in one flat page tree (object 2), with an honest /Count. */
export function hugePageTree(pages: number): Buffer {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  return handWrittenPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Count ${pages} /Kids [${kids}] >>`,
    ...Array.from({ length: pages }, () => PAGE),
  ]);
}

/** One real page under a root that claims `count`. */
export const countLie = (count: number) =>
  handWrittenPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Count ${count} /Kids [3 0 R] >>`,
    PAGE,
  ]);

/**
 * A few objects standing for 2^depth pages: each level lists the level below twice. The root
 * claims one page, so only walking the tree finds out.
 */
export function sharedBranches(depth: number): Buffer {
  const levels = Array.from({ length: depth }, (_, i) => {
    const below = i + 3;
    return `<< /Type /Pages /Count 1 /Kids [${below} 0 R ${below} 0 R] >>`;
  });
  return handWrittenPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    ...levels,
    `<< /Type /Page /Parent ${depth + 1} 0 R /MediaBox [0 0 612 792] >>`,
  ]);
}

/** A page tree that contains itself, and no page. */
export const cyclicPageTree = () =>
  handWrittenPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Count 1 /Kids [3 0 R] >>',
    '<< /Type /Pages /Count 1 /Parent 2 0 R /Kids [2 0 R] >>',
  ]);

/**
 * A two-page PDF with JavaScript run on open and on page open, a launch action behind a link,
 * a file attachment annotation and an embedded executable.
 */
export async function activePdf(): Promise<Buffer> {
  const doc = await PDFDocument.load(await makePdf(2), { updateMetadata: false });
  const { context } = doc;
  const js = (code: string) =>
    context.register(context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of(code) }));
  doc.catalog.set(PDFName.of('OpenAction'), js('app.alert("opened")'));
  doc.catalog.set(
    PDFName.of('Names'),
    context.obj({ JavaScript: context.obj({ Names: [PDFString.of('run'), js('this.print()')] }) }),
  );
  await doc.attach(Buffer.from('MZ not really a program'), 'update.exe', {
    mimeType: 'application/octet-stream',
  });
  const [first] = doc.getPages();
  first?.node.set(PDFName.of('AA'), context.obj({ O: js('app.launchURL("x")') }));
  const launch = context.obj({
    Type: 'Action',
    S: 'Launch',
    F: context.obj({ Type: 'Filespec', F: PDFString.of('cmd.exe') }),
  });
  const link = context.obj({
    Type: 'Annot',
    Subtype: 'Link',
    Rect: [72, 72, 300, 100],
    A: context.register(launch),
  });
  const embedded = context.register(
    context.stream(Buffer.from('payload'), { Type: 'EmbeddedFile' }),
  );
  const attachment = context.obj({
    Type: 'Annot',
    Subtype: 'FileAttachment',
    Rect: [72, 120, 90, 140],
    FS: context.obj({ Type: 'Filespec', F: PDFString.of('a.exe'), EF: { F: embedded } }),
  });
  first?.node.set(
    PDFName.of('Annots'),
    context.obj([context.register(link), context.register(attachment)]),
  );
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Names that mark active content in an uncompressed PDF. */
export const ACTIVE_MARKERS = ['/JavaScript', '/JS ', '/Launch', '/EmbeddedFile', '/OpenAction'];

/**
 * A real PNG of `width`×`height` one-bit pixels, all white: tiny on disk, `width × height / 8`
 * bytes once inflated, and 4 bytes a pixel in any decoder that expands it.
 */
export function pngBomb(width: number, height: number): Buffer {
  const row = Buffer.alloc(1 + Math.ceil(width / 8), 0xff);
  row[0] = 0;
  const raw = Buffer.alloc(row.length * height);
  for (let y = 0; y < height; y++) row.copy(raw, y * row.length);
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const MiB = 1024 * 1024;

/**
 * `prefix` followed by `mebibytes` MiB of `byte`, as a zlib stream about 1,000 times smaller than
 * what it inflates to, built without ever holding those bytes: past the first MiB, every MiB deflates
 * (against a window of the same byte) to the same block, so that block is repeated.
 */
export async function deflatedRun(prefix: Buffer, mebibytes: number, byte = 0x20): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const pieces: Buffer[] = [];
  deflate.on('data', (piece: Buffer) => pieces.push(piece));
  const chunk = Buffer.alloc(MiB, byte);
  const block = async (data: Buffer) => {
    const start = pieces.length;
    deflate.write(data);
    await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    return Buffer.concat(pieces.slice(start));
  };
  const first = await block(Buffer.concat([prefix, chunk]));
  const repeated = await block(chunk);
  if (!repeated.equals(await block(chunk))) throw new Error('zlib did not repeat itself');
  deflate.destroy();
  const finalEmptyBlock = Buffer.from([0x03, 0x00]);
  return Buffer.concat([
    Buffer.from([0x78, 0xda]),
    first,
    ...Array<Buffer>(mebibytes - 1).fill(repeated),
    finalEmptyBlock,
    adler32(prefix, mebibytes * MiB, byte),
  ]);
}

/** Adler-32 of `prefix` and `count` copies of `byte`, the copies summed in closed form. */
function adler32(prefix: Buffer, count: number, byte: number): Buffer {
  const MOD = 65521n;
  let a = 1n;
  let b = 0n;
  for (const value of prefix) {
    a = (a + BigInt(value)) % MOD;
    b = (b + a) % MOD;
  }
  const n = BigInt(count);
  const c = BigInt(byte);
  const sum = Buffer.alloc(4);
  const endA = (a + n * c) % MOD;
  const endB = (b + n * a + (c * n * (n + 1n)) / 2n) % MOD;
  sum.writeUInt32BE(Number((endB << 16n) | endA));
  return sum;
}

/** One stream object's text, its bytes kept one character per byte. */
const streamObject = (dict: string, data: Buffer) =>
  `<< ${dict} /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream`;

/**
 * A one-page PDF whose page sits in an object stream (/ObjStm) padded with `mebibytes` MiB of
 * spaces, deflated `layers` times: 512 MiB in one layer is a 0.5 MB file, and two layers fit
 * gigabytes in a few kilobytes. A reader must inflate the stream to find the page.
 */
export async function objectStreamBomb(mebibytes: number, layers = 1): Promise<Buffer> {
  const header = '4 0 ';
  const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>';
  let data = await deflatedRun(Buffer.from(header + page, 'latin1'), mebibytes);
  for (let layer = 1; layer < layers; layer++) data = deflateSync(data, { level: 9 });
  const filters = Array<string>(layers).fill('/FlateDecode').join(' ');
  return handWrittenPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Count 1 /Kids [4 0 R] >>',
    streamObject(`/Type /ObjStm /N 1 /First ${header.length} /Filter [${filters}]`, data),
  ]);
}

/**
 * A one-page PDF that also holds a cross-reference stream (/XRef) of `mebibytes` MiB, deflated
 * `layers` times, or one claiming `entries` entries it does not have.
 */
export async function xrefStreamBomb(
  mebibytes: number,
  options: { layers?: number; entries?: number } = {},
): Promise<Buffer> {
  const { layers = 1, entries = 4 } = options;
  let data = await deflatedRun(Buffer.from([1, 0, 0, 0]), mebibytes, 0);
  for (let layer = 1; layer < layers; layer++) data = deflateSync(data, { level: 9 });
  const filters = Array<string>(layers).fill('/FlateDecode').join(' ');
  return handWrittenPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Count 1 /Kids [3 0 R] >>',
    PAGE,
    streamObject(`/Type /XRef /Size ${entries} /W [1 2 1] /Root 1 0 R /Filter [${filters}]`, data),
  ]);
}

export interface TiffPage {
  width: number;
  height: number;
  /** 1 (black and white, as faxes are), or 8 per sample. */
  bitsPerSample?: 1 | 8;
  /** 1 (grey) or 3 (RGB). */
  samplesPerPixel?: 1 | 3;
  /** Tile size, for a tiled TIFF; stripped (one strip per page) when absent. */
  tile?: number;
  /** Store the page's pixels (all white, deflated); otherwise it only claims its size. */
  pixels?: boolean;
  /**
   * Sub-images (tag 330) `n` levels deep, each level listing the next twice: 2^n directories for a
   * reader that follows them, from n small ones in the file.
   */
  sharedSubImages?: number;
}

/**
 * A multi-page TIFF, Deflate-compressed (compression 8): white pages deflate about a thousandfold,
 * so a few kilobytes stand for a gigabyte of decoded pixels. A page without `pixels` holds an empty
 * strip, which decoders still expand to the full page.
 */
export function deflatedTiff(pages: TiffPage[]): Buffer {
  const strips = pages.map((page) => {
    const { width, height, bitsPerSample = 1, samplesPerPixel = 1 } = page;
    const [w, h] = page.tile ? [page.tile, page.tile] : [width, height];
    const bytes = page.pixels ? h * Math.ceil((w * bitsPerSample * samplesPerPixel) / 8) : 0;
    // White: 0 in WhiteIsZero black and white, 255 in grey and RGB.
    const white = bitsPerSample === 1 ? 0 : 255;
    const strip = deflateSync(Buffer.alloc(bytes, white), { level: 9 });
    return strip.length % 2 ? Buffer.concat([strip, Buffer.alloc(1)]) : strip;
  });
  const stripOffsets: number[] = [];
  let length = 8;
  for (const strip of strips) {
    stripOffsets.push(length);
    length += strip.length;
  }
  const dpi = length;
  length += 8;
  const ifds = pages.map((page, i) => tiffDirectory(page, stripOffsets[i] ?? 0, strips[i], dpi));
  const head = Buffer.from('II*\0\0\0\0\0', 'latin1');
  head.writeUInt32LE(length, 4);
  const directoriesEnd = length + ifds.reduce((sum, ifd) => sum + ifd.length, 0);
  const levels: Buffer[] = [];
  for (const [i, ifd] of ifds.entries()) {
    const depth = pages[i]?.sharedSubImages ?? 0;
    if (depth > 0) {
      const first = directoriesEnd + levels.reduce((sum, level) => sum + level.length, 0);
      pointSubImagesAt(ifd, first);
      levels.push(...sharedLevels(first, depth));
    }
    length += ifd.length;
    if (ifd !== ifds.at(-1)) ifd.writeUInt32LE(length, ifd.length - 4);
  }
  const resolution = Buffer.alloc(8);
  resolution.writeUInt32LE(200, 0);
  resolution.writeUInt32LE(1, 4);
  return Buffer.concat([head, ...strips, resolution, ...ifds, ...levels]);
}

/** `depth` one-pixel directories from `offset` on, each naming the next as its sub-image twice. */
function sharedLevels(offset: number, depth: number): Buffer[] {
  return Array.from({ length: depth }, (_, level) => {
    const last = level === depth - 1;
    const tags: [number, number, number][] = [
      [256, 4, 1],
      [257, 4, 1],
      ...(last ? [] : [[330, 3, 0] as [number, number, number]]),
    ];
    const ifd = Buffer.alloc(2 + 3 * 12 + 4);
    ifd.writeUInt16LE(tags.length, 0);
    tags.forEach(([tag, type, value], t) => {
      ifd.writeUInt16LE(tag, 2 + t * 12);
      ifd.writeUInt16LE(type, 4 + t * 12);
      ifd.writeUInt32LE(1, 6 + t * 12);
      ifd.writeUInt32LE(value, 10 + t * 12);
    });
    if (!last) pointSubImagesAt(ifd, offset + (level + 1) * ifd.length);
    return ifd;
  });
}

/** Points the directory's sub-image tag (two SHORT offsets, held in the entry) twice at `offset`. */
function pointSubImagesAt(ifd: Buffer, offset: number): void {
  const count = ifd.readUInt16LE(0);
  for (let i = 0; i < count; i++) {
    const entry = 2 + i * 12;
    if (ifd.readUInt16LE(entry) !== 330) continue;
    ifd.writeUInt32LE(2, entry + 4);
    ifd.writeUInt16LE(offset, entry + 8);
    ifd.writeUInt16LE(offset, entry + 10);
  }
}

/** One page's directory; its last four bytes (the next directory's offset) are left 0. */
function tiffDirectory(page: TiffPage, strip: number, data: Buffer | undefined, dpi: number) {
  const { width, height, bitsPerSample = 1, samplesPerPixel = 1 } = page;
  const stripBytes = data?.length ?? 0;
  const layout: [number, number, number][] = page.tile
    ? [
        [322, 4, page.tile],
        [323, 4, page.tile],
        [324, 4, strip],
        [325, 4, stripBytes],
      ]
    : [
        [273, 4, strip],
        [278, 4, height],
        [279, 4, stripBytes],
      ];
  const photometric = bitsPerSample === 1 ? 0 : samplesPerPixel === 3 ? 2 : 1;
  const tags: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, bitsPerSample],
    [259, 3, 8],
    [262, 3, photometric],
    [277, 3, samplesPerPixel],
    [282, 5, dpi],
    [283, 5, dpi],
    ...layout,
    ...(page.sharedSubImages ? [[330, 3, 0] as [number, number, number]] : []),
  ];
  tags.sort((x, y) => x[0] - y[0]);
  const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
  ifd.writeUInt16LE(tags.length, 0);
  tags.forEach(([tag, type, value], t) => {
    const at = 2 + t * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(type, at + 2);
    ifd.writeUInt32LE(1, at + 4);
    if (type === 3) ifd.writeUInt16LE(value, at + 8);
    else ifd.writeUInt32LE(value, at + 8);
  });
  return ifd;
}
