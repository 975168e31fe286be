// S/MIME `application/pkcs7-mime` parts: enveloped (encrypted) or opaque-signed. Opaque signing puts the
// whole message inside the CMS structure, so its attachments are only found by unwrapping it. The
// signature is not verified: the sender's authentication is judged from SES's verdicts.

export type CmsContent =
  | { kind: 'enveloped' }
  | { kind: 'signed'; content?: Buffer }
  | { kind: 'other' };

const OID_SIGNED_DATA = '2a864886f70d010702';
const OID_ENVELOPED_DATA = '2a864886f70d010703';
const OID_AUTH_ENVELOPED_DATA = '2a864886f70d0109100117';

const TAG_OID = 0x06;
const TAG_OCTET_STRING = 0x04;
const MAX_NESTING = 32;

interface Tlv {
  tag: number;
  constructed: boolean;
  /** Content bytes, from start to end. */
  start: number;
  end: number;
  /** Where the next sibling begins. */
  next: number;
}

/** What a CMS ContentInfo (BER, as S/MIME writes it) holds; `other` for anything unreadable. */
export function cmsContent(der: Buffer): CmsContent {
  try {
    const [type, explicit] = children(der, readTlv(der, 0, 0), 0);
    const oid = type?.tag === TAG_OID ? der.subarray(type.start, type.end).toString('hex') : '';
    if (oid === OID_ENVELOPED_DATA || oid === OID_AUTH_ENVELOPED_DATA) return { kind: 'enveloped' };
    if (oid !== OID_SIGNED_DATA || !explicit) return { kind: 'other' };
    return { kind: 'signed', content: signedContent(der, explicit) };
  } catch {
    return { kind: 'other' };
  }
}

// SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo SEQUENCE { eContentType,
// [0] EXPLICIT eContent OCTET STRING OPTIONAL }, ... }
function signedContent(der: Buffer, explicit: Tlv): Buffer | undefined {
  const [signedData] = children(der, explicit, 0);
  const encapsulated = signedData && children(der, signedData, 0)[2];
  const wrapper = encapsulated && children(der, encapsulated, 0)[1];
  const octets = wrapper && children(der, wrapper, 0)[0];
  return octets ? octetString(der, octets, 0) : undefined;
}

// BER lets an OCTET STRING be split into constructed chunks (indefinite-length encoders do).
function octetString(der: Buffer, tlv: Tlv, depth: number): Buffer {
  if (!tlv.constructed) return der.subarray(tlv.start, tlv.end);
  const chunks = children(der, tlv, depth + 1).map((chunk) => {
    if ((chunk.tag & 0x1f) !== TAG_OCTET_STRING) throw new Error('not an OCTET STRING chunk');
    return octetString(der, chunk, depth + 1);
  });
  return Buffer.concat(chunks);
}

function children(der: Buffer, parent: Tlv, depth: number): Tlv[] {
  const found: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readTlv(der, pos, depth + 1);
    found.push(child);
    pos = child.next;
  }
  return found;
}

function readTlv(der: Buffer, pos: number, depth: number): Tlv {
  if (depth > MAX_NESTING) throw new Error('BER nested too deep');
  const tag = byteAt(der, pos);
  if ((tag & 0x1f) === 0x1f) throw new Error('high tag numbers do not occur in S/MIME');
  const first = byteAt(der, pos + 1);
  const constructed = (tag & 0x20) !== 0;
  if (first === 0x80) return indefinite(der, tag, pos + 2, depth);
  let length = first;
  let start = pos + 2;
  if (first > 0x80) {
    const size = first & 0x7f;
    if (size > 4) throw new Error('BER length too long');
    length = 0;
    for (let i = 0; i < size; i++) length = length * 256 + byteAt(der, pos + 2 + i);
    start += size;
  }
  const end = start + length;
  if (end > der.length) throw new Error('BER value runs past the end');
  return { tag, constructed, start, end, next: end };
}

function indefinite(der: Buffer, tag: number, start: number, depth: number): Tlv {
  let pos = start;
  while (!(byteAt(der, pos) === 0 && byteAt(der, pos + 1) === 0)) {
    pos = readTlv(der, pos, depth + 1).next;
  }
  return { tag, constructed: true, start, end: pos, next: pos + 2 };
}

function byteAt(der: Buffer, pos: number): number {
  const value = der[pos];
  if (value === undefined) throw new Error('BER value runs past the end');
  return value;
}
