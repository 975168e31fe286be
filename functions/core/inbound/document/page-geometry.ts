import {
  degrees,
  PDFArray,
  PDFDict,
  type PDFDocument,
  PDFName,
  PDFNumber,
  type PDFPage,
} from 'pdf-lib';

export interface PageSize {
  width: number;
  height: number;
}

/** Quarter turns, counter-clockwise as PDF counts them. */
export type Turn = 0 | 90 | 180 | 270;

export interface Placement {
  x: number;
  y: number;
  /** Drawn size in the content's own frame, before rotation. */
  width: number;
  height: number;
  rotate: Turn;
}

/** How far a sender's page may be from the configured size and still go out as it is. */
const SIZE_TOLERANCE = 1;

/**
 * Where to draw content of proportions `width`×`height` (as stored) that must be turned by `turn` to
 * stand upright: as large as fits inside the margins, centred, aspect ratio kept. Landscape content on
 * a portrait page is turned a further quarter counter-clockwise when that prints it larger, as printers do.
 * `maxScale` caps the scale (1 keeps a page-sized scan at its own resolution).
 */
export function placeContent(
  width: number,
  height: number,
  turn: Turn,
  page: PageSize,
  margin: number,
  maxScale = Number.POSITIVE_INFINITY,
): Placement {
  const boxWidth = page.width - 2 * margin;
  const boxHeight = page.height - 2 * margin;
  const scaleToFit = (w: number, h: number) => Math.min(boxWidth / w, boxHeight / h);
  const [uprightWidth, uprightHeight] = isSideways(turn) ? [height, width] : [width, height];
  const extra =
    scaleToFit(uprightHeight, uprightWidth) > scaleToFit(uprightWidth, uprightHeight) ? 90 : 0;
  const rotate = ((turn + extra) % 360) as Turn;
  const fit = isSideways(rotate) ? scaleToFit(height, width) : scaleToFit(width, height);
  const scale = Math.min(fit, maxScale);
  const drawnWidth = width * scale;
  const drawnHeight = height * scale;
  const [spanX, spanY] = isSideways(rotate) ? [drawnHeight, drawnWidth] : [drawnWidth, drawnHeight];
  const left = margin + (boxWidth - spanX) / 2;
  const bottom = margin + (boxHeight - spanY) / 2;
  // Content turns about its (x, y) corner; pick the corner that lands the turned content in the box.
  const corner: Record<Turn, [number, number]> = {
    0: [left, bottom],
    90: [left + spanX, bottom],
    180: [left + spanX, bottom + spanY],
    270: [left, bottom + spanY],
  };
  const [x, y] = corner[rotate];
  return { x, y, width: drawnWidth, height: drawnHeight, rotate };
}

export const isSideways = (turn: Turn) => turn === 90 || turn === 270;

interface ShownBox {
  left: number;
  bottom: number;
  width: number;
  height: number;
  /** The page's /Rotate, clockwise, in quarter turns. */
  rotate: Turn;
}

/** The part of the page a viewer shows (its crop box), and how the page is turned. */
function shownBox(page: PDFPage): ShownBox {
  const media = page.getMediaBox();
  const crop = page.getCropBox();
  const left = Math.max(media.x, crop.x);
  const bottom = Math.max(media.y, crop.y);
  const right = Math.min(media.x + media.width, crop.x + crop.width);
  const top = Math.min(media.y + media.height, crop.y + crop.height);
  const angle = (((Math.round(page.getRotation().angle / 90) * 90) % 360) + 360) % 360;
  return { left, bottom, width: right - left, height: top - bottom, rotate: angle as Turn };
}

/** The page shows portrait at the configured size, within a point: it can go out as it is. */
export function fitsPage(page: PDFPage, size: PageSize): boolean {
  const box = shownBox(page);
  const [width, height] = isSideways(box.rotate)
    ? [box.height, box.width]
    : [box.width, box.height];
  return (
    Math.abs(width - size.width) <= SIZE_TOLERANCE &&
    Math.abs(height - size.height) <= SIZE_TOLERANCE
  );
}

/**
 * Makes a page of `doc` portrait at the configured size: its content is turned upright (landscape a
 * further quarter counter-clockwise) and scaled to fit, centred, by a transformation wrapped round its
 * content streams. The streams are not decoded, so this costs nothing against the inflate budget.
 */
export function fitToPage(doc: PDFDocument, page: PDFPage, size: PageSize): void {
  const box = shownBox(page);
  if (!(box.width > 0 && box.height > 0)) return;
  const place = placeContent(box.width, box.height, ((360 - box.rotate) % 360) as Turn, size, 0);
  const matrix = placementMatrix(place, box);
  const wrap = (operators: string) => doc.context.register(doc.context.stream(operators));
  const contents = page.node.Contents();
  const original = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  // The extra q guards the transformation from a content stream that restores once too often.
  const before = wrap(`q ${matrix.map(format).join(' ')} cm q\n`);
  const after = wrap('\nQ Q');
  page.node.set(PDFName.of('Contents'), doc.context.obj([before, ...original, after]));
  for (const name of ['CropBox', 'BleedBox', 'TrimBox', 'ArtBox'])
    page.node.delete(PDFName.of(name));
  page.setMediaBox(0, 0, size.width, size.height);
  page.setRotation(degrees(0));
  moveAnnotations(doc, page, matrix);
}

type Matrix = [number, number, number, number, number, number];

/** translate(x, y) · rotate · scale, applied to the shown box moved to the origin. */
function placementMatrix(place: Placement, box: ShownBox): Matrix {
  const radians = (place.rotate * Math.PI) / 180;
  const cos = Math.round(Math.cos(radians));
  const sin = Math.round(Math.sin(radians));
  const sx = place.width / box.width;
  const sy = place.height / box.height;
  const [a, b, c, d] = [sx * cos, sx * sin, -sy * sin, sy * cos];
  return [
    a,
    b,
    c,
    d,
    place.x - a * box.left - c * box.bottom,
    place.y - b * box.left - d * box.bottom,
  ];
}

const format = (n: number) => (Math.abs(n) < 1e-9 ? '0' : Number(n.toFixed(6)).toString());

/** Annotations (stamps, comments) keep their place on the turned, scaled page. */
function moveAnnotations(doc: PDFDocument, page: PDFPage, [a, b, c, d, e, f]: Matrix): void {
  const annots = page.node.Annots();
  if (!annots) return;
  for (let i = 0; i < annots.size(); i++) {
    const annot = annots.lookupMaybe(i, PDFDict);
    const rect = annot?.lookupMaybe(PDFName.of('Rect'), PDFArray);
    if (!annot || !rect || rect.size() !== 4) continue;
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = rect
      .asArray()
      .map((n) => (n instanceof PDFNumber ? n.asNumber() : 0));
    const corners: [number, number][] = [
      [x1, y1],
      [x2, y1],
      [x1, y2],
      [x2, y2],
    ];
    const xs = corners.map(([x, y]) => a * x + c * y + e);
    const ys = corners.map(([x, y]) => b * x + d * y + f);
    const moved = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    annot.set(PDFName.of('Rect'), doc.context.obj(moved));
  }
}
