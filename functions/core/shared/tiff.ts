// TIFF pages: read from the directory chain before anything is decoded (so that their cost is known),
// then decoded by UTIF one page at a time.
import UTIF from 'utif2';
import type { Raster } from './raster';
import { rasterOnWhite } from './raster';

export interface TiffFrame {
  width: number;
  height: number;
  /** What decoding the page allocates: its samples, a tile, and RGBA when PDF cannot take them as they are. */
  decodedBytes: number;
}

const MAX_TIFF_PAGES = 1000;
// TIFF requires tiles of multiples of 16; smaller ones make one decoder call per handful of pixels.
const MIN_TILE = 16;
// Tags that point at further directories (sub-images, EXIF, GPS, maker notes, DNG and Fuji data).
// UTIF follows each of them without a limit, so shared or looping ones never end: none is needed
// for the pages, and they are renamed to a private tag before UTIF reads the file.
const DIRECTORY_POINTERS = new Set([330, 34665, 34853, 37500, 50740, 61440]);
const IGNORED_TAG = 65000;

// Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, … DOUBLE, IFD).
const TIFF_TYPE_BYTES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];

interface Tag {
  count: number;
  /** The first value (BYTE, SHORT or LONG), or the offset of the values for other types. */
  value: number;
}

interface Directory {
  tags: Map<number, Tag>;
  /** Offsets of the entries that point at further directories. */
  pointers: number[];
}

/** The pages, with what each costs to decode; throws on a damaged or looping directory chain. */
export function tiffFrames(bytes: Uint8Array): TiffFrame[] {
  return directories(bytes)
    .filter(({ tags }) => !isThumbnail(tags.get(254)?.value))
    .map(({ tags }) => frameOf(tags));
}

/** Decodes the pages one at a time, each as PDF can take it; the caller drops each before the next. */
export function* tiffRasters(
  bytes: Uint8Array,
): Generator<{ raster: Raster; dpi: [number, number] }> {
  const file = new Uint8Array(bytes);
  const data = view(file);
  const le = file[0] === 0x49;
  for (const { pointers } of directories(file)) {
    for (const entry of pointers) data.setUint16(entry, IGNORED_TAG, le);
  }
  const pages = decodeDirectories(file.buffer).filter(
    (ifd) => Array.isArray(ifd.t256) && !isThumbnail((ifd.t254 as number[] | undefined)?.[0]),
  );
  if (pages.length === 0) throw new Error('TIFF has no pages');
  for (const ifd of pages) {
    UTIF.decodeImage(file.buffer, ifd);
    const raster = asIs(ifd) ?? rasterOnWhite(UTIF.toRGBA8(ifd), ifd.width, ifd.height);
    ifd.data = new Uint8Array(0);
    yield { raster, dpi: [rational(ifd.t282), rational(ifd.t283)] };
  }
}

// Maker notes are parsed by default, and are one more way into nested directories.
const decodeDirectories = (buffer: ArrayBuffer): UTIF.IFD[] =>
  (UTIF.decode as (b: ArrayBuffer, options: object) => UTIF.IFD[])(buffer, {
    parseMN: false,
    debug: false,
  });

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The directory chain, each read whole (UTIF loops on a cyclic chain, and reads what tags claim). */
function directories(bytes: Uint8Array): Directory[] {
  const data = view(bytes);
  const le = bytes[0] === 0x49;
  const seen = new Set<number>();
  const found: Directory[] = [];
  let offset = data.getUint32(4, le);
  while (offset !== 0) {
    if (seen.has(offset) || seen.size >= MAX_TIFF_PAGES) {
      throw new Error('TIFF directory chain loops');
    }
    seen.add(offset);
    const count = data.getUint16(offset, le);
    const directory: Directory = { tags: new Map(), pointers: [] };
    for (let i = 0; i < count; i++) {
      const entry = offset + 2 + i * 12;
      const tag = data.getUint16(entry, le);
      directory.tags.set(tag, readTag(data, entry, le));
      if (DIRECTORY_POINTERS.has(tag)) directory.pointers.push(entry);
    }
    found.push(directory);
    offset = data.getUint32(offset + 2 + count * 12, le);
  }
  return found;
}

