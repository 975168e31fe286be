// What a file is, judged by its bytes: declared types and file names are often wrong in real mail.

export type ImageType = 'jpeg' | 'png' | 'gif' | 'tiff';
export type DocumentType = 'pdf' | ImageType;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) =>
  bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

// Readers accept a PDF header anywhere in the first 1024 bytes (ISO 32000 implementation note).
function isPdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).includes(
    '%PDF-',
  );
}

export function documentType(bytes: Uint8Array): DocumentType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, ascii('II*\0')) || startsWith(bytes, ascii('MM\0*'))) return 'tiff';
  if (isPdf(bytes)) return 'pdf';
  return undefined;
}

const DECLARED_DOCUMENT = new Set([
  'application/pdf',
  'application/x-pdf',
  'application/acrobat',
  'image/jpeg',
  'image/jpg',
  'image/pjpeg',
  'image/png',
  'image/x-png',
  'image/apng',
  'image/gif',
  'image/tiff',
  'image/tif',
  'image/x-tiff',
]);

/** The sender's mail program said this is a PDF or an image we fax, so bytes that are not one mean damage. */
export function claimsFaxableType(contentType: string): boolean {
  return DECLARED_DOCUMENT.has(contentType);
}
