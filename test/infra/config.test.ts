import { describe, expect, it } from 'vitest';
import { loadInboundSettings } from '../../functions/config/inbound-settings';
import { loadWebhookSettings } from '../../functions/config/webhook-settings';
import { webhookPublicKey } from '../../functions/core/webhook/webhook-signature';
import { DeployConfigError, readDeploySettings } from '../../infra/config';
import { cdkJsonContext } from './stack-fixture';

const deployedValues = {
  FAX_BUCKET: 'b',
  LEDGER_TABLE: 't',
  TELNYX_API_KEY_SECRET: 's',
  WEBHOOK_URL: 'https://x.lambda-url.us-east-1.on.aws/',
};

const valid: Record<string, unknown> = {
  faxDomains: 'fax.example.com',
  noticeFrom: 'fax@fax.example.com',
  allowedSenders: 'alice@example.com,@example.org',
  telnyxConnectionId: '1234567890123456789',
  faxFromNumber: '+13125550100',
  telnyxPublicKey: Buffer.alloc(32, 7).toString('base64'),
  receiptRuleSet: 'create-and-activate',
};

const read = (context: Record<string, unknown>) => readDeploySettings((key) => context[key]);

function problemsOf(context: Record<string, unknown>): string[] {
  try {
    read(context);
  } catch (error) {
    if (error instanceof DeployConfigError) return error.problems;
    throw error;
  }
  throw new Error('settings were accepted');
}

