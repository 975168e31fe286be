import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SesOutbox, startSesOutbox } from '../../../local/ses-outbox';
import { startTestServer, type TestServer } from './http-fixtures';

let upstream: TestServer | undefined;
let outbox: SesOutbox | undefined;
let dir: string | undefined;

afterEach(async () => {
  await outbox?.stop();
  await upstream?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  outbox = undefined;
  upstream = undefined;
  dir = undefined;
});

async function start() {
  upstream = await startTestServer((request, res) => {
    if (request.path === '/store') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"emails":[]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      '<SendRawEmailResponse><SendRawEmailResult><MessageId>ses-42</MessageId></SendRawEmailResult></SendRawEmailResponse>',
    );
  });
  dir = await mkdtemp(path.join(tmpdir(), 'outbox-'));
  outbox = await startSesOutbox({ port: 0, upstream: upstream.url, outboxDir: dir });
  return { upstream, outbox, dir };
}

const RAW =
  'From: fax@fax.localhost\r\nTo: you@example.com\r\nIn-Reply-To: <a@b>\r\n\r\nDelivered.\r\n';

describe('the SES outbox', () => {
  it('passes a SendRawEmail call through and keeps the exact raw message as an .eml', async () => {
    const { upstream, outbox, dir } = await start();
    const form = new URLSearchParams({
      Action: 'SendRawEmail',
      'Destinations.member.1': 'you@example.com',
      'RawMessage.Data': Buffer.from(RAW).toString('base64'),
    });
    const response = await fetch(outbox.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4 x' },
      body: form.toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<MessageId>ses-42</MessageId>');
    expect(upstream.received[0]?.body.toString()).toBe(form.toString());
    expect(upstream.received[0]?.headers.authorization).toBe('AWS4 x');
    const files = await readdir(dir);
    expect(files).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d-]+Z-ses-42\.eml$/)]);
    expect(await readFile(path.join(dir, files[0] as string), 'utf8')).toBe(RAW);
  });

  it("passes other requests through, such as the stand-in's store, without writing anything", async () => {
    const { outbox, dir } = await start();
    const response = await fetch(`${outbox.url}/store`);
    expect(await response.json()).toEqual({ emails: [] });
    expect(await readdir(dir)).toEqual([]);
  });
});
