// Damage that real mail suffers (cut short, bits flipped, MIME boundaries mangled, headers
// repeated, wrong transfer encodings and charsets), as fast-check arbitraries over raw messages.
import fc from 'fast-check';

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; positions: number[] }
  | { kind: 'boundary'; which: number; how: 'drop' | 'typo' | 'unclose' | 'extra' }
  | { kind: 'duplicate_header'; which: number; change: boolean }
  | { kind: 'encoding'; which: number; to: string }
  | { kind: 'charset'; which: number; to: string }
  | { kind: 'raw_bytes'; at: number; bytes: number[] };

// Uniform over the message: fast-check's own bias favours tiny values, which would cut at byte 0.
const fraction = fc.noBias(fc.integer({ min: 0, max: 9_999 })).map((n) => n / 10_000);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fraction }),
  fc.record({
    kind: fc.constant('flip' as const),
    positions: fc.array(fraction, { minLength: 1, maxLength: 24 }),
  }),
  fc.record({
    kind: fc.constant('boundary' as const),
    which: fc.nat(),
    how: fc.constantFrom('drop' as const, 'typo' as const, 'unclose' as const, 'extra' as const),
  }),
  fc.record({
    kind: fc.constant('duplicate_header' as const),
    which: fc.nat(),
    change: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('encoding' as const),
    which: fc.nat(),
    to: fc.constantFrom(
      'base64',
      'quoted-printable',
      '7bit',
      '8bit',
      'binary',
      'x-uuencode',
      'b@se64',
      '',
    ),
  }),
  fc.record({
    kind: fc.constant('charset' as const),
    which: fc.nat(),
    to: fc.constantFrom('utf-16', 'x-unknown', 'iso-2022-jp', 'utf-7', 'windows-1252', '"', ''),
  }),
  fc.record({
    kind: fc.constant('raw_bytes' as const),
    at: fraction,
    bytes: fc.array(fc.constantFrom(0x00, 0x0d, 0x0a, 0x80, 0xff, 0xfe, 0x1b, 0x3d), {
      minLength: 1,
      maxLength: 16,
    }),
  }),
);

const pick = <T>(items: T[], which: number): T | undefined =>
  items.length === 0 ? undefined : items[which % items.length];

/** Offsets where each match of `pattern` starts in the latin1 view of `raw`, with its text. */
function matches(raw: Buffer, pattern: RegExp): { index: number; text: string }[] {
  const text = raw.toString('latin1');
  return [...text.matchAll(pattern)].map((m) => ({ index: m.index ?? 0, text: m[0] }));
}

const splice = (raw: Buffer, at: number, remove: number, insert: string | Buffer) =>
  Buffer.concat([
    raw.subarray(0, at),
    typeof insert === 'string' ? Buffer.from(insert, 'latin1') : insert,
    raw.subarray(at + remove),
  ]);

export function applyMutation(raw: Buffer, mutation: Mutation): Buffer {
  switch (mutation.kind) {
    case 'truncate':
      return raw.subarray(0, Math.floor(raw.length * mutation.at));
    case 'flip': {
      const copy = Buffer.from(raw);
      for (const p of mutation.positions) {
        const at = Math.floor(copy.length * p);
        copy[at] = (copy[at] ?? 0) ^ (1 << (at % 8));
      }
      return copy;
    }
    case 'boundary':
      return damageBoundary(raw, mutation.which, mutation.how);
    case 'duplicate_header': {
      const header = pick(matches(raw, /^[A-Za-z][A-Za-z0-9-]*:[^\r\n]*\r?\n/gm), mutation.which);
      if (!header) return raw;
      const copy = mutation.change
        ? header.text.replace(/:.*/, ': x; name="<dup>.pdf"')
        : header.text;
      return splice(raw, header.index, 0, copy.endsWith('\n') ? copy : `${copy}\r\n`);
    }
    case 'encoding': {
      const found = pick(
        matches(raw, /Content-Transfer-Encoding:[ \t]*[^\r\n]*/gi),
        mutation.which,
      );
      if (!found) return raw;
      return splice(
        raw,
        found.index,
        found.text.length,
        `Content-Transfer-Encoding: ${mutation.to}`,
      );
    }
    case 'charset': {
      const found = pick(matches(raw, /charset="?[^";\r\n]*"?/gi), mutation.which);
      if (!found) return raw;
      return splice(raw, found.index, found.text.length, `charset=${mutation.to}`);
    }
    case 'raw_bytes':
      return splice(raw, Math.floor(raw.length * mutation.at), 0, Buffer.from(mutation.bytes));
  }
}

function damageBoundary(raw: Buffer, which: number, how: 'drop' | 'typo' | 'unclose' | 'extra') {
  const declared = matches(raw, /boundary="?([^";\r\n]+)"?/gi).map((m) =>
    m.text.replace(/^boundary="?/i, '').replace(/"$/, ''),
  );
  const boundary = pick(declared, which);
  if (!boundary) return raw;
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lines = matches(raw, new RegExp(`^--${escaped}(--)?[ \\t]*$`, 'gm'));
  const line = pick(lines, which >> 2);
  if (!line) return raw;
  switch (how) {
    case 'drop':
      return splice(raw, line.index, line.text.length, '');
    case 'typo':
      return splice(raw, line.index + 2, 1, '~');
    case 'unclose': {
      const closing = lines.find((l) => l.text.trimEnd().endsWith('--'));
      return closing ? splice(raw, closing.index, closing.text.length, '') : raw;
    }
    case 'extra':
      return splice(raw, line.index, 0, `--${boundary}\r\nContent-Type: application/pdf\r\n\r\n`);
  }
}
