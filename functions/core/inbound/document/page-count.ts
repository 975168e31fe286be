import {
  type PDFDocument,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFPageLeaf,
  PDFPageTree,
} from 'pdf-lib';

/** A PDF's pages, read without trusting the file. */
export interface PageCount {
  /** Pages found in the page tree, counted until more than the limit were found. */
  counted: number;
  /** What the root of the page tree claims (`/Count`), when it says. */
  declared?: number;
}

/**
 * Walks the page tree as pdf-lib's own traversal does, but gives up once more than `limit` pages
 * were found or too many nodes were visited: a few objects whose branches repeat or loop can stand
 * for billions of pages, and pdf-lib would walk them all (or recurse until the stack runs out).
 */
export function countPages(pdf: PDFDocument, limit: number): PageCount | 'unreadable' {
  const nodeBudget = 10 * limit + 100;
  let nodes = 0;
  let counted = 0;
  try {
    const root = pdf.catalog.Pages();
    const stack: PDFObject[] = [root];
    while (stack.length > 0 && counted <= limit) {
      const node = stack.pop();
      if (++nodes > nodeBudget) return 'unreadable';
      if (node instanceof PDFPageTree) {
        const kids = node.Kids();
        for (let i = kids.size() - 1; i >= 0; i--) {
          const kid = pdf.context.lookup(kids.get(i));
          if (kid) stack.push(kid);
        }
      } else if (node instanceof PDFPageLeaf) {
        counted += 1;
      }
    }
    return { counted, declared: declaredCount(root) };
  } catch {
    return 'unreadable';
  }
}

function declaredCount(root: PDFPageTree): number | undefined {
  const count = root.get(PDFName.of('Count'));
  return count instanceof PDFNumber ? count.asNumber() : undefined;
}
