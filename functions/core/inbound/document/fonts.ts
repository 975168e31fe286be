// The typefaces the bridge draws with: DejaVu Sans (Latin, Greek, Cyrillic and the common
// symbols ≥ ≤ ± µ ° €), embedded through fontkit and subset to the characters a page uses.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { PDFDocument, PDFFont } from 'pdf-lib';

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

const FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;

const loaded = new Map<keyof typeof FILES, Uint8Array>();

/**
 * The Lambda bundle carries the files in fonts/ beside index.mjs (infra/constructs/bridge-function.ts
 * copies them); run from source, they are read from the npm package.
 */
function fontFile(name: string): string {
  const bundled = fileURLToPath(new URL(`./fonts/${name}`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  return createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${name}`);
}

// Read once per process, and only when a cover page is drawn: a fax without one never pays for it.
function fontBytes(style: keyof typeof FILES): Uint8Array {
  let bytes = loaded.get(style);
  if (!bytes) {
    bytes = readFileSync(fontFile(FILES[style]));
    loaded.set(style, bytes);
  }
  return bytes;
}

export async function embedFonts(doc: PDFDocument): Promise<Fonts> {
  // Imported when first needed: the bundle then runs fontkit's module setup only for a cover page.
  doc.registerFontkit((await import('@pdf-lib/fontkit')).default);
  const [regular, bold] = await Promise.all([
    doc.embedFont(fontBytes('regular'), { subset: true }),
    doc.embedFont(fontBytes('bold'), { subset: true }),
  ]);
  return { regular, bold };
}
