import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bridge, startBridge } from '../../local/bridge';
import { type EmulatorActivity, startTelnyxEmulator } from '../../local/telnyx-emulator';
import { bridgeEnv, headline, SENDER, sendFax, waitForReplies } from '../support/bridge-mail';
import { repoRoot } from '../support/paths';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the local bridge, over SMTP and HTTP', () => {
  let dataDir: string;
  let bridge: Bridge;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-e2e-'));
    bridge = await startBridge({ env: await bridgeEnv(dataDir), log: () => {} });
  });

  afterAll(async () => {
    await bridge?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers a fax and emails the sender the result, threaded under the original', async () => {
    const sent = await sendFax(bridge, ['+13125551234@fax.localhost'], {
      subject: 'Delivered one',
    });
    expect(sent.response).toMatch(/^250/);
    const [result, ...more] = await waitForReplies(bridge, SENDER, 'Delivered one', 1);
    expect(more).toHaveLength(0);
    expect(result?.subject).toBe('Fax delivered: Delivered one');
    expect(headline(result)).toBe('Fax delivered to (312) 555-1234: 3 pages, 75 s');
    expect(result?.body.text).toMatch(/^To: +\(312\) 555-1234 \(you wrote \+13125551234\)$/m);
    expect(result?.attachments.map((a) => a.filename)).toEqual([
      'transmission-report-13125551234.pdf',
    ]);
  });

  it('reports a busy line after dialling it RETRY_ATTEMPTS times', async () => {
    await sendFax(bridge, ['+13125550001@fax.localhost'], {
      from: 'busy@example.com',
      subject: 'Busy one',
    });
    const [result, ...more] = await waitForReplies(bridge, 'busy@example.com', 'Busy one', 1);
    expect(more).toHaveLength(0);
    expect(result?.subject).toBe('Fax failed: Busy one');
    expect(headline(result)).toBe(
      'Fax to (312) 555-0001 failed after 3 attempts: the line was busy',
    );
    expect(result?.body.text).toContain('Failure code: user_busy');
    const dials = bridge.emulator?.posts().filter((p) => p.to === '+13125550001');
    expect(dials).toHaveLength(3);
  });

  it('politely refuses a sender who is not allowed, and faxes nothing', async () => {
    const faxesBefore = bridge.emulator?.faxes().length;
    await sendFax(bridge, ['+13125551234@fax.localhost'], {
      from: 'stranger@elsewhere.test',
      subject: 'Stranger',
    });
    const [notice, ...more] = await waitForReplies(
      bridge,
      'stranger@elsewhere.test',
      'Stranger',
      1,
    );
    expect(more).toHaveLength(0);
    expect(notice?.subject).toBe('Fax not sent: Stranger');
    expect(notice?.body.text?.split('\n\n').slice(0, 1)).toEqual(['Your fax was not sent']);
    expect(notice?.body.text?.split('\n\n')[2]).toBe(
      "stranger@elsewhere.test is not on this fax service's list of allowed senders.",
    );
    expect(bridge.emulator?.faxes().length).toBe(faxesBefore);
  });

  it('answers 550 for a domain that is not a fax domain', async () => {
    await expect(sendFax(bridge, ['someone@example.org'])).rejects.toMatchObject({
      responseCode: 550,
    });
  });
});

describe('duplicated and shuffled webhooks', () => {
  let dataDir: string;
  let bridge: Bridge;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-e2e-'));
    const env = await bridgeEnv(dataDir, {
      LOCAL_TELNYX_DUPLICATE_WEBHOOKS: 'true',
      LOCAL_TELNYX_SHUFFLE_WEBHOOKS: 'true',
    });
    bridge = await startBridge({ env, log: () => {} });
  });

  afterAll(async () => {
    await bridge?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('still sends exactly one email per fax', async () => {
    await sendFax(
      bridge,
      ['+13125551234@fax.localhost', '+13125550001@fax.localhost', '+13125550004@fax.localhost'],
      { subject: 'Shuffled' },
    );
    const results = await waitForReplies(bridge, SENDER, 'Shuffled', 3);
    expect(results.map(headline).sort()).toEqual([
      'Fax delivered to (312) 555-1234: 3 pages, 75 s',
      'Fax to (312) 555-0001 failed after 3 attempts: the line was busy',
      'Fax to (312) 555-0004 failed after 3 attempts: the call dropped',
    ]);
  });
});

