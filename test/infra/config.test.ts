import { describe, expect, it } from 'vitest';
import { loadDispatchSettings } from '../../functions/config/dispatch-settings';
import { loadInboundSettings } from '../../functions/config/inbound-settings';
import { loadReceiverSettings } from '../../functions/config/receiver-settings';
import { loadSweeperSettings } from '../../functions/config/sweeper-settings';
import { loadWebhookSettings } from '../../functions/config/webhook-settings';
import { webhookPublicKey } from '../../functions/core/webhook/webhook-signature';
import { DeployConfigError, readDeploySettings } from '../../infra/config';
import { cdkJsonContext, exampleContext } from './stack-fixture';

const deployedValues = {
  FAX_BUCKET: 'b',
  LEDGER_TABLE: 't',
  TELNYX_API_KEY_SECRET: 's',
  CLIENT_STATE_SECRET_ID: 'cs',
  WEBHOOK_URL: 'https://x.lambda-url.us-east-1.on.aws/',
  DISPATCH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/dispatch',
  FAX_IN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/fax-in',
  PUBLIC_URL: 'https://x.lambda-url.us-east-1.on.aws/',
};

/** The example: two people for the main number, the admin by link for any other. */
const ROUTES = {
  '+13125550100': {
    to: ['frontdesk@clinic.example', 'Dr.Ortiz@clinic.example'],
    delivery: 'attach',
  },
  '*': { to: ['admin@clinic.example'], delivery: 'link' },
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
  it('accepts the example settings npm run synth passes', () => {
    const settings = read(exampleContext);
    expect(settings.faxDomains).toEqual(['fax.example.com']);
    expect(settings.receiptRuleSet).toEqual({ kind: 'create-and-activate' });
  });

  it('finds no settings in cdk.json, so a deploy without its own stops naming each required one', () => {
    expect(problemsOf(cdkJsonContext).map((p) => p.split(' ').slice(0, 3).join(' '))).toEqual([
      'faxDomains is missing',
      'noticeFrom is missing',
      'allowedSenders is missing',
      'telnyxConnectionId is missing',
      'faxFromNumber is missing',
      'telnyxPublicKey is missing',
      'receiptRuleSet is missing',
    ]);
  });

  it('stops a deploy to a region where SES receives no email, naming it and those that do', () => {
    const problems = (() => {
      try {
        readDeploySettings((key) => valid[key], { region: 'eu-west-3' });
      } catch (error) {
        if (error instanceof DeployConfigError) return error.problems;
      }
      throw new Error('settings were accepted');
    })();
    expect(problems).toEqual([
      expect.stringMatching(/^region eu-west-3 has no SES email receiving.*us-east-1, us-east-2/),
    ]);
    expect(() => readDeploySettings((key) => valid[key], { region: 'eu-west-1' })).not.toThrow();
  });

  it('fills in the documented defaults', () => {
    const settings = read(valid);
    expect(settings).toMatchObject({
      retentionDays: 7,
      logRetentionDays: 30,
      webhookConcurrency: undefined,
      attachFailedDocument: false,
      transmissionReport: 'on',
      hostedZone: undefined,
      alarmEmail: undefined,
      telnyxApiKeySecret: undefined,
      telnyxApiKeyKmsKey: undefined,
      stackName: 'FaxBridge',
      existingIdentities: [],
      dmarcPolicy: 'none',
      mailFromDomain: 'bounce.fax.example.com',
    });
    expect(settings.runtimeEnvironment).toMatchObject({
      DEFAULT_COUNTRY: 'US',
      MAX_PAGES: '100',
      MAX_RECIPIENTS: '10',
      PAGE_SIZE: 'letter',
      NOTICE_TIME_ZONE: 'UTC',
      ATTACH_FAILED_DOCUMENT: 'false',
      TRANSMISSION_REPORT: 'on',
      RETENTION_DAYS: '7',
      MAX_EMAIL_AGE_HOURS: '72',
      TELNYX_CHANNELS: '2',
      RETRY_ATTEMPTS: '3',
      RETRY_DELAY_SECONDS: '300',
      SWEEP_INTERVAL_SECONDS: '600',
      SWEEP_AFTER_SECONDS: '1800',
    });
    expect(settings).toMatchObject({ telnyxChannels: 2, sweepIntervalSeconds: 600 });
  });

  it('hands the dispatch, webhook and sweeper functions the channels, retries and sweep as they read them', () => {
    const settings = read({
      ...valid,
      telnyxChannels: 10,
      retryAttempts: '1',
      retryDelaySeconds: 900,
      sweepIntervalSeconds: '300',
      sweepAfterSeconds: 3600,
    });
    expect(settings).toMatchObject({ telnyxChannels: 10, sweepIntervalSeconds: 300 });
    const env = { ...settings.runtimeEnvironment, ...deployedValues };
    expect(loadDispatchSettings(env).flow).toMatchObject({
      channels: 10,
      // Held until the sweeper has had two looks after sweepAfterSeconds.
      leaseSeconds: 3600 + 2 * 300,
    });
    expect(loadWebhookSettings(env).flow).toMatchObject({
      channels: 10,
      retry: { attempts: 1, delaySeconds: 900 },
    });
    expect(loadSweeperSettings(env).flow).toMatchObject({
      sweepAfterSeconds: 3600,
      retry: { attempts: 1, delaySeconds: 900 },
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

  it('hands both functions ADMIN_CONTACT and the webhook TRANSMISSION_REPORT, as the functions read them', () => {
    const settings = read({
      ...valid,
      adminContact: '  Pat, IT desk, ext. 204 ',
      transmissionReport: 'no-image',
      noticeFrom: 'Office Fax <fax@fax.example.com>',
    });
    expect(settings.transmissionReport).toBe('no-image');
    expect(settings.noticeFrom).toBe('fax@fax.example.com');
    const env = { ...settings.runtimeEnvironment, ...deployedValues };
    expect(env).toMatchObject({
      ADMIN_CONTACT: 'Pat, IT desk, ext. 204',
      TRANSMISSION_REPORT: 'no-image',
      NOTICE_FROM: 'Office Fax <fax@fax.example.com>',
    });
    expect(loadWebhookSettings(env).flow).toMatchObject({
      adminContact: 'Pat, IT desk, ext. 204',
      transmissionReport: 'no-image',
    });
    expect(loadInboundSettings(env).flow.adminContact).toBe('Pat, IT desk, ext. 204');
    expect(read(valid).runtimeEnvironment).not.toHaveProperty('ADMIN_CONTACT');
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

  it('hands the inbound function its daily caps, 100 faxes and 1,000 pages a sender and 3,000 pages in all unless set', () => {
    const byDefault = read(valid);
    expect(byDefault.runtimeEnvironment).toMatchObject({
      MAX_FAXES_PER_SENDER_PER_DAY: '100',
      MAX_PAGES_PER_SENDER_PER_DAY: '1000',
      MAX_PAGES_PER_DAY: '3000',
    });
    expect(byDefault.maxPagesPerDay).toBe(3000);
    const set = read({
      ...valid,
      maxFaxesPerSenderPerDay: 20,
      maxPagesPerSenderPerDay: '200',
      maxPagesPerDay: 500,
    });
    expect(set.maxPagesPerDay).toBe(500);
    const runtime = loadInboundSettings({ ...set.runtimeEnvironment, ...deployedValues }).flow;
    expect(runtime.dailyCaps).toEqual({ senderFaxes: 20, senderPages: 200, bridgePages: 500 });
  });

  it('hands the webhook function a public key pasted without its = padding that it can verify with', () => {
    const padded = Buffer.alloc(32, 5).toString('base64');
    const settings = read({ ...valid, telnyxPublicKey: padded.replace(/=+$/, '') });
    const webhook = loadWebhookSettings({ ...settings.runtimeEnvironment, ...deployedValues });
    expect(webhook.telnyxPublicKey).toBe(padded);
    expect(() => webhookPublicKey(webhook.telnyxPublicKey)).not.toThrow();
  });

  it('hands the receiver the routes of a settings object as the JSON it reads, and knows every address they email', () => {
    const settings = read({ ...valid, inboundRoutes: ROUTES });
    expect(JSON.parse(settings.runtimeEnvironment.INBOUND_ROUTES ?? '')).toEqual({
      '+13125550100': {
        to: ['frontdesk@clinic.example', 'dr.ortiz@clinic.example'],
        delivery: 'attach',
      },
      '*': { to: ['admin@clinic.example'], delivery: 'link' },
    });
    expect(settings.inboundRecipients).toEqual([
      'frontdesk@clinic.example',
      'dr.ortiz@clinic.example',
      'admin@clinic.example',
    ]);
    const receiver = loadReceiverSettings({ ...settings.runtimeEnvironment, ...deployedValues });
    expect(receiver.flow.routes['+13125550100']?.delivery).toBe('attach');
    expect(receiver.flow.routes['*']?.to).toEqual(['admin@clinic.example']);
    // -c passes the same routes as text.
    expect(read({ ...valid, inboundRoutes: JSON.stringify(ROUTES) })).toEqual(settings);
  });

  it('routes no fax unless told, and keeps a link as long as the documents unless told', () => {
    const settings = read({ ...valid, retentionDays: 14 });
    expect(settings.inboundRecipients).toEqual([]);
    expect(settings.runtimeEnvironment).toMatchObject({
      INBOUND_ROUTES: '{}',
      INBOUND_LINK_DAYS: '14',
    });
    expect(settings.runtimeEnvironment).not.toHaveProperty('INBOUND_BLOCKED_NUMBERS');
    const set = read({
      ...valid,
      inboundLinkDays: 3,
      inboundBlockedNumbers: ['+13125550199', '+1 (312) 555-0198'],
    });
    expect(set.runtimeEnvironment).toMatchObject({
      INBOUND_LINK_DAYS: '3',
      INBOUND_BLOCKED_NUMBERS: '+13125550199,+13125550198',
    });
    const receiver = loadReceiverSettings({ ...set.runtimeEnvironment, ...deployedValues });
    expect(receiver.flow).toMatchObject({
      linkDays: 3,
      blockedNumbers: ['+13125550199', '+13125550198'],
    });
  });

  it('reads the optional settings', () => {
    const settings = read({
      ...valid,
      receiptRuleSet: 'use-active:default-rule-set',
      hostedZoneId: 'Z0123456789ABC',
      hostedZoneName: 'example.com.',
      alarmEmail: 'ops@example.com',
      telnyxApiKeySecret: 'fax-bridge/telnyx',
      telnyxApiKeyKmsKey:
        'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      webhookConcurrency: 5,
      logRetentionDays: 90,
      stackName: 'FaxBridgeTest',
      existingIdentities: 'FAX.example.com',
      dmarcPolicy: 'quarantine',
      mailFromDomain: 'none',
    });
    expect(settings).toMatchObject({
      receiptRuleSet: { kind: 'use-active', ruleSetName: 'default-rule-set' },
      hostedZone: { id: 'Z0123456789ABC', name: 'example.com' },
      alarmEmail: 'ops@example.com',
      telnyxApiKeySecret: 'fax-bridge/telnyx',
      telnyxApiKeyKmsKey:
        'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      webhookConcurrency: 5,
      logRetentionDays: 90,
      stackName: 'FaxBridgeTest',
      existingIdentities: ['fax.example.com'],
      dmarcPolicy: 'quarantine',
      mailFromDomain: undefined,
    });
    expect(read({ ...valid, webhookConcurrency: 'none' }).webhookConcurrency).toBeUndefined();
  });

  it('takes a complete secret ARN, six characters after its name', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fax-bridge/telnyx-AbC123';
    expect(read({ ...valid, telnyxApiKeySecret: arn }).telnyxApiKeySecret).toBe(arn);
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
    ['maxFaxesPerSenderPerDay', 'lots', /whole number/],
    ['maxPagesPerSenderPerDay', 0, /at least 1/],
    ['maxPagesPerDay', 0, /at least 1/],
    ['noticeTimeZone', 'Mars/Olympus_Mons', /IANA time zone/],
    ['attachFailedDocument', 'maybe', /true or false/],
    ['transmissionReport', 'yes', /on, no-image or off/],
    ['alarmEmail', 'ops', /email address/],
    ['telnyxApiKeySecret', 'my secret', /secret name/],
    ['webhookConcurrency', 0, /1 to 1000, or none/],
    [
      'telnyxApiKeySecret',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:fax-bridge/telnyx',
      /partial ARN: a complete secret ARN ends with -XXXXXX/,
    ],
    ['telnyxApiKeyKmsKey', 'arn:aws:kms:us-east-1:123456789012:key/k', /existing secret/],
    ['stackName', 'Fax_Bridge', /letters, digits and -/],
    ['stackName', `F${'a'.repeat(60)}`, /at most 60 characters: .* SES takes at most 64/],
    ['existingIdentities', 'example.org', /only name the fax domains and the notice domain/],
    ['dmarcPolicy', 'strict', /one of none, quarantine, reject, off/],
    ['mailFromDomain', 'bounce.example.net', /subdomain of fax\.example\.com/],
    ['logRetentionDays', 8, /one of 1, 3, 5, 7, 14, 30/],
    ['telnyxChannels', 0, /at least 1/],
    ['retryAttempts', 11, /at most 10/],
    ['retryDelaySeconds', 'later', /whole number/],
    ['sweepIntervalSeconds', 0, /at least 1/],
    ['sweepIntervalSeconds', 30, /whole number of minutes .* EventBridge/],
    ['sweepIntervalSeconds', 90, /whole number of minutes .* EventBridge/],
    ['sweepAfterSeconds', 0, /at least 1/],
    ['inboundRoutes', '{"+13125550100": "frontdesk@clinic.example"}', /"to" and "delivery"/],
    ['inboundRoutes', { '3125550100': { to: ['a@b.example'], delivery: 'link' } }, /E\.164/],
    [
      'inboundRoutes',
      { '*': { to: ['a@b.example'], delivery: 'email' } },
      /attach, link or notify/,
    ],
    ['inboundRoutes', 'frontdesk@clinic.example', /not JSON/],
    ['inboundLinkDays', 0, /at least 1/],
    ['inboundBlockedNumbers', '3125550199', /E\.164/],
    ['inboundLinkDays', 8, /at most retentionDays \(7\): a received fax is deleted/],
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
