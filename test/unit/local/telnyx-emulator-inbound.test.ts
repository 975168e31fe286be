import { createPublicKey, verify } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTiff } from '../../../fixtures/documents';
import {
  type EmulatorOptions,
  startTelnyxEmulator,
  type TelnyxEmulator,
} from '../../../local/telnyx-emulator';
import { pdfWithPages, type Received, startTestServer, type TestServer } from './http-fixtures';

const API_KEY = 'KEY-test';
const CALLER = '+13125551234';
const OUR_NUMBER = '+13125550100';

interface Webhook {
  data: { event_type: string; id: string; payload: Record<string, unknown> };
  meta: { attempt: number };
}

let emulator: TelnyxEmulator | undefined;
let hooks: TestServer | undefined;

afterEach(async () => {
  await emulator?.stop();
  await hooks?.close();
  emulator = undefined;
  hooks = undefined;
});

async function start(options: Partial<EmulatorOptions> = {}) {
  hooks = await startTestServer();
  emulator = await startTelnyxEmulator({
    apiKey: API_KEY,
    defaultWebhookUrl: `${hooks.url}/webhooks/telnyx`,
    connectionId: 'fax-app-1',
    ...options,
  });
  return { emulator, hooks };
}

const parse = (received: Received) => JSON.parse(received.body.toString('utf8')) as Webhook;
const webhooks = (server: TestServer) => server.received.map(parse);

