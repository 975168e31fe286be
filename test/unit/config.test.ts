import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../functions/config';

const valid = {
  FAX_BUCKET: 'bucket',
  LEDGER_TABLE: 'ledger',
  FAX_DOMAINS: 'Fax.Example.com, fax2.example.com',
  ALLOWED_SENDERS: 'Alice@Example.com,@clinic.example',
  TELNYX_API_KEY_SECRET: 'fax-bridge/telnyx-api-key',
  TELNYX_CONNECTION_ID: '234423',
  FAX_FROM_NUMBER: '+13125790015',
  TELNYX_PUBLIC_KEY: Buffer.alloc(32, 7).toString('base64'),
  WEBHOOK_URL: 'https://abc.lambda-url.us-east-1.on.aws/',
  NOTICE_FROM: 'fax@fax.example.com',
};

const problemsOf = (env: Record<string, string | undefined>) => {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadSettings', () => {
  it('reads a valid environment with defaults', () => {
    const s = loadSettings(valid);
    expect(s.faxDomains).toEqual(['fax.example.com', 'fax2.example.com']);
    expect(s.allowedSenders).toEqual(['alice@example.com', '@clinic.example']);
    expect(s).toMatchObject({
      requireSenderAuth: true,
      defaultCountry: 'US',
      mediaUrlTtlSeconds: 900,
      maxRecipients: 10,
      maxPages: 100,
      pageSize: 'letter',
      noticeTimeZone: 'UTC',
      attachFailedDocument: false,
      retentionDays: 7,
    });
    expect(s.telnyx.apiUrl).toBe('https://api.telnyx.com/v2');
  });

  it.each([
    ['FAX_BUCKET', undefined, 'FAX_BUCKET is missing'],
    ['LEDGER_TABLE', '', 'LEDGER_TABLE is missing'],
    ['FAX_DOMAINS', ' , ', 'FAX_DOMAINS must list at least one entry'],
    ['ALLOWED_SENDERS', 'bob', 'ALLOWED_SENDERS must be addresses'],
    ['REQUIRE_SENDER_AUTH', 'maybe', 'REQUIRE_SENDER_AUTH must be true or false'],
    ['DEFAULT_COUNTRY', 'USA', 'DEFAULT_COUNTRY must be a two-letter'],
    ['DEFAULT_COUNTRY', 'XX', 'DEFAULT_COUNTRY must be a two-letter'],
    ['TELNYX_API_URL', 'not a url', 'TELNYX_API_URL must be a URL'],
    ['FAX_FROM_NUMBER', '3125790015', 'FAX_FROM_NUMBER must be an E.164 number'],
    ['TELNYX_PUBLIC_KEY', 'c2hvcnQ=', 'TELNYX_PUBLIC_KEY must be the base64 Ed25519 public key'],
    ['WEBHOOK_URL', 'hooks', 'WEBHOOK_URL must be a URL'],
    ['NOTICE_FROM', 'fax', 'NOTICE_FROM must be an email address'],
    ['NOTICE_TIME_ZONE', 'Mars/Olympus', 'NOTICE_TIME_ZONE must be an IANA time zone'],
    ['MEDIA_URL_TTL_SECONDS', 'soon', 'MEDIA_URL_TTL_SECONDS must be a whole number'],
    ['MAX_PAGES', '351', 'MAX_PAGES must be at most 350'],
    ['MAX_RECIPIENTS', '0', 'MAX_RECIPIENTS must be at least 1'],
    ['PAGE_SIZE', 'legal', 'PAGE_SIZE must be letter or a4'],
  ])('%s=%s fails naming the setting', (name, value, message) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('needs the API key secret or, in the local mode, the key', () => {
    const problems = problemsOf({ ...valid, TELNYX_API_KEY_SECRET: undefined });
    expect(problems).toEqual([
      'TELNYX_API_KEY_SECRET is missing (or set TELNYX_API_KEY in the local mode)',
    ]);
    expect(
      loadSettings({ ...valid, TELNYX_API_KEY_SECRET: undefined, TELNYX_API_KEY: 'k' }).telnyx,
    ).toMatchObject({ apiKey: 'k' });
  });

  it('lists every problem at once', () => {
    expect(problemsOf({})).toEqual(
      expect.arrayContaining([
        'FAX_BUCKET is missing',
        'NOTICE_FROM is missing',
        'TELNYX_CONNECTION_ID is missing',
      ]),
    );
  });
});