describe('a restart between the fax request and the webhooks', () => {
  it('loses nothing: the result email still goes out once', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-e2e-'));
    const activity: EmulatorActivity[] = [];
    const emulator = await startTelnyxEmulator({
      apiKey: 'KEY-e2e',
      stepDelayMs: 1000,
      webhookRetry: { attempts: 20, delayMs: 250 },
      onActivity: (a) => activity.push(a),
    });
    const fixed = {
      LOCAL_WEBHOOK_PORT: String(await freePort()),
      LOCAL_S3_PORT: String(await freePort()),
      LOCAL_DYNAMODB_PORT: String(await freePort()),
      TELNYX_API_URL: emulator.url,
      TELNYX_API_KEY: 'KEY-e2e',
      TELNYX_PUBLIC_KEY: emulator.publicKey,
    };
    try {
      const first = await startBridge({ env: await bridgeEnv(dataDir, fixed), log: () => {} });
      await sendFax(first, ['+13125551234@fax.localhost'], { subject: 'Across a restart' });
      const deadline = Date.now() + 10_000;
      while (!activity.some((a) => a.kind === 'download') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await first.stop();
      // Telnyx keeps retrying while the bridge is down.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const second = await startBridge({ env: await bridgeEnv(dataDir, fixed), log: () => {} });
      try {
        const [result, ...more] = await waitForReplies(second, SENDER, 'Across a restart', 1);
        expect(more).toHaveLength(0);
        expect(headline(result)).toBe('Fax delivered to (312) 555-1234: 3 pages, 75 s');
        expect(
          activity.some((a) => a.kind === 'webhook' && !('status' in a.answer)),
          'some webhook found the bridge down',
        ).toBe(true);
      } finally {
        await second.stop();
      }
    } finally {
      await emulator.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm run demo', () => {
  it('exits 0 after showing a delivered fax, a retried one and a busy one', async () => {
    // Never the user's own .local/demo: a test must not overwrite what their demo left.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'demo-'));
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _, ...env } = process.env;
    const run = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'local/demo.ts')],
      { cwd: repoRoot, timeout: 60_000, env: { ...env, CI: 'true', LOCAL_DATA_DIR: dataDir } },
    ).then(
      ({ stdout, stderr }) => ({ code: 0, stdout: `${stdout}\n${stderr}` }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        stdout: `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      }),
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(`data in ${dataDir} (emptied at the start of every demo`);
    expect(run.stdout).not.toContain('NodeVersionSupportWarning');
    expect(run.stdout).not.toMatch(/^\{"level"/m);
    expect(run.stdout).toContain('inbound: document built with 4 pages');
    const logged = await readFile(path.join(dataDir, 'logs', 'functions.jsonl'), 'utf8');
    expect(logged).toContain('"message":"fax request answered"');
    await rm(dataDir, { recursive: true, force: true });
    expect(run.stdout).toContain('fax-bridge local: ready');
    expect(run.stdout).toContain('Fax delivered to (312) 555-0100: 4 pages');
    expect(run.stdout).toContain('Fax delivered to (312) 555-0005');
    expect(run.stdout).toContain('It went through on the second attempt');
    expect(run.stdout).toContain(
      'Fax to (312) 555-0001 failed after 2 attempts: the line was busy',
    );
    expect(run.stdout).toMatch(/webhook: user_busy: attempt 2 in 3 s/);
    expect(run.stdout).toContain('fax-bridge demo: OK');
  }, 90_000);
});