const api = (path: string, method = 'GET', key = API_KEY) =>
  fetch(`${emulator?.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });

describe('receiving a fax', () => {
  it('sends fax.receiving.started then fax.received with the media link, signed', async () => {
    const { emulator, hooks } = await start();
    const pdf = await pdfWithPages(3);
    const { fax } = await emulator.receive({ document: pdf, from: CALLER, to: OUR_NUMBER });

    const sent = webhooks(hooks);
    expect(sent.map((w) => w.data.event_type)).toEqual(['fax.receiving.started', 'fax.received']);
    expect(sent[1]?.data.payload).toMatchObject({
      direction: 'inbound',
      fax_id: fax.id,
      from: CALLER,
      to: OUR_NUMBER,
      connection_id: 'fax-app-1',
      status: 'received',
      page_count: 3,
      call_duration_secs: expect.any(Number),
      partial_content: false,
      media_url: expect.stringContaining('/media-in/'),
    });
    const key = createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(emulator.publicKey, 'base64').toString('base64url'),
      },
      format: 'jwk',
    });
    for (const request of hooks.received) {
      const signed = Buffer.from(`${request.headers['telnyx-timestamp']}|${request.body}`);
      const signature = Buffer.from(String(request.headers['telnyx-signature-ed25519']), 'base64');
      expect(verify(null, signed, key, signature)).toBe(true);
    }

    // A plain GET, as of a presigned S3 link: no Telnyx key.
    const download = await fetch(String(sent[1]?.data.payload.media_url));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('in the delivered shape sends fax.delivered, direction inbound, with original_media_url', async () => {
    const { emulator, hooks } = await start();
    await emulator.receive({
      document: await pdfWithPages(2),
      from: CALLER,
      to: OUR_NUMBER,
      shape: 'delivered',
      partial: true,
      callerName: 'Dr. Ortiz',
    });
    const sent = webhooks(hooks);
    expect(sent.map((w) => w.data.event_type)).toEqual(['fax.receiving.started', 'fax.delivered']);
    const payload = sent[1]?.data.payload ?? {};
    expect(payload).toMatchObject({
      direction: 'inbound',
      status: 'delivered',
      page_count: 2,
      partial_content: true,
      caller_id: 'Dr. Ortiz',
      original_media_url: expect.stringContaining('/media-in/'),
    });
    expect(payload).not.toHaveProperty('media_url');
    expect((await fetch(String(payload.original_media_url))).status).toBe(200);
  });

  it('counts the pages of a TIFF and serves it as image/tiff', async () => {
    const { emulator, hooks } = await start();
    const tiff = makeTiff(40, 20, { pages: 4 });
    await emulator.receive({ document: tiff, from: CALLER, to: OUR_NUMBER });
    const payload = webhooks(hooks)[1]?.data.payload ?? {};
    expect(payload.page_count).toBe(4);
    const download = await fetch(String(payload.media_url));
    expect(download.headers.get('content-type')).toBe('image/tiff');
    expect(Buffer.from(await download.arrayBuffer()).equals(tiff)).toBe(true);
  });

  it('sends an inbound fax.failed with the reason, and no media, when the fax fails', async () => {
    const { emulator, hooks } = await start();
    await emulator.receive({ from: CALLER, to: OUR_NUMBER, fail: 'sender_call_dropped' });
    const sent = webhooks(hooks);
    expect(sent.map((w) => w.data.event_type)).toEqual(['fax.receiving.started', 'fax.failed']);
    expect(sent[1]?.data.payload).toMatchObject({
      direction: 'inbound',
      status: 'failed',
      failure_reason: 'sender_call_dropped',
    });
    expect(JSON.stringify(sent)).not.toContain('media');
  });

  it('duplicates and shuffles inbound webhooks as it does outbound ones', async () => {
    const { emulator, hooks } = await start({ duplicateWebhooks: true, shuffleWebhooks: true });
    await emulator.receive({ document: await pdfWithPages(1), from: CALLER, to: OUR_NUMBER });
    const sent = webhooks(hooks);
    expect(sent.map((w) => w.data.event_type)).toEqual([
      'fax.received',
      'fax.received',
      'fax.receiving.started',
      'fax.receiving.started',
    ]);
    expect(sent[0]?.data.id).toBe(sent[1]?.data.id);
  });
});

describe('the media link', () => {
  it('answers 403 once it has expired; refresh gives a new one that GET shows', async () => {
    const { emulator } = await start();
    const pdf = await pdfWithPages(1);
    const { fax } = await emulator.receive({
      document: pdf,
      from: CALLER,
      to: OUR_NUMBER,
      expireLinkAfterMs: 300,
    });
    const first = String(fax.media_url);
    await vi.waitFor(async () => expect((await fetch(first)).status).toBe(403), {
      timeout: 3000,
      interval: 50,
    });
    expect(await (await fetch(first)).text()).toContain('<Code>AccessDenied</Code>');

    expect((await api(`/faxes/${fax.id}/actions/refresh`, 'POST')).status).toBe(200);
    const view = (await (await api(`/faxes/${fax.id}`)).json()) as {
      data: Record<string, unknown>;
    };
    expect(view.data).toMatchObject({ id: fax.id, direction: 'inbound', status: 'received' });
    const fresh = String(view.data.media_url);
    expect(fresh).not.toBe(first);
    const download = await fetch(fresh);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('answers 403 to a link whose expiry was changed', async () => {
    const { emulator } = await start();
    const { fax } = await emulator.receive({
      document: await pdfWithPages(1),
      from: CALLER,
      to: OUR_NUMBER,
    });
    const changed = String(fax.media_url).replace(/expires=(\d+)/, (_m, ms) => `expires=${ms}9`);
    const answer = await fetch(changed);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('SignatureDoesNotMatch');
  });

  it('refresh answers 404 for an unknown fax and 422 for one sent from the account', async () => {
    const { emulator } = await start();
    expect((await api('/faxes/no-such-fax/actions/refresh', 'POST')).status).toBe(404);
    const failed = await emulator.receive({ from: CALLER, to: OUR_NUMBER, fail: 'user_busy' });
    expect((await api(`/faxes/${failed.fax.id}/actions/refresh`, 'POST')).status).toBe(422);
  });
});

describe('POST /_emulator/receive', () => {
  const control = (body: unknown, key = API_KEY) =>
    fetch(`${emulator?.url.replace(/\/v2$/, '')}/_emulator/receive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('receives the fax and answers with it and each webhook delivery', async () => {
    const { emulator, hooks } = await start();
    const document = (await pdfWithPages(2)).toString('base64');
    const answer = await control({ document, from: CALLER, to: OUR_NUMBER, shape: 'delivered' });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as {
      data: Record<string, unknown>;
      meta: { webhooks: { eventType: string; answer: { status: number } }[] };
    };
    expect(body.data).toMatchObject({ direction: 'inbound', from: CALLER, to: OUR_NUMBER });
    expect(body.meta.webhooks.map((w) => [w.eventType, w.answer.status])).toEqual([
      ['fax.receiving.started', 200],
      ['fax.delivered', 200],
    ]);
    expect(hooks.received).toHaveLength(2);
    expect(emulator.faxes()[0]).toMatchObject({ direction: 'inbound', page_count: 2 });
  });

  it('refuses a wrong key with 401 and a request without a document with 422', async () => {
    const { emulator, hooks } = await start();
    expect((await control({ from: CALLER, to: OUR_NUMBER }, 'wrong')).status).toBe(401);
    const refused = await control({ from: CALLER, to: '3125550100' });
    expect(refused.status).toBe(422);
    const { errors } = (await refused.json()) as { errors: { source: { pointer: string } }[] };
    expect(errors.map((e) => e.source.pointer).sort()).toEqual(['/document', '/to']);
    expect(emulator.faxes()).toEqual([]);
    expect(hooks.received).toEqual([]);
  });
});
