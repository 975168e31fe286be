// A filled PDF form keeps its values on the fax. Copying pages into another document leaves the
// /AcroForm behind, and a form whose fields rely on NeedAppearances has no drawing of its values
// at all: the viewer was to make one. So the values are drawn here and become page content.
import {
  PDFBool,
  PDFDict,
  type PDFDocument,
  type PDFField,
  type PDFFont,
  PDFName,
  PDFRef,
  PDFStream,
  StandardFonts,
} from 'pdf-lib';
import { embedFonts } from './fonts';

/** The PDF has form fields whose values a renderer would not draw: no appearance of their own. */
export function formLacksAppearances(pdf: PDFDocument): boolean {
  const fields = formFields(pdf);
  try {
    return fields.length > 0 && (asksForAppearances(pdf) || fields.some(lacksAppearance));
  } catch {
    return true;
  }
}

/**
 * Draws every field's value into its page and removes the form, appearances made where missing
 * (all of them when the form asks the viewer to). Returns false when the form is too damaged to
 * flatten: the pages are then used as they are.
 */
export async function flattenForm(pdf: PDFDocument): Promise<boolean> {
  const fields = formFields(pdf);
  if (fields.length === 0) return true;
  try {
    const form = pdf.getForm();
    if (asksForAppearances(pdf)) for (const field of fields) form.markFieldAsDirty(field.ref);
    form.updateFieldAppearances(await fontFor(pdf, fields));
    form.flatten({ updateFieldAppearances: false });
    dropDanglingAnnotations(pdf);
    // A font pdf-lib embeds is written only when its document is saved or flushed: pages copied
    // into the fax before that would name font objects that do not exist.
    await pdf.flush();
    return true;
  } catch {
    return false;
  }
}

/**
 * pdf-lib deletes a flattened widget that has no /P without taking it off its page's /Annots:
 * a reference to nothing, which pdf.js shrugs off and poppler (and so perhaps Telnyx) does not.
 */
function dropDanglingAnnotations(pdf: PDFDocument): void {
  for (const page of pdf.getPages()) {
    const annots = page.node.Annots();
    if (!annots) continue;
    for (let i = annots.size() - 1; i >= 0; i--) {
      const entry = annots.get(i);
      if (entry instanceof PDFRef && pdf.context.lookup(entry) === undefined) annots.remove(i);
    }
  }
}

function formFields(pdf: PDFDocument): PDFField[] {
  if (!pdf.catalog.lookup(PDFName.of('AcroForm'))) return [];
  try {
    return pdf.getForm().getFields();
  } catch {
    return [];
  }
}

function asksForAppearances(pdf: PDFDocument): boolean {
  const acroForm = pdf.catalog.lookup(PDFName.of('AcroForm'));
  return (
    acroForm instanceof PDFDict && acroForm.lookup(PDFName.of('NeedAppearances')) === PDFBool.True
  );
}

// A check box's normal appearance is a dictionary of its states rather than one stream.
function lacksAppearance(field: PDFField): boolean {
  return field.acroField.getWidgets().some((widget) => {
    const normal = widget.getAppearances()?.normal;
    return !(normal instanceof PDFStream || normal instanceof PDFDict);
  });
}

/** Helvetica draws WinAnsi; any other character a value holds needs DejaVu (see fonts.ts). */
async function fontFor(pdf: PDFDocument, fields: PDFField[]): Promise<PDFFont> {
  const helvetica = await pdf.embedFont(StandardFonts.Helvetica);
  const values = fields.map(shownText).join('');
  try {
    helvetica.encodeText(values);
    return helvetica;
  } catch {
    return (await embedFonts(pdf)).regular;
  }
}

/** The text a field shows, for the fields that show text. */
function shownText(field: PDFField): string {
  const shown = field as unknown as {
    getText?: () => string | undefined;
    getSelected?: () => string[];
  };
  try {
    return shown.getText?.() ?? shown.getSelected?.().join('') ?? '';
  } catch {
    return '';
  }
}
