import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/config-error';
import { loadInboundSettings } from '../../../functions/config/inbound-settings';

const valid = {
  FAX_BUCKET: 'bucket',
  LEDGER_TABLE: 'ledger',
  FAX_DOMAINS: 'Fax.Example.com, fax2.example.com',
  ALLOWED_SENDERS: 'Alice@Example.com,@clinic.example',
  TELNYX_API_KEY_SECRET: 'fax-bridge/telnyx-api-key',
  CLIENT_STATE_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cs-AbCdEf',
  TELNYX_CONNECTION_ID: '234423',
  FAX_FROM_NUMBER: '+13125790015',
  WEBHOOK_URL: 'https://abc.lambda-url.us-east-1.on.aws/',
  NOTICE_FROM: 'fax@fax.example.com',
};

const problemsOf = (env: Record<string, string | undefined>) => {
  try {
    loadInboundSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadInboundSettings', () => {
  it('reads a valid environment with defaults', () => {
    const settings = loadInboundSettings(valid);
    const s = settings.flow;
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
      retentionDays: 7,
      maxEmailAgeHours: 72,
    });
    expect(settings.telnyxApi.url).toBe('https://api.telnyx.com/v2');
  });

  it.each([
    ['FAX_BUCKET', undefined, 'FAX_BUCKET is missing'],
    ['LEDGER_TABLE', '', 'LEDGER_TABLE is missing'],
    ['FAX_DOMAINS', ' , ', 'FAX_DOMAINS must list at least one entry'],
    ['ALLOWED_SENDERS', 'bob', 'ALLOWED_SENDERS must be addresses'],
    ['REQUIRE_SENDER_AUTH', 'maybe', 'REQUIRE_SENDER_AUTH must be true or false'],
    ['DEFAULT_COUNTRY', 'USA', 'DEFAULT_COUNTRY must be a two-letter'],
    ['DEFAULT_COUNTRY', 'XX', 'DEFAULT_COUNTRY must be a two-letter'],
    [
      'DEFAULT_COUNTRY',
      'UK',
      'DEFAULT_COUNTRY must be a two-letter ISO 3166 country code like US (UK: write GB)',
    ],
    ['TELNYX_API_URL', 'not a url', 'TELNYX_API_URL must be a URL'],
    ['FAX_FROM_NUMBER', '3125790015', 'FAX_FROM_NUMBER must be an E.164 number'],
    ['WEBHOOK_URL', 'hooks', 'WEBHOOK_URL must be a URL'],
    ['NOTICE_FROM', 'fax', 'NOTICE_FROM must be an email address'],
    ['NOTICE_TIME_ZONE', 'Mars/Olympus', 'NOTICE_TIME_ZONE must be an IANA time zone'],
    ['MEDIA_URL_TTL_SECONDS', 'soon', 'MEDIA_URL_TTL_SECONDS must be a whole number'],
    ['MAX_PAGES', '351', 'MAX_PAGES must be at most 350'],
    ['MAX_EMAIL_AGE_HOURS', '0', 'MAX_EMAIL_AGE_HOURS must be at least 1'],
    ['MAX_RECIPIENTS', '0', 'MAX_RECIPIENTS must be at least 1'],
    ['PAGE_SIZE', 'legal', 'PAGE_SIZE must be letter or a4'],
  ])('%s=%s fails naming the setting', (name, value, message) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('allows faxes to DEFAULT_COUNTRY alone when ALLOWED_COUNTRIES is unset', () => {
    expect(loadInboundSettings(valid).flow.allowedCountries).toEqual(['US']);
    expect(loadInboundSettings({ ...valid, DEFAULT_COUNTRY: 'gb' }).flow.allowedCountries).toEqual([
      'GB',
    ]);
    expect(loadInboundSettings({ ...valid, ALLOWED_COUNTRIES: '' }).flow.allowedCountries).toEqual([
      'US',
    ]);
  });

  it('reads ALLOWED_COUNTRIES as a comma list of country codes, whatever their case', () => {
    const settings = loadInboundSettings({ ...valid, ALLOWED_COUNTRIES: 'us, ca,GB' });
    expect(settings.flow.allowedCountries).toEqual(['US', 'CA', 'GB']);
  });

  it('names the codes in ALLOWED_COUNTRIES that are not countries', () => {
    expect(problemsOf({ ...valid, ALLOWED_COUNTRIES: 'US,XX,USA,uk,JM' })).toEqual([
      'ALLOWED_COUNTRIES must list two-letter ISO 3166 country codes like US,GB (not XX, USA, UK: write GB)',
    ]);
  });

  it('needs the API key secret or, in the local mode, the key', () => {
    const problems = problemsOf({ ...valid, TELNYX_API_KEY_SECRET: undefined });
    expect(problems).toEqual([
      'TELNYX_API_KEY_SECRET is missing (or set TELNYX_API_KEY in the local mode)',
    ]);
    expect(
      loadInboundSettings({ ...valid, TELNYX_API_KEY_SECRET: undefined, TELNYX_API_KEY: 'k' })
        .telnyxApi.apiKey,
    ).toEqual({ key: 'k' });
  });

  it('needs the client_state key secret or, in the local mode, a key of 32+ characters', () => {
    expect(problemsOf({ ...valid, CLIENT_STATE_SECRET_ID: undefined })).toEqual([
      'CLIENT_STATE_SECRET_ID is missing (or set CLIENT_STATE_SECRET in the local mode)',
    ]);
    expect(loadInboundSettings(valid).clientStateSecret).toEqual({
      secretId: valid.CLIENT_STATE_SECRET_ID,
    });
    const key = 'k'.repeat(32);
    const local = { ...valid, CLIENT_STATE_SECRET_ID: undefined, CLIENT_STATE_SECRET: key };
    expect(loadInboundSettings(local).clientStateSecret).toEqual({ value: key });
    expect(problemsOf({ ...local, CLIENT_STATE_SECRET: 'short' })).toEqual([
      'CLIENT_STATE_SECRET must be at least 32 characters',
    ]);
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
