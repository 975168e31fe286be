// Files built to hurt a document pipeline: page trees that lie or explode, PDFs that carry scripts
// and other files, and an image that inflates to gigabytes.
import { crc32, deflateSync } from 'node:zlib';
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
