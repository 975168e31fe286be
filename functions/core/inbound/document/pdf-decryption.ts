// PDFs that open without a password but restrict printing or copying (banks, insurers, payroll and
// government portals): encrypted under the standard security handler with an empty user password.
// pdf-lib cannot decrypt, and the fork that can (@cantoo/pdf-lib) parses with its own copy of the
// parser, without the budgets of pdf-loader.ts; so the key is found here (ISO 32000-2, 7.6.4) and
// the loader's own parser decrypts each string and stream as it reads it.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import {
  PDFArray,
  PDFBool,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNumber,
  type PDFObject,
  type PDFRef,
  PDFString,
} from 'pdf-lib';

/** How one string or stream of the file is decrypted, given the object it belongs to. */
export interface Decryption {
  /** The encryption dictionary's own object, which is never encrypted. */
  encryptRef?: PDFRef;
  strings(ref: PDFRef, bytes: Uint8Array): Uint8Array;
  streams(ref: PDFRef, bytes: Uint8Array): Uint8Array;
}

type Method = 'rc4' | 'aes128' | 'aes256' | 'none';

// Algorithm 2's padding: what an empty password becomes.
const PADDING = Buffer.from(
  '28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a',
  'hex',
);

/**
 * The decryption of a file encrypted with an empty user password, or undefined when opening it
 * needs a password (or a security handler other than the standard one).
 */
export function emptyPasswordDecryption(
  encrypt: PDFDict,
  fileId: Uint8Array | undefined,
  encryptRef?: PDFRef,
): Decryption | undefined {
  if (encrypt.lookup(PDFName.of('Filter')) !== PDFName.of('Standard')) return undefined;
  const v = numberOf(encrypt, 'V') ?? 0;
  const r = numberOf(encrypt, 'R') ?? 0;
  const streamMethod = methodOf(encrypt, v, 'StmF');
  const stringMethod = methodOf(encrypt, v, 'StrF');
  if (!streamMethod || !stringMethod) return undefined;
  const key = r >= 5 ? revision6Key(encrypt, r) : revision4Key(encrypt, r, v, fileId);
  if (!key) return undefined;
  const decrypt = (method: Method) => (ref: PDFRef, bytes: Uint8Array) =>
    decryptObject(method, key, ref, bytes);
  return { encryptRef, strings: decrypt(stringMethod), streams: decrypt(streamMethod) };
}

function numberOf(dict: PDFDict, name: string): number | undefined {
  const value = dict.lookup(PDFName.of(name));
  return value instanceof PDFNumber ? value.asNumber() : undefined;
}

function bytesOf(dict: PDFDict, name: string): Buffer | undefined {
  const value = dict.lookup(PDFName.of(name));
  return value instanceof PDFString || value instanceof PDFHexString
    ? Buffer.from(value.asBytes())
    : undefined;
}

/** V 1–3 use RC4 throughout; V 4–5 name a crypt filter for streams and one for strings. */
function methodOf(encrypt: PDFDict, v: number, which: 'StmF' | 'StrF'): Method | undefined {
  if (v === 1 || v === 2 || v === 3) return 'rc4';
  if (v !== 4 && v !== 5) return undefined;
  const name = encrypt.lookup(PDFName.of(which));
  if (name === undefined || name === PDFName.of('Identity')) return 'none';
  const filters = encrypt.lookup(PDFName.of('CF'));
  const filter = filters instanceof PDFDict && name instanceof PDFName && filters.lookup(name);
  if (!(filter instanceof PDFDict)) return undefined;
  const cfm = filter.lookup(PDFName.of('CFM'));
  if (cfm === PDFName.of('V2')) return 'rc4';
  if (cfm === PDFName.of('AESV2')) return 'aes128';
  if (cfm === PDFName.of('AESV3')) return 'aes256';
  return cfm === undefined || cfm === PDFName.of('None') ? 'none' : undefined;
}

const md5 = (...parts: Uint8Array[]) => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** Algorithms 2 and 6 (revisions 2–4): the file key, when the empty password opens the file. */
function revision4Key(
  encrypt: PDFDict,
  r: number,
  v: number,
  fileId: Uint8Array | undefined,
): Buffer | undefined {
  const owner = bytesOf(encrypt, 'O');
  const user = bytesOf(encrypt, 'U');
  const permissions = numberOf(encrypt, 'P');
  if (!owner || !user || permissions === undefined || owner.length < 32 || user.length < 32) {
    return undefined;
  }
  const length = r === 2 ? 5 : Math.min(16, Math.max(5, (numberOf(encrypt, 'Length') ?? 40) / 8));
  const p = Buffer.alloc(4);
  p.writeInt32LE(permissions | 0);
  const id = Buffer.from(fileId ?? []);
  const plainMetadata =
    r >= 4 && encrypt.lookup(PDFName.of('EncryptMetadata')) === PDFBool.False
      ? Buffer.from([0xff, 0xff, 0xff, 0xff])
      : Buffer.alloc(0);
  let key = md5(PADDING, owner.subarray(0, 32), p, id, plainMetadata).subarray(0, length);
  if (r >= 3) for (let i = 0; i < 50; i++) key = md5(key).subarray(0, length);
  const opens =
    r === 2
      ? rc4(key, PADDING).equals(user.subarray(0, 32))
      : revision3Check(key, id).equals(user.subarray(0, 16));
  return opens && v <= 4 ? key : undefined;
}