describe('readDeploySettings', () => {
  it('accepts the example settings in cdk.json', () => {
    const settings = read(cdkJsonContext);
    expect(settings.faxDomains).toEqual(['fax.example.com']);
    expect(settings.receiptRuleSet).toEqual({ kind: 'create-and-activate' });
  });

  it('fills in the documented defaults', () => {
    const settings = read(valid);
    expect(settings).toMatchObject({
      retentionDays: 7,
      logRetentionDays: 30,
      webhookConcurrency: 10,
      attachFailedDocument: false,
      hostedZone: undefined,
      alarmEmail: undefined,
      telnyxApiKeySecret: undefined,
    });
    expect(settings.runtimeEnvironment).toMatchObject({
      DEFAULT_COUNTRY: 'US',
      MAX_PAGES: '100',
      MAX_RECIPIENTS: '10',
      PAGE_SIZE: 'letter',
      NOTICE_TIME_ZONE: 'UTC',
      ATTACH_FAILED_DOCUMENT: 'false',
      RETENTION_DAYS: '7',
    });
  });

  it('takes lists and numbers as cdk.json writes them, and text as -c passes it', () => {
    const fromJson = read({
      ...valid,
      faxDomains: ['fax.example.com', 'FAX.example.net'],
      allowedSenders: ['alice@example.com', '@example.org'],
      retentionDays: 30,
      attachFailedDocument: true,
    });
    const fromCli = read({
      ...valid,
      faxDomains: 'fax.example.com, FAX.example.net',
      allowedSenders: 'alice@example.com,@example.org',
      retentionDays: '30',
      attachFailedDocument: 'true',
    });
    expect(fromJson).toEqual(fromCli);
    expect(fromJson.faxDomains).toEqual(['fax.example.com', 'fax.example.net']);
    expect(fromJson.retentionDays).toBe(30);
    expect(fromJson.attachFailedDocument).toBe(true);
  });

  it('gives the functions settings their own validation accepts', () => {
    const settings = read({ ...valid, pageSize: 'A4', defaultCountry: 'gb' });
    const runtime = loadInboundSettings({ ...settings.runtimeEnvironment, ...deployedValues }).flow;
    expect(runtime.pageSize).toBe('a4');
    expect(runtime.defaultCountry).toBe('GB');
    expect(runtime.faxDomains).toEqual(settings.faxDomains);
  });

  it('hands the inbound function its country list, DEFAULT_COUNTRY alone unless set', () => {
    const byDefault = read({ ...valid, defaultCountry: 'ca' });
    expect(byDefault.runtimeEnvironment.ALLOWED_COUNTRIES).toBe('CA');
    const listed = read({ ...valid, allowedCountries: ['us', 'GB'] });
    expect(listed.runtimeEnvironment.ALLOWED_COUNTRIES).toBe('US,GB');
    expect(read({ ...valid, allowedCountries: 'us, gb' }).runtimeEnvironment).toEqual(
      listed.runtimeEnvironment,
    );
    const runtime = loadInboundSettings({ ...listed.runtimeEnvironment, ...deployedValues }).flow;
    expect(runtime.allowedCountries).toEqual(['US', 'GB']);
    expect(problemsOf({ ...valid, allowedCountries: 'US,UK' })).toEqual([
      expect.stringMatching(
        /^allowedCountries must list two-letter ISO 3166 .*\(not UK: write GB\)/,
      ),
    ]);
  });

  it('hands the webhook function a public key pasted without its = padding that it can verify with', () => {
    const padded = Buffer.alloc(32, 5).toString('base64');
    const settings = read({ ...valid, telnyxPublicKey: padded.replace(/=+$/, '') });
    const webhook = loadWebhookSettings({ ...settings.runtimeEnvironment, ...deployedValues });
    expect(webhook.telnyxPublicKey).toBe(padded);
    expect(() => webhookPublicKey(webhook.telnyxPublicKey)).not.toThrow();
  });

  it('reads the optional settings', () => {
    const settings = read({
      ...valid,
      receiptRuleSet: 'use-active:default-rule-set',
      hostedZoneId: 'Z0123456789ABC',
      hostedZoneName: 'example.com.',
      alarmEmail: 'ops@example.com',
      telnyxApiKeySecret: 'fax-bridge/telnyx',
      webhookConcurrency: 'none',
      logRetentionDays: 90,
    });
    expect(settings).toMatchObject({
      receiptRuleSet: { kind: 'use-active', ruleSetName: 'default-rule-set' },
      hostedZone: { id: 'Z0123456789ABC', name: 'example.com' },
      alarmEmail: 'ops@example.com',
      telnyxApiKeySecret: 'fax-bridge/telnyx',
      webhookConcurrency: undefined,
      logRetentionDays: 90,
    });
  });

  it.each([
    'faxDomains',
    'noticeFrom',
    'allowedSenders',
    'telnyxConnectionId',
    'faxFromNumber',
    'telnyxPublicKey',
    'receiptRuleSet',
  ])('names %s alone when it is missing', (key) => {
    const problems = problemsOf({ ...valid, [key]: undefined });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${key} is missing`))]);
  });

  it('treats an empty value as missing', () => {
    expect(problemsOf({ ...valid, telnyxConnectionId: '  ' })).toEqual([
      expect.stringMatching(/^telnyxConnectionId is missing/),
    ]);
  });

  it.each([
    ['faxDomains', 'fax_example', /domain names/],
    ['noticeFrom', 'fax-at-example.com', /email address/],
    ['allowedSenders', 'alice', /addresses/],
    ['faxFromNumber', '3125550100', /E\.164/],
    ['telnyxPublicKey', 'c2hvcnQ=', /32 bytes/],
    ['receiptRuleSet', 'activate', /create-and-activate or use-active/],
    ['receiptRuleSet', 'use-active:', /create-and-activate or use-active/],
    ['retentionDays', 0, /at least 1/],
    ['retentionDays', 'a week', /whole number/],
    ['defaultCountry', 'USA', /two-letter/],
    ['maxPages', 351, /at most 350/],
    ['maxRecipients', 0, /at least 1/],
    ['pageSize', 'legal', /letter or a4/],
    ['noticeTimeZone', 'Mars/Olympus_Mons', /IANA time zone/],
    ['attachFailedDocument', 'maybe', /true or false/],
    ['alarmEmail', 'ops', /email address/],
    ['telnyxApiKeySecret', 'my secret', /secret name/],
    ['webhookConcurrency', 0, /1 to 1000, or none/],
    ['logRetentionDays', 8, /one of 1, 3, 5, 7, 14, 30/],
  ])('names %s alone when it is %j', (key, value, message) => {
    const problems = problemsOf({ ...valid, [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${key} `));
    expect(problems[0]).toMatch(message);
  });

  it.each([
    [{ hostedZoneId: 'Z0123456789ABC' }, /^hostedZoneName is missing/],
    [{ hostedZoneName: 'example.com' }, /^hostedZoneId is missing/],
    [{ hostedZoneId: 'z-lower', hostedZoneName: 'example.com' }, /^hostedZoneId must be/],
    [
      { hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.net' },
      /^hostedZoneName example\.net does not contain fax\.example\.com/,
    ],
  ])('checks the hosted zone settings together: %j', (zone, message) => {
    const problems = problemsOf({ ...valid, ...zone });
    expect(problems).toEqual([expect.stringMatching(message)]);
  });

  it('lists every problem at once, in one error that says where settings go', () => {
    const context = { ...valid, faxDomains: undefined, faxFromNumber: '123', alarmEmail: 'x' };
    expect(() => read(context)).toThrowError(/cdk\.json.*-c key=value/);
    expect(problemsOf(context).map((p) => p.split(' ')[0])).toEqual([
      'faxDomains',
      'faxFromNumber',
      'alarmEmail',
    ]);
  });
});
