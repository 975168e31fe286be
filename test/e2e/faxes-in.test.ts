// Faxes in, over HTTP and SMTP in the local mode: the Telnyx emulator receives a fax and sends
// its webhooks to the bridge's endpoint, and what reaches people is read from the SES stand-in.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import nodemailer from 'nodemailer';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf, makeTiff } from '../../fixtures/documents';
import { receivedKey } from '../../functions/adapters/storage-layout';
import { type Bridge, type BridgeOptions, startBridge } from '../../local/bridge';
import type { LogEntry } from '../../local/function-log';
import { localS3Client, type SesStoredEmail } from '../../local/stand-ins';
import type { EmulatorActivity, ReceiveOptions, TelnyxEmulator } from '../../local/telnyx-emulator';
import { bridgeEnv, waitForReplies } from '../support/bridge-mail';

const ATTACH = '+13125550100';
const LINK = '+13125550110';
const NOTIFY = '+13125550120';
const UNROUTED = '+13125550130';
const BLOCKED = '+13125556666';
const CALLER = '+13125551234';

const ROUTES = JSON.stringify({
  [ATTACH]: { to: ['frontdesk@example.com', 'dr.ortiz@example.com'], delivery: 'attach' },
  [LINK]: { to: ['records@example.com'], delivery: 'link' },
  [NOTIFY]: { to: ['desk@example.com'], delivery: 'notify' },
});

const pagesOf = async (bytes: Uint8Array) => (await PDFDocument.load(bytes)).getPageCount();
const attachedPdf = (email: SesStoredEmail | undefined) =>
  Buffer.from(
    email?.attachments.find((a) => a.filename?.endsWith('.pdf'))?.content ?? '',
    'base64',
  );

/** The emails about one fax, once `count` arrived and no more came in a quiet moment. */
async function emailsAbout(bridge: Bridge, faxId: string, count: number) {
  const about = async () =>
    (await bridge.sentEmails()).filter((e) => e.body.text?.includes(`Fax id: ${faxId}`));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && (await about()).length < count) await sleep(100);
  await sleep(500);
  return about();
}

async function startInboundBridge(
  extra: Record<string, string>,
  watch: Pick<BridgeOptions, 'onLogEntry' | 'onTelnyxActivity'> = {},
) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-faxes-in-'));
  const bridge = await startBridge({
    env: await bridgeEnv(dataDir, extra),
    log: () => {},
    ...watch,
  });
  return { bridge, dataDir };
}

