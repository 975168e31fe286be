import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTiff } from '../../../fixtures/documents';
import { LOCAL_DEFAULTS } from '../../../local/settings';
import { startTelnyxEmulator, type TelnyxEmulator } from '../../../local/telnyx-emulator';
import { repoRoot } from '../../support/paths';
import { startTestServer, type TestServer } from './http-fixtures';

const run = promisify(execFile);
const sample = path.join(repoRoot, 'local', 'samples', 'referral.pdf');
let dir = '';
let textFile = '';
let tiffFile = '';
let emulator: TelnyxEmulator;
let hooks: TestServer;
let emulatorPort = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-receive-'));
  textFile = path.join(dir, 'notes.txt');
  tiffFile = path.join(dir, 'scan.tif');
  await writeFile(textFile, 'not a fax');
  await writeFile(tiffFile, makeTiff(40, 20, { pages: 2 }));
  hooks = await startTestServer();
  emulator = await startTelnyxEmulator({
    apiKey: LOCAL_DEFAULTS.TELNYX_API_KEY,
    defaultWebhookUrl: `${hooks.url}/webhooks/telnyx`,
  });
  emulatorPort = new URL(emulator.url).port;
});

afterAll(async () => {
  await emulator.stop();
  await hooks.close();
  await rm(dir, { recursive: true, force: true });
});

async function receive(args: string[], port = emulatorPort) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'local', 'receive.ts'), ...args],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH, LOCAL_TELNYX_PORT: port, LOCAL_DATA_DIR: dir },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run receive', () => {
  it.each([
    [['--from', '+13125551234'], 'name the file the caller faxes'],
    [['--from', '+13125551234', 'nowhere.pdf'], 'nowhere.pdf: no such file'],
    [[sample], "give the caller's number with --from"],
    [['--from', '555-1234', sample], '--from 555-1234 is not a number in E.164 form'],
    [['--from', '+13125551234', '--shape', 'sideways', sample], 'must be received or delivered'],
    [
      ['--from', '+13125551234', '--expire-link-after', 'soon', sample],
      '--expire-link-after soon must be a whole number',
    ],
    [['--from', '+13125551234', sample, sample], 'name one file'],
  ])(
    'refuses %j with the reason, the usage and exit 2, receiving nothing',
    async (args, reason) => {
      const before = emulator.faxes().length;
      const result = await receive(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(reason);
      expect(result.stderr).toContain('usage: npm run receive');
      expect(emulator.faxes().length).toBe(before);
    },
  );

  it('refuses a file that is neither a PDF nor a TIFF', async () => {
    const result = await receive(['--from', '+13125551234', textFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('notes.txt is neither a PDF nor a TIFF');
  });

  it('says how to start the bridge when nothing listens', async () => {
    const result = await receive(['--from', '+13125551234', sample], '1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Nothing answers on 127.0.0.1:1: start the bridge with npm start',
    );
  });

  it('makes the emulator receive the file and prints each webhook and its answer', async () => {
    const result = await receive([
      tiffFile,
      '--from',
      '+1 (312) 555-1234',
      '--to',
      '+13125550100',
      '--shape',
      'delivered',
      '--expire-link-after',
      '1000',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const fax = emulator.faxes().at(-1);
    expect(fax).toMatchObject({
      direction: 'inbound',
      from: '+13125551234',
      to: '+13125550100',
      page_count: 2,
    });
    expect(result.stdout).toContain(`received fax ${fax?.id}, 2 pages`);
    expect(result.stdout).toContain('fax.receiving.started (attempt 1) answered 200');
    expect(result.stdout).toContain('fax.delivered (attempt 1) answered 200');
  });

  it('sends a failed fax, without a file, to the bridge’s own number by default', async () => {
    const result = await receive(['--from', '+13125551234', '--fail', 'sender_call_dropped']);
    expect(result.code).toBe(0);
    expect(emulator.faxes().at(-1)).toMatchObject({
      direction: 'inbound',
      to: LOCAL_DEFAULTS.FAX_FROM_NUMBER,
      status: 'failed',
      failure_reason: 'sender_call_dropped',
    });
    expect(result.stdout).toContain('fax.failed (attempt 1) answered 200');
  });
});
