import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/config/config-error';
import { clientStateKey, handlerEnv, loadLocalSettings } from '../../../local/settings';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadLocalSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the settings were accepted');
};

const PUBLIC_KEY = Buffer.alloc(32, 7).toString('base64');

describe('local settings', () => {
  it('runs with nothing set: documented ports, fax.localhost, @example.com, no SPF/DKIM', () => {
    const settings = loadLocalSettings({});
    expect(settings.ports).toEqual({
      smtp: 2525,
      s3: 4569,
      dynamodb: 4567,
      ses: 8005,
      sqs: 4576,
      webhook: 8787,
      telnyx: 4010,
    });
    expect(settings.faxDomains).toEqual(['fax.localhost']);
    expect(settings.allowedSenders).toEqual(['@example.com']);
    expect(settings.requireSenderAuth).toBe(false);
    expect(settings.telnyx).toMatchObject({ kind: 'emulator', apiKey: expect.any(String) });
    expect(path.basename(settings.dataDir)).toBe('.local');
  });

  it('takes ports and folders from LOCAL_* settings', () => {
    const settings = loadLocalSettings({ LOCAL_SMTP_PORT: '0', LOCAL_DATA_DIR: '/tmp/fax-local' });
    expect(settings.ports.smtp).toBe(0);
    expect(settings.dataDir).toBe('/tmp/fax-local');
  });

  it.each([['99999'], ['smtp'], ['-1']])('names LOCAL_SMTP_PORT when it is %s', (value) => {
    expect(problemsOf({ LOCAL_SMTP_PORT: value })).toEqual([
      expect.stringMatching(/^LOCAL_SMTP_PORT must be a port number/),
    ]);
  });

  it('names both settings when two parts would share a port', () => {
    expect(problemsOf({ LOCAL_SES_PORT: '2525' })).toEqual([
      expect.stringMatching(/LOCAL_SES_PORT 2525 is also LOCAL_SMTP_PORT/),
    ]);
  });

  it('names the runtime setting that is wrong, before anything starts', () => {
    expect(problemsOf({ ALLOWED_SENDERS: 'not an address' })).toEqual([
      expect.stringMatching(/^ALLOWED_SENDERS /),
    ]);
  });

  it('checks the receiver settings too: a wrong INBOUND_ROUTES is named before anything starts', () => {
    expect(problemsOf({ INBOUND_ROUTES: '{"+13125550100": {"to": []}}' })).toEqual([
      expect.stringMatching(/^INBOUND_ROUTES /),
    ]);
  });

  it('needs the key and the public key when TELNYX_API_URL points at a real Telnyx', () => {
    const problems = problemsOf({ TELNYX_API_URL: 'https://api.telnyx.com/v2' });
    expect(problems).toEqual([
      expect.stringMatching(/^TELNYX_API_KEY is missing/),
      expect.stringMatching(/^TELNYX_PUBLIC_KEY is missing/),
    ]);
    const settings = loadLocalSettings({
      TELNYX_API_URL: 'https://api.telnyx.com/v2',
      TELNYX_API_KEY: 'KEY123',
      TELNYX_PUBLIC_KEY: PUBLIC_KEY,
    });
    expect(settings.telnyx).toEqual({
      kind: 'external',
      apiUrl: 'https://api.telnyx.com/v2',
      apiKey: 'KEY123',
      publicKey: PUBLIC_KEY,
    });
  });

  it('gives the handlers the live endpoints, but keeps a WEBHOOK_URL and PUBLIC_URL that were set', () => {
    const live = {
      standIns: { FAX_BUCKET: 'b', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' },
      webhookUrl: 'http://127.0.0.1:2/webhooks/telnyx',
      telnyxApiUrl: 'http://127.0.0.1:3/v2',
      telnyxPublicKey: PUBLIC_KEY,
      clientStateSecret: 'c'.repeat(64),
      dispatchQueueUrl: 'http://sqs.us-east-1.localhost:4/000000000000/dispatch',
      faxInQueueUrl: 'http://sqs.us-east-1.localhost:4/000000000000/fax-in',
      publicUrl: 'http://127.0.0.1:2',
    };
    const local = handlerEnv(loadLocalSettings({}), live);
    expect(local).toMatchObject({
      FAX_BUCKET: 'b',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1',
      WEBHOOK_URL: live.webhookUrl,
      TELNYX_API_URL: live.telnyxApiUrl,
      TELNYX_PUBLIC_KEY: PUBLIC_KEY,
      CLIENT_STATE_SECRET: 'c'.repeat(64),
      DISPATCH_QUEUE_URL: live.dispatchQueueUrl,
      FAX_IN_QUEUE_URL: live.faxInQueueUrl,
      PUBLIC_URL: 'http://127.0.0.1:2',
      INBOUND_ROUTES: expect.stringContaining('frontdesk@example.com'),
      REQUIRE_SENDER_AUTH: 'false',
      NOTICE_FROM: 'fax@fax.localhost',
    });
    const tunnelled = handlerEnv(
      loadLocalSettings({
        WEBHOOK_URL: 'https://tunnel.example.com/webhooks/telnyx',
        PUBLIC_URL: 'https://tunnel.example.com',
      }),
      live,
    );
    expect(tunnelled.WEBHOOK_URL).toBe('https://tunnel.example.com/webhooks/telnyx');
    expect(tunnelled.PUBLIC_URL).toBe('https://tunnel.example.com');
  });

  it('makes the client_state key once per data dir, readable by this user alone', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-key-'));
    try {
      const [first, twin] = await Promise.all([clientStateKey(dataDir), clientStateKey(dataDir)]);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(twin).toBe(first);
      // A restart finds the same key, so webhooks about faxes sent before it still verify.
      expect(await clientStateKey(dataDir)).toBe(first);
      const { mode } = await stat(path.join(dataDir, 'client-state.key'));
      expect(mode & 0o777).toBe(0o600);
      const other = await mkdtemp(path.join(tmpdir(), 'fax-bridge-key-'));
      expect(await clientStateKey(other)).not.toBe(first);
      await rm(other, { recursive: true, force: true });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
