// winmail.dat (application/ms-tnef): Outlook's Rich Text format packs the real attachments inside it.
// Only attached files are read (MS-OXTNEF attachment attributes); embedded Outlook items (tasks,
// appointments) and OLE objects are left out: they are not files the sender chose.

export interface TnefFile {
  filename: string;
  content: Buffer;
}

const SIGNATURE = 0x223e9f78;
const LEVEL_ATTACHMENT = 2;
// Attribute ids (low word of the TNEF attribute tag).
const ATT_ATTACH_RENDDATA = 0x9002;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACHMENT = 0x9005;
const PR_ATTACH_METHOD = 0x3705;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const ATTACH_BY_VALUE = 1;
const MAX_FILES = 100;

export function isTnef(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 6 &&
    Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32LE(0) === SIGNATURE
  );
}

/** The files inside a TNEF stream, in order; throws when the stream is damaged. */
export function tnefFiles(tnef: Buffer): TnefFile[] {
  if (!isTnef(tnef)) throw new Error('not a TNEF stream');
  const files: (Partial<TnefFile> & { method?: number })[] = [];
  let pos = 6;
  while (pos < tnef.length) {
    const level = tnef.readUInt8(pos);
    const id = tnef.readUInt16LE(pos + 1);
    const length = tnef.readUInt32LE(pos + 5);
    const data = tnef.subarray(pos + 9, pos + 9 + length);
    if (data.length !== length) throw new Error('TNEF attribute runs past the end');
    pos += 9 + length + 2;
    if (level !== LEVEL_ATTACHMENT) continue;
    if (id === ATT_ATTACH_RENDDATA) {
      if (files.length >= MAX_FILES) break;
      files.push({});
    }
    const file = files.at(-1);
    if (!file) continue;
    if (id === ATT_ATTACH_DATA) file.content = data;
    if (id === ATT_ATTACH_TITLE) file.filename ??= cString(data, 'latin1');
    if (id === ATT_ATTACHMENT) {
      const props = attachmentProperties(data);
      file.filename = props.longFilename ?? file.filename;
      file.method = props.method;
    }
  }
  return files.flatMap((f) =>
    f.content && (f.method ?? ATTACH_BY_VALUE) === ATTACH_BY_VALUE
      ? [{ filename: f.filename ?? '', content: f.content }]
      : [],
  );
}

// A loop, not /\0+$/: that pattern retries from every NUL of a run that does not end the text,
// which is quadratic in a string of them.
function cString(data: Buffer, encoding: 'latin1' | 'utf16le'): string {
  const text = data.toString(encoding);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end -= 1;
  return text.slice(0, end);
}

const padded = (length: number) => Math.ceil(length / 4) * 4;

// MAPI property types: fixed sizes (as padded in TNEF) and the variable-length ones.
const FIXED_SIZE: Record<number, number> = {
  1: 4, // PT_NULL
  2: 4, // PT_SHORT
  3: 4, // PT_LONG
  4: 4, // PT_FLOAT
  5: 8, // PT_DOUBLE
  6: 8, // PT_CURRENCY
  7: 8, // PT_APPTIME
  10: 4, // PT_ERROR
  11: 4, // PT_BOOLEAN
  20: 8, // PT_I8
  64: 8, // PT_SYSTIME
  72: 16, // PT_CLSID
};
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const VARIABLE = new Set([PT_STRING8, PT_UNICODE, 0x0102, 0x000d]);
const MULTIPLE = 0x1000;

interface AttachmentProperties {
  /** PR_ATTACH_LONG_FILENAME; attAttachTitle holds only the 8.3 name. */
  longFilename?: string;
  /** PR_ATTACH_METHOD: 1 for a file, 5 for an embedded message, 6 for an OLE object. */
  method?: number;
}

function attachmentProperties(props: Buffer): AttachmentProperties {
  const found: AttachmentProperties = {};
  try {
    let pos = 4;
    const count = props.readUInt32LE(0);
    for (let i = 0; i < count && pos < props.length; i++) {
      const type = props.readUInt16LE(pos);
      const id = props.readUInt16LE(pos + 2);
      pos += 4;
      if (id >= 0x8000) pos = skipPropertyName(props, pos);
      const base = type & ~MULTIPLE;
      const variable = VARIABLE.has(base);
      const values = variable || type & MULTIPLE ? props.readUInt32LE(pos) : 1;
      if (variable || type & MULTIPLE) pos += 4;
      for (let v = 0; v < values; v++) {
        if (!variable) {
          const size = FIXED_SIZE[base];
          if (size === undefined) return found;
          if (id === PR_ATTACH_METHOD && base === 0x0003) found.method = props.readUInt32LE(pos);
          pos += size;
          continue;
        }
        const length = props.readUInt32LE(pos);
        const value = props.subarray(pos + 4, pos + 4 + length);
        pos += 4 + padded(length);
        if (id === PR_ATTACH_LONG_FILENAME && (base === PT_STRING8 || base === PT_UNICODE)) {
          found.longFilename =
            cString(value, base === PT_UNICODE ? 'utf16le' : 'latin1') || undefined;
        }
      }
    }
  } catch {
    // A damaged property list keeps what was read so far.
  }
  return found;
}

// Named properties carry a GUID and either a numeric id or a UTF-16 name.
function skipPropertyName(props: Buffer, pos: number): number {
  const kind = props.readUInt32LE(pos + 16);
  if (kind === 0) return pos + 24;
  return pos + 24 + padded(props.readUInt32LE(pos + 20));
}
