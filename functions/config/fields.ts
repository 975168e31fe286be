// One validator per kind of setting, shared by the functions, the CDK config and the local mode, so
// that a value the deploy accepts is a value the functions start with.
import * as z from 'zod/mini';
import { type Routes, readRoutes } from '../core/fax-in/routes';

export const E164 = /^\+[1-9]\d{6,14}$/;
export const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

const rule = (check: (s: string) => boolean, message: string) =>
  z.refine<string>(check, { message });

export const requiredText = z
  .string({ error: 'is missing' })
  .check(z.trim(), z.minLength(1, 'is missing'));

export const optionalText = z.optional(z.string().check(z.trim(), z.minLength(1)));

/** A key given itself: long enough that it cannot be guessed. */
export const optionalKey = z.optional(
  z.string().check(z.trim(), z.minLength(32, 'must be at least 32 characters')),
);

export const withDefault = (fallback: string) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v) => v || fallback),
  );

export const list = z
  .pipe(
    z.string(),
    z.transform((s) =>
      s
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean),
    ),
  )
  .check(z.refine((items) => items.length > 0, { message: 'must list at least one entry' }));

export const isSenderEntry = (s: string) => EMAIL.test(s) || /^@[^\s@]+\.[^\s@]+$/.test(s);

export const senderList = list.check(
  z.refine((items) => items.every(isSenderEntry), {
    message: 'must be addresses (name@example.com) or domains written @example.com',
  }),
);

export const flag = (fallback: boolean) =>
  z.pipe(
    z.optional(
      z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }),
    ),
    z.transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v))),
  );

export const wholeNumber = (fallback: number, min: number, max: number) =>
  z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((v) => (v === undefined || v === '' ? String(fallback) : v)),
    ),
    z.pipe(z.string().check(z.regex(/^\d+$/, 'must be a whole number')), z.transform(Number)).check(
      z.refine((n) => n >= min, { message: `must be at least ${min}` }),
      z.refine((n) => n <= max, { message: `must be at most ${max}` }),
    ),
  );

export const url = z.url({ error: 'must be a URL' });

export const apiUrl = (fallback: string) =>
  z.pipe(
    z.optional(url),
    z.transform((v) => (v ?? fallback).replace(/\/+$/, '')),
  );

// Intl knows the ISO 3166 regions; it spares the webhook function libphonenumber's metadata.
const regions = new Intl.DisplayNames(['en'], { type: 'region' });
export const isCountry = (code: string) => {
  try {
    return /^[A-Z]{2}$/.test(code) && code !== 'ZZ' && regions.of(code) !== code;
  } catch {
    return false;
  }
};

// Intl also names retired and alias codes (UK, SU, YU), but phone numbers carry the current one
// (GB): a list holding an alias would silently allow nothing, so each such entry names its code.
const currentCode = (code: string) => Intl.getCanonicalLocales(`und-${code}`)[0]?.slice(4) ?? code;
const notCountry = (code: string) => {
  if (!isCountry(code)) return code;
  const current = currentCode(code);
  return current === code ? undefined : `${code}: write ${current}`;
};

export const countryCode = (fallback: string) =>
  z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((v) => (v || fallback).toUpperCase()),
    ),
    z.string().check(
      z.superRefine((code, context) => {
        const problem = notCountry(code);
        if (problem === undefined) return;
        const alias = problem === code ? '' : ` (${problem})`;
        context.addIssue({
          code: 'custom',
          input: code,
          message: `must be a two-letter ISO 3166 country code like US${alias}`,
        });
      }),
    ),
  );

/** Comma list of ISO 3166 codes, upper-cased; unset or blank is undefined, for a default to fill. */
export const countryList = z.pipe(
  z.pipe(
    z.optional(z.string()),
    z.transform((v) =>
      (v ?? '')
        .split(',')
        .map((item) => item.trim().toUpperCase())
        .filter(Boolean),
    ),
  ),
  z.pipe(
    z.array(z.string()).check(
      z.refine((codes) => codes.every((code) => notCountry(code) === undefined), {
        error: (issue) =>
          `must list two-letter ISO 3166 country codes like US,GB (not ${(issue.input as string[]).flatMap((code) => notCountry(code) ?? []).join(', ')})`,
      }),
    ),
    z.transform((codes) => (codes.length > 0 ? codes : undefined)),
  ),
);

