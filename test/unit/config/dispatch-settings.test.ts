import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/config-error';
import { loadDispatchSettings } from '../../../functions/config/dispatch-settings';
import { loadSweeperSettings } from '../../../functions/config/sweeper-settings';
import { loadWebhookSettings } from '../../../functions/config/webhook-settings';

const valid = {
  FAX_BUCKET: 'bucket',
  LEDGER_TABLE: 'ledger',
  DISPATCH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/fax-dispatch',
  FAX_IN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/fax-in',
  TELNYX_API_KEY_SECRET: 'fax-bridge/telnyx-api-key',
  CLIENT_STATE_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cs-AbCdEf',
  TELNYX_CONNECTION_ID: '234423',
  FAX_FROM_NUMBER: '+13125790015',
  WEBHOOK_URL: 'https://abc.lambda-url.us-east-1.on.aws/',
  NOTICE_FROM: 'fax@fax.example.com',
  TELNYX_PUBLIC_KEY: Buffer.alloc(32, 7).toString('base64'),
};

const problemsOf = (env: Record<string, string | undefined>) => {
  try {
    loadDispatchSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadDispatchSettings', () => {
  it('reads a valid environment with defaults: two channels, a lease past two sweeps', () => {
    const settings = loadDispatchSettings(valid);
    expect(settings.flow).toMatchObject({
      telnyx: { connectionId: '234423', fromNumber: '+13125790015', webhookUrl: valid.WEBHOOK_URL },
      mediaUrlTtlSeconds: 900,
      channels: 2,
      leaseSeconds: 1800 + 2 * 600,
    });
    expect(settings.telnyxApi.url).toBe('https://api.telnyx.com/v2');
  });

  it('needs the API key secret or, in the local mode, the key', () => {
    expect(problemsOf({ ...valid, TELNYX_API_KEY_SECRET: undefined })).toEqual([
      'TELNYX_API_KEY_SECRET is missing (or set TELNYX_API_KEY in the local mode)',
    ]);
    const local = { ...valid, TELNYX_API_KEY_SECRET: undefined, TELNYX_API_KEY: 'k' };
    expect(loadDispatchSettings(local).telnyxApi.apiKey).toEqual({ key: 'k' });
  });

  it('needs the client_state key secret or, in the local mode, a key of 32+ characters', () => {
    expect(problemsOf({ ...valid, CLIENT_STATE_SECRET_ID: undefined })).toEqual([
      'CLIENT_STATE_SECRET_ID is missing (or set CLIENT_STATE_SECRET in the local mode)',
    ]);
    const key = 'k'.repeat(32);
    const local = { ...valid, CLIENT_STATE_SECRET_ID: undefined, CLIENT_STATE_SECRET: key };
    expect(loadDispatchSettings(local).clientStateSecret).toEqual({ value: key });
    expect(problemsOf({ ...local, CLIENT_STATE_SECRET: 'short' })).toEqual([
      'CLIENT_STATE_SECRET must be at least 32 characters',
    ]);
  });

  it('refuses channels and retries out of range', () => {
    expect(problemsOf({ ...valid, TELNYX_CHANNELS: '0' })).toHaveLength(1);
    expect(() => loadWebhookSettings({ ...valid, RETRY_ATTEMPTS: '11' })).toThrow(ConfigError);
  });
});

describe('the retry settings', () => {
  it('default to three dials, five minutes apart at first, for the webhook and the sweeper', () => {
    const retry = { attempts: 3, delaySeconds: 300 };
    expect(loadWebhookSettings(valid).flow.retry).toEqual(retry);
    const sweeper = loadSweeperSettings(valid).flow;
    expect(sweeper).toMatchObject({ retry, sweepAfterSeconds: 1800, channels: 2 });
  });

  it('RETRY_ATTEMPTS=1 turns retries off', () => {
    expect(loadWebhookSettings({ ...valid, RETRY_ATTEMPTS: '1' }).flow.retry.attempts).toBe(1);
  });
});