describe('faxes in, routed by number', () => {
  let bridge: Bridge;
  let emulator: TelnyxEmulator;
  let dataDir: string;
  const logs: LogEntry[] = [];
  const activity: EmulatorActivity[] = [];

  const receive = async (options: Partial<ReceiveOptions> & { to: string }) => {
    const { fax } = await emulator.receive({
      document: await makePdf(2),
      from: CALLER,
      ...options,
    });
    return fax.id;
  };

  beforeAll(async () => {
    ({ bridge, dataDir } = await startInboundBridge(
      { INBOUND_ROUTES: ROUTES, INBOUND_BLOCKED_NUMBERS: BLOCKED, POWERTOOLS_LOG_LEVEL: 'INFO' },
      { onLogEntry: (entry) => logs.push(entry), onTelnyxActivity: (a) => activity.push(a) },
    ));
    emulator = bridge.emulator as TelnyxEmulator;
  });

  afterAll(async () => {
    await bridge?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['fax.received', 'received'],
    ['inbound fax.delivered', 'delivered'],
  ] as const)(
    'emails each address of the route once for %s, the PDF attached',
    async (_n, shape) => {
      const faxId = await receive({ to: ATTACH, shape, callerName: 'Dr. Ortiz' });
      const emails = await emailsAbout(bridge, faxId, 2);
      expect(emails.map((e) => e.destination.to).sort()).toEqual([
        ['dr.ortiz@example.com'],
        ['frontdesk@example.com'],
      ]);
      for (const email of emails) {
        expect(email.subject).toBe('Fax from Dr. Ortiz (+1 312-555-1234), 2 pages');
        expect(email.from).toContain('fax@fax.localhost');
        expect(email.replyTo).toEqual([`${CALLER}@fax.localhost`]);
        expect(email.attachments.map((a) => a.filename)).toEqual([
          expect.stringMatching(/^fax-13125551234-\d{4}-\d\d-\d\d\.pdf$/),
        ]);
        expect(await pagesOf(attachedPdf(email))).toBe(2);
      }
    },
  );

  it('marks the email Auto-Submitted: auto-generated', async () => {
    const faxId = await receive({ to: NOTIFY });
    await emailsAbout(bridge, faxId, 1);
    const outbox = path.join(dataDir, 'outbox');
    const files = await Promise.all(
      (await readdir(outbox)).map((name) => readFile(path.join(outbox, name), 'utf8')),
    );
    const raw = files.find((text) => text.includes(faxId)) ?? '';
    expect(raw).toMatch(/^Auto-Submitted: auto-generated\r?$/m);
  });

  it('links to the fax in link mode: the link downloads it, a changed one gets 403', async () => {
    const faxId = await receive({ to: LINK });
    const [email, ...more] = await emailsAbout(bridge, faxId, 1);
    expect(more).toEqual([]);
    expect(email?.destination.to).toEqual(['records@example.com']);
    expect(email?.attachments).toEqual([]);
    const link = /https?:\/\/\S+\/faxes-in\/[A-Za-z0-9_.-]+/.exec(email?.body.text ?? '')?.[0];
    expect(link).toBeDefined();
    const download = await fetch(link as string);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('cache-control')).toBe('no-store');
    expect(await pagesOf(new Uint8Array(await download.arrayBuffer()))).toBe(2);
    const last = (link as string).slice(-1);
    const changed = `${(link as string).slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    expect((await fetch(changed)).status).toBe(403);
  });

  it('sends neither the document nor a link in notify mode', async () => {
    const faxId = await receive({ to: NOTIFY });
    const [email, ...more] = await emailsAbout(bridge, faxId, 1);
    expect(more).toEqual([]);
    expect(email?.destination.to).toEqual(['desk@example.com']);
    expect(email?.subject).toBe('Fax from +1 312-555-1234, 2 pages');
    expect(email?.attachments).toEqual([]);
    expect(`${email?.body.text}${email?.body.html}`).not.toContain('/faxes-in/');
  });

  it('refreshes an expired media link and still delivers the fax', async () => {
    const faxId = await receive({ to: ATTACH, expireLinkAfterMs: 0 });
    const emails = await emailsAbout(bridge, faxId, 2);
    expect(emails).toHaveLength(2);
    expect(await pagesOf(attachedPdf(emails[0]))).toBe(2);
    const mine = activity.filter((a) => 'faxId' in a && a.faxId === faxId);
    expect(mine).toContainEqual(
      expect.objectContaining({
        kind: 'request',
        method: 'POST',
        path: `/v2/faxes/${faxId}/actions/refresh`,
        status: 200,
      }),
    );
    expect(mine).toContainEqual(expect.objectContaining({ kind: 'media', status: 200 }));
  });

  it('turns a TIFF fax into a PDF of its pages', async () => {
    const faxId = await receive({ to: ATTACH, document: makeTiff(850, 1100, { pages: 3 }) });
    const emails = await emailsAbout(bridge, faxId, 2);
    expect(emails).toHaveLength(2);
    expect(emails[0]?.subject).toBe('Fax from +1 312-555-1234, 3 pages');
    expect(await pagesOf(attachedPdf(emails[0]))).toBe(3);
  });

  it('stores a fax for a number without a route, emails nobody, and logs it as an error', async () => {
    const faxId = await receive({ to: UNROUTED });
    await bridge.faxIn.idle();
    expect(await emailsAbout(bridge, faxId, 0)).toEqual([]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        faxId,
        message: expect.stringContaining('has no route'),
      }),
    );
    const s3 = localS3Client(bridge.urls.s3, bridge.standIns.env.AWS_REGION);
    try {
      const stored = await s3.send(
        new GetObjectCommand({ Bucket: bridge.settings.bucket, Key: receivedKey(faxId) }),
      );
      expect(
        await pagesOf(
          await (
            stored.Body as { transformToByteArray(): Promise<Uint8Array> }
          ).transformToByteArray(),
        ),
      ).toBe(2);
    } finally {
      s3.destroy();
    }
  });

  it('stores but does not email a fax from a blocked caller', async () => {
    const faxId = await receive({ to: ATTACH, from: BLOCKED });
    await bridge.faxIn.idle();
    expect(await emailsAbout(bridge, faxId, 0)).toEqual([]);
    expect(logs).toContainEqual(
      expect.objectContaining({ faxId, message: expect.stringContaining('blocked number') }),
    );
  });

  it('tells the route, once each, of a fax that did not arrive', async () => {
    const { fax } = await emulator.receive({
      from: CALLER,
      to: ATTACH,
      fail: 'sender_call_dropped',
    });
    const emails = await emailsAbout(bridge, fax.id, 2);
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([
      'dr.ortiz@example.com',
      'frontdesk@example.com',
    ]);
    expect(emails[0]?.subject).toBe('Fax from +1 312-555-1234 did not arrive');
    expect(emails[0]?.body.text).toContain(
      'A fax from +1 312-555-1234 to +1 312-555-0100 did not arrive',
    );
  });

  it('faxes a reply to the email back to the caller, once', async () => {
    const caller = '+13125557777';
    const faxId = await receive({ to: NOTIFY, from: caller });
    const [email] = await emailsAbout(bridge, faxId, 1);
    const replyTo = email?.replyTo[0] as string;
    expect(replyTo).toBe(`${caller}@fax.localhost`);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: bridge.smtpPort });
    try {
      await transport.sendMail({
        from: 'desk@example.com',
        to: replyTo,
        subject: 'Re: Fax back',
        text: `Signed form attached.\n\nOn Tue, 1 Dec 2026 at 11:05, fax@fax.localhost wrote:\n> ${email?.body.text?.split('\n').join('\n> ')}`,
        attachments: [{ filename: 'signed.pdf', content: await makePdf(1) }],
      });
    } finally {
      transport.close();
    }
    const [result, ...more] = await waitForReplies(bridge, 'desk@example.com', 'Re: Fax back', 1);
    expect(more).toEqual([]);
    expect(result?.subject).toBe('Fax delivered: Re: Fax back');
    const posts = emulator.posts().filter((p) => p.to === caller);
    expect(posts.map((p) => p.status)).toEqual([202]);
  });
});

describe('duplicated and shuffled inbound webhooks', () => {
  let bridge: Bridge;
  let dataDir: string;

  beforeAll(async () => {
    ({ bridge, dataDir } = await startInboundBridge({
      INBOUND_ROUTES: JSON.stringify({
        '*': { to: ['frontdesk@example.com', 'admin@example.com'], delivery: 'attach' },
      }),
      LOCAL_TELNYX_DUPLICATE_WEBHOOKS: 'true',
      LOCAL_TELNYX_SHUFFLE_WEBHOOKS: 'true',
    }));
  });

  afterAll(async () => {
    await bridge?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each(['received', 'delivered'] as const)(
    'still email each recipient once (%s shape)',
    async (shape) => {
      const emulator = bridge.emulator as TelnyxEmulator;
      const { fax, webhooks } = await emulator.receive({
        document: await makePdf(1),
        from: CALLER,
        to: ATTACH,
        shape,
      });
      expect(webhooks.filter((w) => 'status' in w.answer && w.answer.status === 200)).toHaveLength(
        4,
      );
      const emails = await emailsAbout(bridge, fax.id, 2);
      expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([
        'admin@example.com',
        'frontdesk@example.com',
      ]);
    },
  );
});
