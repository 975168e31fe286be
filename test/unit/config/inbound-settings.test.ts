import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/config-error';
import { loadInboundSettings } from '../../../functions/config/inbound-settings';

const valid = {
  FAX_BUCKET: 'bucket',
  LEDGER_TABLE: 'ledger',
  FAX_DOMAINS: 'Fax.Example.com, fax2.example.com',
  ALLOWED_SENDERS: 'Alice@Example.com,@clinic.example',
  DISPATCH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/fax-dispatch',
  FAX_FROM_NUMBER: '+13125790015',
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
      maxRecipients: 10,
      maxPages: 100,
      pageSize: 'letter',
      noticeTimeZone: 'UTC',
      retentionDays: 7,
      maxEmailAgeHours: 72,
    });
    expect(settings.dispatchQueueUrl).toBe(valid.DISPATCH_QUEUE_URL);
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
    ['FAX_FROM_NUMBER', '3125790015', 'FAX_FROM_NUMBER must be an E.164 number'],
    ['DISPATCH_QUEUE_URL', 'queue', 'DISPATCH_QUEUE_URL must be a URL'],
    ['NOTICE_FROM', 'fax', 'NOTICE_FROM must be an email address'],
    ['NOTICE_TIME_ZONE', 'Mars/Olympus', 'NOTICE_TIME_ZONE must be an IANA time zone'],
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

  it('lists every problem at once', () => {
    expect(problemsOf({})).toEqual(
      expect.arrayContaining([
        'FAX_BUCKET is missing',
        'NOTICE_FROM is missing',
        'DISPATCH_QUEUE_URL must be a URL',
      ]),
    );
  });
});
