import { createPublicKey, verify } from 'node:crypto';
import Telnyx from 'telnyx';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type EmulatorActivity,
  type EmulatorOptions,
  startTelnyxEmulator,
  type TelnyxEmulator,
} from '../../../local/telnyx-emulator';
import { pdfWithPages, type Received, startTestServer, type TestServer } from './http-fixtures';

const API_KEY = 'KEY-test';
const CLIENT_STATE = Buffer.from('{"m":"msg-1","r":"+13125550100"}').toString('base64');
const DOCUMENTED_ORDER = ['fax.queued', 'fax.media.processed', 'fax.sending.started'];

interface Webhook {
  data: {
    event_type: string;
    id: string;
    occurred_at: string;
    record_type: string;
    payload: Record<string, unknown>;
  };
  meta: { attempt: number; delivered_to: string };
}

interface ApiBody {
  data: Record<string, unknown> & { id: string };
  errors: Record<string, unknown>[];
}

let media: TestServer;
let emulator: TelnyxEmulator | undefined;
let hooks: TestServer | undefined;

beforeAll(async () => {
  const threePages = await pdfWithPages(3);
  const tooManyPages = await pdfWithPages(351);
  media = await startTestServer((request, res) => {
    if (request.path === '/doc.pdf') {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(threePages);
    } else if (request.path === '/long.pdf') {
      res.end(tooManyPages);
    } else if (request.path === '/redirect') {
      res.writeHead(302, { location: '/doc.pdf' });
      res.end();
    } else if (request.path === '/text') {
      res.end('Hello, I am not a PDF');
    } else if (request.path === '/huge') {
      res.writeHead(200, { 'content-length': String(51 * 1024 * 1024) });
      res.write('%PDF-1.7\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});

afterAll(() => media.close());

afterEach(async () => {
  await emulator?.stop();
  await hooks?.close();
  emulator = undefined;
  hooks = undefined;
});

async function start(
  options: Partial<EmulatorOptions> = {},
  respond?: Parameters<typeof startTestServer>[0],
) {
  hooks = await startTestServer(respond);
  emulator = await startTelnyxEmulator({ apiKey: API_KEY, ...options });
  return { emulator, hooks };
}

function faxRequest(overrides: Record<string, unknown> = {}) {
  return {
    connection_id: '234423',
    from: '+13125790015',
    to: '+13125551234',
    media_url: `${media.url}/doc.pdf`,
    webhook_url: `${hooks?.url}/webhooks/telnyx`,
    client_state: CLIENT_STATE,
    ...overrides,
  };
}

async function post(body: unknown, key = API_KEY) {
  const response = await fetch(`${emulator?.url}/faxes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ApiBody };
}

const parse = (received: Received) => JSON.parse(received.body.toString('utf8')) as Webhook;
const eventTypes = (server: TestServer) => server.received.map((r) => parse(r).data.event_type);

async function webhooksFor(server: TestServer, count: number) {
  await vi.waitFor(() => expect(server.received.length).toBeGreaterThanOrEqual(count), {
    timeout: 10_000,
    interval: 20,
  });
  return server.received.map(parse);
}

describe('authentication', () => {
  it('answers 401 in Telnyx error shape when the key is wrong or missing', async () => {
    await start();
    const wrong = await post(faxRequest(), 'not-the-key');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      errors: [expect.objectContaining({ code: '10009', title: 'Authentication failed' })],
    });
    const missing = await fetch(`${emulator?.url}/faxes/some-id`);
    expect(missing.status).toBe(401);
    expect(emulator?.faxes()).toEqual([]);
  });
});

describe('request validation', () => {
  it.each([
    ['a missing to', { to: undefined }, '/to', '10004'],
    ['an unknown quality', { quality: 'ultra' }, '/quality', '10032'],
    ['black_threshold 0', { black_threshold: 0 }, '/black_threshold', '10033'],
    ['media_url as a list', { media_url: ['https://a.example/x.pdf'] }, '/media_url', '422'],
    ['both media_url and media_name', { media_name: 'doc' }, '/media_name', '422'],
    ['no media at all', { media_url: undefined }, '/media_url', '10004'],
    ['client_state that is not base64', { client_state: 'not base64!' }, '/client_state', '90017'],
    ['a long display name', { from_display_name: 'x'.repeat(129) }, '/from_display_name', '422'],
    ['a from that is not E.164', { from: '3125790015' }, '/from', '10016'],
    [
      'store_media with media_name',
      { media_url: undefined, media_name: 'd', store_media: true },
      '/store_media',
      '422',
    ],
    ['a destination ending 0003', { to: '+13125550003' }, '/to', '422'],
  ])('refuses %s with 422 and a pointer to the field', async (_name, overrides, pointer, code) => {
    await start();
    const { status, body } = await post(faxRequest(overrides));
    expect(status).toBe(422);
    expect(body.errors).toContainEqual(
      expect.objectContaining({ code, title: expect.any(String), source: { pointer } }),
    );
    expect(emulator?.faxes()).toEqual([]);
  });

  it('answers 400 to a body that is not JSON', async () => {
    await start();
    const response = await fetch(`${emulator?.url}/faxes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: '{"to":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [expect.objectContaining({ code: '10023' })] });
  });
});

describe('sending a fax', () => {
  it('answers 202 with a queued Fax object', async () => {
    await start();
    const { status, body } = await post(faxRequest({ quality: 'very_high' }));
    expect(status).toBe(202);
    expect(body.data).toMatchObject({
      record_type: 'fax',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      connection_id: '234423',
      direction: 'outbound',
      from: '+13125790015',
      to: '+13125551234',
      media_url: `${media.url}/doc.pdf`,
      quality: 'very_high',
      status: 'queued',
      client_state: CLIENT_STATE,
      failure_reason: null,
    });
  });

  it('sends signed webhooks in order, ending in delivered with pages and duration', async () => {
    const { emulator, hooks } = await start();
    const { body } = await post(faxRequest());
    const webhooks = await webhooksFor(hooks, 4);
    expect(webhooks.map((w) => w.data.event_type)).toEqual([...DOCUMENTED_ORDER, 'fax.delivered']);
    expect(webhooks.map((w) => w.data.payload.status)).toEqual([
      'queued',
      'media.processed',
      'sending',
      'delivered',
    ]);
    const key = createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(emulator.publicKey, 'base64').toString('base64url'),
      },
      format: 'jwk',
    });
    for (const received of hooks.received) {
      const timestamp = received.headers['telnyx-timestamp'] as string;
      const signature = Buffer.from(
        received.headers['telnyx-signature-ed25519'] as string,
        'base64',
      );
      const message = Buffer.from(`${timestamp}|${received.body.toString('utf8')}`);
      expect(verify(null, message, key, signature)).toBe(true);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    }
    const last = webhooks[3] as Webhook;
    expect(last.meta).toEqual({ attempt: 1, delivered_to: `${hooks.url}/webhooks/telnyx` });
    expect(last.data).toMatchObject({
      record_type: 'event',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      payload: {
        fax_id: body.data.id,
        client_state: CLIENT_STATE,
        connection_id: '234423',
        direction: 'outbound',
        from: '+13125790015',
        to: '+13125551234',
        original_media_url: `${media.url}/doc.pdf`,
        user_id: expect.any(String),
        page_count: 3,
        call_duration_secs: 75,
      },
    });
    expect(new Set(webhooks.map((w) => w.data.id)).size).toBe(4);
  });

  it('flags a signature over a changed body as invalid', async () => {
    const { emulator, hooks } = await start();
    await post(faxRequest());
    await webhooksFor(hooks, 1);
    const received = hooks.received[0] as Received;
    const key = createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(emulator.publicKey, 'base64').toString('base64url'),
      },
      format: 'jwk',
    });
    const signature = Buffer.from(received.headers['telnyx-signature-ed25519'] as string, 'base64');
    const tampered = Buffer.from(`${received.headers['telnyx-timestamp']}|${received.body} `);
    expect(verify(null, tampered, key, signature)).toBe(false);
  });

  it('works with the official Telnyx SDK, which sends the fax and verifies the webhooks', async () => {
    const { emulator, hooks } = await start();
    const client = new Telnyx({
      apiKey: API_KEY,
      publicKey: emulator.publicKey,
      baseURL: emulator.url,
      maxRetries: 0,
    });
    const sent = await client.faxes.create(faxRequest());
    expect(sent.data).toMatchObject({ status: 'queued', to: '+13125551234' });
    await webhooksFor(hooks, 4);
    for (const received of hooks.received) {
      const event = await client.webhooks.unwrap(received.body.toString('utf8'), {
        headers: received.headers as Record<string, string>,
      });
      expect(event).toMatchObject({ data: { payload: { fax_id: sent.data?.id } } });
    }
  });

  it.each([
    ['+13125550001', 'user_busy'],
    ['+13125550002', 'receiver_no_answer'],
    ['+13125550004', 'receiver_call_dropped'],
  ])('fails a fax to %s after sending started, with %s', async (to, reason) => {
    const { emulator, hooks } = await start();
    await post(faxRequest({ to }));
    const webhooks = await webhooksFor(hooks, 4);
    expect(webhooks.map((w) => w.data.event_type)).toEqual([...DOCUMENTED_ORDER, 'fax.failed']);
    expect(webhooks[3]?.data.payload).toMatchObject({ status: 'failed', failure_reason: reason });
    expect(webhooks[3]?.data.payload).not.toHaveProperty('page_count');
    expect(emulator.faxes()[0]).toMatchObject({ status: 'failed', failure_reason: reason });
  });

  it.each([
    ['a redirect', '/redirect', 'file_download_failed'],
    ['a 404', '/missing.pdf', 'file_download_failed'],
    ['a file that is not a PDF', '/text', 'file_format_invalid'],
    ['a PDF over 350 pages', '/long.pdf', 'page_count_limit_exceeded'],
    ['a file over 50 MB', '/huge', 'file_size_limit_exceeded'],
  ])('fails a fax whose media is %s with %s, right after queued', async (_name, path, reason) => {
    const { hooks } = await start();
    await post(faxRequest({ media_url: `${media.url}${path}` }));
    const webhooks = await webhooksFor(hooks, 2);
    expect(webhooks.map((w) => w.data.event_type)).toEqual(['fax.queued', 'fax.failed']);
    expect(webhooks[1]?.data.payload.failure_reason).toBe(reason);
  });

  it('reports the current state at GET /v2/faxes/{id}, and 404 for an unknown id', async () => {
    const { hooks } = await start();
    const { body } = await post(faxRequest());
    await webhooksFor(hooks, 4);
    const headers = { authorization: `Bearer ${API_KEY}` };
    const view = await fetch(`${emulator?.url}/faxes/${body.data.id}`, { headers });
    expect(view.status).toBe(200);
    expect(((await view.json()) as ApiBody).data).toMatchObject({
      id: body.data.id,
      status: 'delivered',
    });
    const unknown = await fetch(`${emulator?.url}/faxes/00000000-0000-4000-8000-000000000000`, {
      headers,
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ errors: [expect.objectContaining({ code: '404' })] });
  });

  it('reports requests, the download and each webhook to onActivity', async () => {
    const activity: EmulatorActivity[] = [];
    const { hooks } = await start({ onActivity: (a) => activity.push(a) });
    await post(faxRequest());
    await webhooksFor(hooks, 4);
    await vi.waitFor(() => expect(activity.filter((a) => a.kind === 'webhook')).toHaveLength(4));
    expect(activity[0]).toMatchObject({ kind: 'request', path: '/v2/faxes', status: 202 });
    expect(activity.filter((a) => a.kind === 'download')).toMatchObject([
      { url: `${media.url}/doc.pdf`, result: { kind: 'ok', pages: 3 } },
    ]);
    expect(activity.at(-1)).toMatchObject({
      kind: 'webhook',
      eventType: 'fax.delivered',
      attempt: 1,
      answer: { status: 200 },
    });
  });
});

