import * as z from 'zod/mini';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`fax-bridge settings are wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

const text = (check: (s: string) => boolean, message: string) =>
  z.refine<string>(check, { message });

const list = z
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

const flag = (fallback: boolean) =>
  z.pipe(
    z.optional(
      z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }),
    ),
    z.transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v))),
  );

const integer = (fallback: number, min: number, max: number) =>
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

const required = z.string({ error: 'is missing' }).check(z.trim(), z.minLength(1, 'is missing'));

const withDefault = (fallback: string) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v) => v || fallback),
  );

// Intl knows the ISO 3166 regions; it spares the webhook function libphonenumber's metadata.
const regions = new Intl.DisplayNames(['en'], { type: 'region' });
const isCountry = (code: string) => {
  try {
    return /^[A-Z]{2}$/.test(code) && code !== 'ZZ' && regions.of(code) !== code;
  } catch {
    return false;
  }
};

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const isEd25519PublicKey = (key: string) =>
  /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length === 32;

const schema = z
  .object({
    FAX_BUCKET: required,
    LEDGER_TABLE: required,
    FAX_DOMAINS: list,
    ALLOWED_SENDERS: list.check(
      z.refine((items) => items.every((s) => EMAIL.test(s) || /^@[^\s@]+\.[^\s@]+$/.test(s)), {
        message: 'must be addresses (name@example.com) or domains written @example.com',
      }),
    ),
    REQUIRE_SENDER_AUTH: flag(true),
    DEFAULT_COUNTRY: z.pipe(
      z.pipe(
        z.optional(z.string()),
        z.transform((v) => (v ?? 'US').toUpperCase()),
      ),
      z.string().check(text(isCountry, 'must be a two-letter ISO 3166 country code like US')),
    ),
    TELNYX_API_URL: z.pipe(
      z.optional(z.url({ error: 'must be a URL' })),
      z.transform((v) => (v ?? 'https://api.telnyx.com/v2').replace(/\/+$/, '')),
    ),
    TELNYX_API_KEY_SECRET: z.optional(z.string().check(z.trim(), z.minLength(1))),
    TELNYX_API_KEY: z.optional(z.string().check(z.trim(), z.minLength(1))),
    TELNYX_CONNECTION_ID: required,
    FAX_FROM_NUMBER: required.check(z.regex(E164, 'must be an E.164 number like +13125551234')),
    TELNYX_PUBLIC_KEY: required.check(
      text(
        isEd25519PublicKey,
        'must be the base64 Ed25519 public key from the Telnyx portal (32 bytes, 44 characters)',
      ),
    ),
    WEBHOOK_URL: z.url({ error: 'must be a URL' }),
    NOTICE_FROM: required.check(
      z.regex(EMAIL, 'must be an email address like fax@fax.example.com'),
    ),
    NOTICE_TIME_ZONE: z.pipe(
      withDefault('UTC'),
      z.string().check(text(isTimeZone, 'must be an IANA time zone like America/Chicago')),
    ),
    ATTACH_FAILED_DOCUMENT: flag(false),
    MEDIA_URL_TTL_SECONDS: integer(900, 60, 43_200),
    MAX_RECIPIENTS: integer(10, 1, 100),
    MAX_PAGES: integer(100, 1, 350),
    PAGE_SIZE: z.pipe(
      z.optional(z.enum(['letter', 'a4', 'LETTER', 'A4'], { error: 'must be letter or a4' })),
      z.transform((v) => (v?.toLowerCase() ?? 'letter') as 'letter' | 'a4'),
    ),
    RETENTION_DAYS: integer(7, 1, 3650),
  })
  .check(
    z.refine((s) => Boolean(s.TELNYX_API_KEY_SECRET || s.TELNYX_API_KEY), {
      path: ['TELNYX_API_KEY_SECRET'],
      message: 'is missing (or set TELNYX_API_KEY in the local mode)',
    }),
  );

export type Settings = {
  faxBucket: string;
  ledgerTable: string;
  faxDomains: string[];
  allowedSenders: string[];
  requireSenderAuth: boolean;
  defaultCountry: string;
  telnyx: {
    apiUrl: string;
    apiKeySecret?: string;
    apiKey?: string;
    connectionId: string;
    fromNumber: string;
    publicKey: string;
  };
  webhookUrl: string;
  noticeFrom: string;
  noticeTimeZone: string;
  attachFailedDocument: boolean;
  mediaUrlTtlSeconds: number;
  maxRecipients: number;
  maxPages: number;
  pageSize: 'letter' | 'a4';
  retentionDays: number;
};

export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'settings')} ${issue.message}`),
    );
  }
  const s = parsed.data;
  return {
    faxBucket: s.FAX_BUCKET,
    ledgerTable: s.LEDGER_TABLE,
    faxDomains: s.FAX_DOMAINS,
    allowedSenders: s.ALLOWED_SENDERS,
    requireSenderAuth: s.REQUIRE_SENDER_AUTH,
    defaultCountry: s.DEFAULT_COUNTRY,
    telnyx: {
      apiUrl: s.TELNYX_API_URL,
      apiKeySecret: s.TELNYX_API_KEY_SECRET,
      apiKey: s.TELNYX_API_KEY,
      connectionId: s.TELNYX_CONNECTION_ID,
      fromNumber: s.FAX_FROM_NUMBER,
      publicKey: s.TELNYX_PUBLIC_KEY,
    },
    webhookUrl: s.WEBHOOK_URL,
    noticeFrom: s.NOTICE_FROM,
    noticeTimeZone: s.NOTICE_TIME_ZONE,
    attachFailedDocument: s.ATTACH_FAILED_DOCUMENT,
    mediaUrlTtlSeconds: s.MEDIA_URL_TTL_SECONDS,
    maxRecipients: s.MAX_RECIPIENTS,
    maxPages: s.MAX_PAGES,
    pageSize: s.PAGE_SIZE,
    retentionDays: s.RETENTION_DAYS,
  };
}