function revision3Check(key: Buffer, id: Buffer): Buffer {
  let check = rc4(key, md5(PADDING, id));
  for (let i = 1; i <= 19; i++) {
    check = rc4(
      key.map((byte) => byte ^ i),
      check,
    );
  }
  return check;
}

/** Algorithms 2.A and 2.B (revisions 5 and 6, AES-256): the file key, for the empty password. */
function revision6Key(encrypt: PDFDict, r: number): Buffer | undefined {
  const user = bytesOf(encrypt, 'U');
  const userKey = bytesOf(encrypt, 'UE');
  if (!user || !userKey || user.length < 48 || userKey.length < 32) return undefined;
  const hash = r === 5 ? revision5Hash : revision6Hash;
  const validation = user.subarray(32, 40);
  const keySalt = user.subarray(40, 48);
  if (!hash(validation).equals(user.subarray(0, 32))) return undefined;
  const decipher = createDecipheriv('aes-256-cbc', hash(keySalt), Buffer.alloc(16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(userKey.subarray(0, 32)), decipher.final()]);
}

const revision5Hash = (salt: Uint8Array) => createHash('sha256').update(salt).digest();

/** Algorithm 2.B for the empty password (and no owner data). */
function revision6Hash(salt: Uint8Array): Buffer {
  let k = createHash('sha256').update(salt).digest();
  for (let round = 0; ; round++) {
    const block = Buffer.concat(new Array(64).fill(k));
    const cipher = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32));
    cipher.setAutoPadding(false);
    const e = Buffer.concat([cipher.update(block), cipher.final()]);
    const sum = e.subarray(0, 16).reduce((total, byte) => total + byte, 0);
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3] ?? 'sha256')
      .update(e)
      .digest();
    if (round >= 63 && (e[e.length - 1] ?? 0) <= round - 31) break;
  }
  return k.subarray(0, 32);
}

/** Algorithm 1: each object is encrypted with a key of its own (one key for all under AES-256). */
function decryptObject(method: Method, key: Buffer, ref: PDFRef, bytes: Uint8Array): Uint8Array {
  if (method === 'none') return bytes;
  if (method === 'aes256') return aesDecrypt('aes-256-cbc', key, bytes);
  const salt = method === 'aes128' ? Buffer.from('sAlT', 'latin1') : Buffer.alloc(0);
  const object = Buffer.alloc(5);
  object.writeUIntLE(ref.objectNumber & 0xffffff, 0, 3);
  object.writeUIntLE(ref.generationNumber & 0xffff, 3, 2);
  const objectKey = md5(key, object, salt).subarray(0, Math.min(key.length + 5, 16));
  return method === 'rc4' ? rc4(objectKey, bytes) : aesDecrypt('aes-128-cbc', objectKey, bytes);
}

/** The first block is the IV; a damaged padding is kept rather than losing the object. */
function aesDecrypt(cipher: string, key: Buffer, bytes: Uint8Array): Uint8Array {
  if (bytes.length < 32 || bytes.length % 16 !== 0) return new Uint8Array(0);
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decipher = createDecipheriv(cipher, key, data.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  const pad = plain[plain.length - 1] ?? 0;
  const padded = pad >= 1 && pad <= 16 && plain.subarray(-pad).every((byte) => byte === pad);
  return padded ? plain.subarray(0, plain.length - pad) : plain;
}

// OpenSSL 3 keeps RC4 in its legacy provider, which Node does not load: so by hand.
function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = new Uint8Array(256).map((_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + (s[i] ?? 0) + (key[i % key.length] ?? 0)) & 0xff;
    [s[i], s[j]] = [s[j] ?? 0, s[i] ?? 0];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + (s[i] ?? 0)) & 0xff;
    [s[i], s[j]] = [s[j] ?? 0, s[i] ?? 0];
    out[n] = (data[n] ?? 0) ^ (s[((s[i] ?? 0) + (s[j] ?? 0)) & 0xff] ?? 0);
  }
  return out;
}

/** The first string of the trailer's /ID, which revisions 2–4 mix into the key. */
export function firstFileId(id: PDFObject | undefined): Uint8Array | undefined {
  const first = id instanceof PDFArray ? id.get(0) : undefined;
  return first instanceof PDFString || first instanceof PDFHexString ? first.asBytes() : undefined;
}