describe('webhook delivery options', () => {
  it('sends each webhook twice, with the same event id, when asked', async () => {
    const { hooks } = await start({ duplicateWebhooks: true });
    await post(faxRequest());
    const webhooks = await webhooksFor(hooks, 8);
    expect(webhooks.map((w) => w.data.event_type)).toEqual(
      [...DOCUMENTED_ORDER, 'fax.delivered'].flatMap((type) => [type, type]),
    );
    for (let i = 0; i < 8; i += 2) expect(webhooks[i]?.data.id).toBe(webhooks[i + 1]?.data.id);
  });

  it('sends the same webhooks out of order when asked to shuffle', async () => {
    const { hooks } = await start({ shuffleWebhooks: true });
    await post(faxRequest());
    await webhooksFor(hooks, 4);
    const types = eventTypes(hooks);
    expect(types).not.toEqual([...DOCUMENTED_ORDER, 'fax.delivered']);
    expect([...types].sort()).toEqual([...DOCUMENTED_ORDER, 'fax.delivered'].sort());
  });

  it('retries a webhook the endpoint refused, with attempt 2, and keeps later ones behind it', async () => {
    let calls = 0;
    const { hooks } = await start({ webhookRetry: { attempts: 3, delayMs: 10 } }, (_r, res) => {
      calls += 1;
      res.writeHead(calls === 1 ? 503 : 200);
      res.end();
    });
    await post(faxRequest());
    const webhooks = await webhooksFor(hooks, 5);
    expect(webhooks.map((w) => [w.data.event_type, w.meta.attempt])).toEqual([
      ['fax.queued', 1],
      ['fax.queued', 2],
      ['fax.media.processed', 1],
      ['fax.sending.started', 1],
      ['fax.delivered', 1],
    ]);
    expect(webhooks[0]?.data.id).toBe(webhooks[1]?.data.id);
  });

  it('retries a webhook whose endpoint was not listening yet', async () => {
    const closed = await startTestServer();
    const url = `${closed.url}/webhooks/telnyx`;
    await closed.close();
    const activity: EmulatorActivity[] = [];
    await start({
      webhookRetry: { attempts: 2, delayMs: 10 },
      onActivity: (a) => activity.push(a),
    });
    await post(faxRequest({ webhook_url: url }));
    await vi.waitFor(() =>
      expect(activity.filter((a) => a.kind === 'webhook' && !a.willRetry)).toHaveLength(4),
    );
    const first = activity.filter((a) => a.kind === 'webhook').slice(0, 2);
    expect(first).toMatchObject([
      {
        eventType: 'fax.queued',
        attempt: 1,
        answer: { error: expect.any(String) },
        willRetry: true,
      },
      { eventType: 'fax.queued', attempt: 2, willRetry: false },
    ]);
  });
});
