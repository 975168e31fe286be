import {
  PDFArray,
  type PDFContext,
  PDFDict,
  type PDFDocument,
  PDFName,
  type PDFObject,
  PDFRef,
  PDFStream,
} from 'pdf-lib';

// A fax carries only page images. Scripts, launch and submit actions, and embedded files do nothing
// for it, and a renderer along the way (Telnyx's, or the sender's viewer when a failed fax comes
// back attached) should never be handed them.
const ACTIVE_ACTIONS = new Set([
  'JavaScript',
  'Launch',
  'SubmitForm',
  'ImportData',
  'RichMediaExecute',
  'GoToE',
  'GoToR',
  'Rendition',
  'Movie',
  'Sound',
]);
// Keys that hold scripts, triggers or file contents wherever they appear.
const ACTIVE_KEYS = new Set(['JS', 'JavaScript', 'AA', 'OpenAction', 'EmbeddedFiles', 'EF']);
// PDF nests direct objects freely; a hostile file can nest them deeper than anything real.
const MAX_NESTING = 64;

/** Whether any object of the PDF is a script, an active action or an embedded file. */
export function hasActiveContent(pdf: PDFDocument): boolean {
  return pdf.context
    .enumerateIndirectObjects()
    .some(([, object]) => containsActive(dictOf(object) ?? object, 0));
}

/**
 * Removes every active action, trigger and embedded file from a document built by copying pages
 * (which leaves the source's catalog, with its /Names, /OpenAction and /AcroForm, behind but
 * brings along what the pages' annotations and form fields point to).
 */
export function removeActiveContent(doc: PDFDocument): void {
  const doomed: PDFRef[] = [];
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    const dict = dictOf(object);
    if (!dict) continue;
    if (isActiveObject(dict)) doomed.push(ref);
    else strip(dict, doc.context, 0);
  }
  for (const ref of doomed) doc.context.delete(ref);
}

const dictOf = (object: PDFObject | undefined): PDFDict | undefined =>
  object instanceof PDFStream ? object.dict : object instanceof PDFDict ? object : undefined;

const nameOf = (object: PDFObject | undefined): string | undefined =>
  object instanceof PDFName ? object.decodeText() : undefined;

/** An action that runs something, or the stream of an embedded file. */
function isActiveObject(dict: PDFDict): boolean {
  const action = nameOf(dict.get(PDFName.of('S')));
  const type = nameOf(dict.get(PDFName.of('Type')));
  return (action !== undefined && ACTIVE_ACTIONS.has(action)) || type === 'EmbeddedFile';
}

function containsActive(object: PDFObject, depth: number): boolean {
  if (depth > MAX_NESTING) return true;
  if (object instanceof PDFArray) {
    return object.asArray().some((item) => containsActive(item, depth + 1));
  }
  if (!(object instanceof PDFDict)) return false;
  if (isActiveObject(object)) return true;
  return object
    .entries()
    .some(([key, value]) => ACTIVE_KEYS.has(key.decodeText()) || containsActive(value, depth + 1));
}

function strip(object: PDFObject, context: PDFContext, depth: number): void {
  if (depth > MAX_NESTING) return;
  if (object instanceof PDFArray) {
    for (let i = object.size() - 1; i >= 0; i--) {
      const item = object.get(i);
      if (refersToActive(item, context)) object.remove(i);
      else strip(item, context, depth + 1);
    }
    return;
  }
  if (!(object instanceof PDFDict)) return;
  for (const [key, value] of object.entries()) {
    if (ACTIVE_KEYS.has(key.decodeText()) || refersToActive(value, context)) object.delete(key);
    else strip(value, context, depth + 1);
  }
}

/** A direct active object, or a reference to one (which `removeActiveContent` deletes). */
function refersToActive(value: PDFObject, context: PDFContext): boolean {
  const target = value instanceof PDFRef ? context.lookup(value) : value;
  const dict = dictOf(target);
  return dict !== undefined && isActiveObject(dict);
}