/** UTIF reads as many values as a tag claims: a damaged count would have it fill the memory. */
function readTag(data: DataView, entry: number, le: boolean): Tag {
  const type = data.getUint16(entry + 2, le);
  const size = TIFF_TYPE_BYTES[type] ?? 0;
  const count = data.getUint32(entry + 4, le);
  const inline = size * count <= 4;
  const at = inline ? entry + 8 : data.getUint32(entry + 8, le);
  if (size === 0 || (!inline && at + size * count > data.byteLength)) {
    throw new Error('TIFF tag damaged');
  }
  const read = (offset: number) =>
    type === 3
      ? data.getUint16(offset, le)
      : type === 1
        ? data.getUint8(offset)
        : data.getUint32(offset, le);
  const first = type === 1 || type === 3 || type === 4 ? read(at) : data.getUint32(entry + 8, le);
  return { count, value: count === 0 ? 0 : first };
}

function frameOf(tags: Map<number, Tag>): TiffFrame {
  const width = tags.get(256)?.value ?? 0;
  const height = tags.get(257)?.value ?? 0;
  // As UTIF.decodeImage sizes its buffers.
  const bitsPerPixel = (tags.get(258)?.value ?? 1) * (tags.get(277)?.value ?? 1);
  const samples = height * Math.ceil((width * bitsPerPixel) / 8);
  const tiled = tags.has(322);
  const [tileWidth, tileHeight] = [tags.get(322)?.value ?? 0, tags.get(323)?.value ?? 0];
  if (tiled && (tileWidth < MIN_TILE || tileHeight < MIN_TILE)) throw new Error('TIFF tiles');
  const tile = tiled ? Math.ceil((tileWidth * tileHeight * bitsPerPixel) / 8) : 0;
  const rgba = layoutAsIs(layoutOf(tags)) ? 0 : 4 * width * height;
  return { width, height, decodedBytes: samples + tile + rgba };
}

interface Layout {
  /** PhotometricInterpretation: 0 WhiteIsZero, 1 BlackIsZero, 2 RGB, … */
  photometric: number;
  bitsPerSample: number;
  samplesPerPixel: number;
}

/** As UTIF.toRGBA8 reads the tags, so that a page taken as it is shows as toRGBA8 would show it. */
function layoutOf(tags: Map<number, Tag>): Layout {
  const bitsPerSample = tags.get(258)?.value ?? 1;
  const photometric = tags.get(262)?.value ?? (bitsPerSample === 1 ? 0 : 2);
  const samplesPerPixel = tags.get(277)?.value ?? tags.get(258)?.count ?? 1;
  return { photometric, bitsPerSample, samplesPerPixel };
}

const first = (value: unknown): number | undefined =>
  Array.isArray(value) && typeof value[0] === 'number' ? value[0] : undefined;

function layoutOfIfd(ifd: UTIF.IFD): Layout {
  const bitsPerSample = first(ifd.t258) ?? 1;
  const photometric = first(ifd.t262) ?? (bitsPerSample === 1 ? 0 : 2);
  const samplesPerPixel =
    first(ifd.t277) ?? (Array.isArray(ifd.t258) ? ifd.t258.length : undefined) ?? 1;
  return { photometric, bitsPerSample, samplesPerPixel };
}

/** Black and white, grey and RGB in 8 bits are samples PDF reads as they are. */
function layoutAsIs({ photometric, bitsPerSample, samplesPerPixel }: Layout): boolean {
  if (photometric === 0 || photometric === 1) {
    return samplesPerPixel === 1 && (bitsPerSample === 1 || bitsPerSample === 8);
  }
  return photometric === 2 && bitsPerSample === 8 && samplesPerPixel === 3;
}

function asIs(ifd: UTIF.IFD): Raster | undefined {
  const layout = layoutOfIfd(ifd);
  if (!layoutAsIs(layout)) return undefined;
  return {
    width: ifd.width,
    height: ifd.height,
    colorSpace: layout.photometric === 2 ? 'DeviceRGB' : 'DeviceGray',
    bitsPerComponent: layout.bitsPerSample as 1 | 8,
    whiteIsZero: layout.photometric === 0,
    samples: ifd.data,
  };
}

const isThumbnail = (newSubfileType: unknown) =>
  typeof newSubfileType === 'number' && (newSubfileType & 1) === 1;

const rational = (value: unknown): number => {
  const pair = Array.isArray(value) ? value[0] : undefined;
  return Array.isArray(pair) && pair[0] > 0 && pair[1] > 0 ? pair[0] / pair[1] : 1;
};
