import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../../local/listen';
import { repoRoot } from '../../support/paths';

const run = promisify(execFile);
const sample = path.join(repoRoot, 'local', 'samples', 'referral.pdf');
let smtpPort = 0;
const rcptTo: string[] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onRcptTo(address, _session, callback) {
    rcptTo.push(address.address);
    callback();
  },
  onData(stream, _session, callback) {
    stream.resume();
    stream.on('end', () => callback(null, 'Ok: queued as test'));
  },
});

beforeAll(async () => {
  smtpPort = await listen(server.server, 0, '127.0.0.1', 'LOCAL_SMTP_PORT');
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function send(...args: string[]) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'local', 'send.ts'), ...args],
      { cwd: repoRoot, env: { PATH: process.env.PATH, LOCAL_SMTP_PORT: String(smtpPort) } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run send', () => {
  it.each([
    [
      ['--to', '+13125551234', '--from', 'notanemail', sample],
      '--from notanemail is not an email address',
    ],
    [['--to', '+13125551234'], 'name at least one file to fax'],
    [['--to', '+13125551234', 'nowhere.pdf'], 'nowhere.pdf: no such file'],
    [['--too', '+13125551234', sample], "Unknown option '--too'"],
    [[sample], 'give at least one --to number'],
  ])('refuses %j with the reason, the usage and exit 2, sending nothing', async (args, reason) => {
    const before = rcptTo.length;
    const result = await send(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(reason);
    expect(result.stderr).toContain('usage: npm run send');
    expect(result.stderr).toContain('--text');
    expect(rcptTo.length).toBe(before);
  });

  it('keeps the area code of a number written (312) 555-1264', async () => {
    const result = await send('--to', '(312) 555-1264', sample);
    expect(result.code).toBe(0);
    expect(rcptTo.at(-1)).toBe('312555-1264@fax.localhost');
  });

  it('warns when the sender is not allowed, so a refusal is no surprise', async () => {
    const result = await send('--to', '+13125551234', '--from', 'eve@elsewhere.example', sample);
    expect(result.stdout).toContain('eve@elsewhere.example is not in ALLOWED_SENDERS');
  });
});
