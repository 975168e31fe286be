import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/config-error';
import { loadWebhookSettings } from '../../../functions/config/webhook-settings';
import { webhookPublicKey } from '../../../functions/core/webhook/webhook-signature';

const KEY = Buffer.alloc(32, 7).toString('base64');
const valid = {
  FAX_BUCKET: 'bucket',
  LEDGER_TABLE: 'ledger',
  TELNYX_PUBLIC_KEY: KEY,
  NOTICE_FROM: 'fax@fax.example.com',
  CLIENT_STATE_SECRET_ID: 'fax-bridge/client-state',
  DISPATCH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/fax-dispatch',
  FAX_IN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/fax-in',
};

const problemsOf = (env: Record<string, string | undefined>) => {
  try {
    loadWebhookSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadWebhookSettings', () => {
  it('needs nothing the webhook function does not use', () => {
    const s = loadWebhookSettings(valid);
    expect(s.flow).toEqual({
      noticeFrom: 'fax@fax.example.com',
      noticeTimeZone: 'UTC',
      attachFailedDocument: false,
      transmissionReport: 'on',
      adminContact: undefined,
      retentionDays: 7,
      channels: 2,
      retry: { attempts: 3, delaySeconds: 300 },
    });
    expect(s.telnyxPublicKey).toBe(KEY);
    expect(s.clientStateSecret).toEqual({ secretId: 'fax-bridge/client-state' });
  });

  it('needs the fax-in queue it hands received faxes to', () => {
    expect(loadWebhookSettings(valid).faxInQueueUrl).toBe(valid.FAX_IN_QUEUE_URL);
    expect(problemsOf({ ...valid, FAX_IN_QUEUE_URL: undefined })).toEqual([
      expect.stringMatching(/^FAX_IN_QUEUE_URL /),
    ]);
    expect(problemsOf({ ...valid, FAX_IN_QUEUE_URL: 'fax-in' })).toEqual([
      'FAX_IN_QUEUE_URL must be a URL',
    ]);
  });

  it('needs the client_state key the dispatch signs with, or in the local mode the key', () => {
    expect(problemsOf({ ...valid, CLIENT_STATE_SECRET_ID: undefined })).toEqual([
      'CLIENT_STATE_SECRET_ID is missing (or set CLIENT_STATE_SECRET in the local mode)',
    ]);
    const key = 'k'.repeat(40);
    const local = loadWebhookSettings({ ...valid, CLIENT_STATE_SECRET: key });
    expect(local.clientStateSecret).toEqual({ value: key });
  });

  it.each([
    ['without its padding', KEY.replace(/=+$/, '')],
    ['with spaces and a line break', `${KEY.slice(0, 20)} \n${KEY.slice(20)}`],
  ])('accepts the public key %s, in the form the signature check takes', (_, pasted) => {
    const s = loadWebhookSettings({ ...valid, TELNYX_PUBLIC_KEY: pasted });
    expect(s.telnyxPublicKey).toBe(KEY);
    expect(() => webhookPublicKey(s.telnyxPublicKey)).not.toThrow();
  });

  it.each([
    ['c2hvcnQ=', 'too short'],
    [`${KEY}AAAA`, 'too long'],
    [`${KEY.slice(0, 10)}*${KEY.slice(11)}`, 'not base64'],
  ])('refuses the public key %s (%s), naming the setting', (key) => {
    expect(problemsOf({ ...valid, TELNYX_PUBLIC_KEY: key })).toEqual([
      'TELNYX_PUBLIC_KEY must be the base64 Ed25519 public key from the Telnyx portal (32 bytes, 44 characters)',
    ]);
  });
});
