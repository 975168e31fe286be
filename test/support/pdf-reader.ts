// Reads a PDF back the way a person would: the text PDF.js extracts from each page, line by
// line, and each page's size as shown (its rotation applied).
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface ShownPage {
  /** The page's lines of text, top to bottom, the pieces of one line joined by spaces. */
  lines: string[];
  width: number;
  height: number;
  /** The page's /Rotate, clockwise degrees: the sizes above already have it applied. */
  rotate: number;
}

export async function readPdf(pdf: Uint8Array): Promise<ShownPage[]> {
  const doc = await getDocument({
    data: new Uint8Array(pdf),
    useSystemFonts: false,
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  const pages: ShownPage[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const viewport = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    const rows = new Map<number, { x: number; text: string }[]>();
    for (const item of content.items) {
      if (!('str' in item) || !item.str) continue;
      const y = Math.round(item.transform[5] ?? 0);
      rows.set(y, [...(rows.get(y) ?? []), { x: item.transform[4] ?? 0, text: item.str }]);
    }
    const lines = [...rows.entries()]
      .sort(([a], [b]) => b - a)
      .map(([, pieces]) =>
        pieces
          .sort((a, b) => a.x - b.x)
          .map((p) => p.text)
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    pages.push({ lines, width: viewport.width, height: viewport.height, rotate: page.rotate });
  }
  await doc.destroy();
  return pages;
}

/** All the text of a PDF, its pages' lines joined by newlines. */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  return (await readPdf(pdf)).map((p) => p.lines.join('\n')).join('\n');
}