export const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const timeZone = z.pipe(
  withDefault('UTC'),
  z.string().check(rule(isTimeZone, 'must be an IANA time zone like America/Chicago')),
);

export const e164Number = requiredText.check(
  z.regex(E164, 'must be an E.164 number like +13125551234'),
);

export const emailAddress = requiredText.check(
  z.regex(EMAIL, 'must be an email address like fax@fax.example.com'),
);

// A display name that needs no quoting in a From header: no quotes, brackets, commas or controls.
const MAILBOX = /^(?:([^"<>\\,;:@()\u0000-\u001f\u007f]{1,64}?)\s*<([^<>]+)>|([^<>]+))$/;

/** The bare address of `Office Fax <fax@fax.example.com>` or of `fax@fax.example.com`. */
export function mailboxAddress(mailbox: string): string | undefined {
  const match = MAILBOX.exec(mailbox.trim());
  const address = (match?.[2] ?? match?.[3])?.trim();
  return address && EMAIL.test(address) ? address : undefined;
}

/** An address with an optional display name, `Office Fax <fax@fax.example.com>`. */
export const mailbox = requiredText.check(
  rule(
    (v) => mailboxAddress(v) !== undefined,
    'must be an email address like fax@fax.example.com or Office Fax <fax@fax.example.com>',
  ),
);

/**
 * The key as the Telnyx portal shows it: base64 of 32 bytes. Pasted without its `=` padding or
 * with spaces it is still that key, so it is given to the functions in one canonical form.
 */
export function canonicalEd25519Key(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(compact)) return undefined;
  const raw = Buffer.from(compact, 'base64');
  return raw.length === 32 ? raw.toString('base64') : undefined;
}

export const ed25519PublicKey = z.pipe(
  requiredText.check(
    rule(
      (v) => canonicalEd25519Key(v) !== undefined,
      'must be the base64 Ed25519 public key from the Telnyx portal (32 bytes, 44 characters)',
    ),
  ),
  z.transform((v) => canonicalEd25519Key(v) as string),
);

export const pageSize = z.pipe(
  z.optional(z.enum(['letter', 'a4', 'LETTER', 'A4'], { error: 'must be letter or a4' })),
  z.transform((v) => (v?.toLowerCase() ?? 'letter') as 'letter' | 'a4'),
);

/** The delivered email's confirmation report: with a reduced page 1 (`on`), without it, or none. */
export const transmissionReport = z.pipe(
  z.optional(z.enum(['on', 'no-image', 'off'], { error: 'must be on, no-image or off' })),
  z.transform((v) => v ?? 'on'),
);

/** INBOUND_ROUTES: JSON of receiving numbers (or `*`) to addresses and a mode; absent: no routes. */
export const inboundRoutes = z.pipe(
  z.optional(z.string()),
  z.transform((text, context): Routes => {
    if (text === undefined || text.trim() === '') return {};
    const read = readRoutes(text);
    if (read.ok) return read.routes;
    context.issues.push({ code: 'custom', input: text, message: read.problem });
    return z.NEVER;
  }),
);

/** Comma list of E.164 numbers; absent or blank: none. */
export const numberList = z.pipe(
  z.pipe(
    z.optional(z.string()),
    z.transform((v) =>
      (v ?? '')
        .split(',')
        .map((item) => item.replace(/[\s().-]/g, ''))
        .filter(Boolean),
    ),
  ),
  z.array(z.string()).check(
    z.refine((numbers) => numbers.every((n) => E164.test(n)), {
      error: (issue) =>
        `must list E.164 numbers like +13125551234,+13125550199 (not ${(issue.input as string[])
          .filter((n) => !E164.test(n))
          .join(', ')})`,
    }),
  ),
);

/** A whole number from `min` to `max`, or undefined when unset (for another setting to fill). */
export const optionalWholeNumber = (min: number, max: number) =>
  z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
    ),
    z.optional(
      z
        .pipe(z.string().check(z.regex(/^\d+$/, 'must be a whole number')), z.transform(Number))
        .check(
          z.refine((n) => n >= min, { message: `must be at least ${min}` }),
          z.refine((n) => n <= max, { message: `must be at most ${max}` }),
        ),
    ),
  );
