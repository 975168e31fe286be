// The emulator's channel limit, the outcomes that depend on earlier dials, lost webhooks, 429s
// and the fax list: what the dispatch queue and the sweeper are tested against.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TelnyxClient } from '../../../functions/adapters/telnyx-client';
import {
  type EmulatorOptions,
  startTelnyxEmulator,
  type TelnyxEmulator,
} from '../../../local/telnyx-emulator';
import { pdfWithPages, type Received, startTestServer, type TestServer } from './http-fixtures';

const API_KEY = 'KEY-test';
const CLIENT_STATE = Buffer.from('{"m":"msg-1"}').toString('base64');

interface Webhook {
  data: { event_type: string; payload: Record<string, unknown> };
}

let media: TestServer;
let emulator: TelnyxEmulator;
let hooks: TestServer;

beforeAll(async () => {
  const twoPages = await pdfWithPages(2);
  media = await startTestServer((_request, res) => {
    res.writeHead(200, { 'content-type': 'application/pdf' });
    res.end(twoPages);
  });
});

afterAll(() => media.close());

afterEach(async () => {
  await emulator?.stop();
  await hooks?.close();
});

async function start(options: Partial<EmulatorOptions> = {}) {
  hooks = await startTestServer();
  emulator = await startTelnyxEmulator({ apiKey: API_KEY, stepDelayMs: 20, ...options });
}

const faxRequest = (to: string, overrides: Record<string, unknown> = {}) => ({
  connection_id: '234423',
  from: '+13125790015',
  to,
  media_url: `${media.url}/doc.pdf`,
  webhook_url: `${hooks.url}/webhooks/telnyx`,
  client_state: CLIENT_STATE,
  ...overrides,
});

async function post(body: unknown) {
  const response = await fetch(`${emulator.url}/faxes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { data: { id: string }; errors: Record<string, unknown>[] },
  };
}

async function get(pathAndQuery: string) {
  const response = await fetch(`${emulator.url}${pathAndQuery}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const parse = (received: Received) => JSON.parse(received.body.toString('utf8')) as Webhook;

/** The final event each fax got by webhook, by fax id. */
function finals() {
  const result = new Map<string, { type: string; reason?: unknown }>();
  for (const { data } of hooks.received.map(parse)) {
    if (data.event_type === 'fax.delivered' || data.event_type === 'fax.failed') {
      result.set(data.payload.fax_id as string, {
        type: data.event_type,
        reason: data.payload.failure_reason,
      });
    }
  }
  return result;
}

async function untilFinal(count: number) {
  await vi.waitFor(() => expect(finals().size).toBe(count), { timeout: 10_000, interval: 20 });
  return finals();
}

describe('the channel limit', () => {
  it('accepts a third fax while two are in calls, then fails it as Telnyx does', async () => {
    // Steps long enough that no call ends before the third POST arrives.
    await start({ channels: 2, stepDelayMs: 100 });
    const answers = await Promise.all(
      ['+13125551001', '+13125551002', '+13125551003'].map((to) => post(faxRequest(to))),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const outcomes = [...(await untilFinal(3)).values()];
    expect(outcomes.filter((o) => o.type === 'fax.delivered')).toHaveLength(2);
    expect(outcomes.filter((o) => o.type === 'fax.failed')).toEqual([
      { type: 'fax.failed', reason: 'user_channel_limit_exceeded' },
    ]);
    const calls = emulator.calls();
    expect(calls).toMatchObject({
      channels: 2,
      peakInFlight: 2,
      inFlight: 0,
      channelLimitFailures: 1,
    });
    expect(calls.timeline.map((point) => point.inFlight)).toEqual([1, 2, 1, 0]);
    const times = calls.timeline.map((point) => point.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('gives a channel back at the final status, so the next fax gets it', async () => {
    await start({ channels: 1 });
    await post(faxRequest('+13125551001'));
    await untilFinal(1);
    await post(faxRequest('+13125551002'));
    expect([...(await untilFinal(2)).values()].map((o) => o.type)).toEqual([
      'fax.delivered',
      'fax.delivered',
    ]);
    expect(emulator.calls()).toMatchObject({ peakInFlight: 1, channelLimitFailures: 0 });
  });

  it('holds a channel through the whole call, however long its steps take', async () => {
    await start({ channels: 1, stepDelayMs: 150 });
    await post(faxRequest('+13125551001'));
    await vi.waitFor(() =>
      expect(hooks.received.map(parse).map((w) => w.data.event_type)).toContain(
        'fax.sending.started',
      ),
    );
    await post(faxRequest('+13125551002'));
    const outcomes = [...(await untilFinal(2)).values()];
    expect(outcomes).toContainEqual({ type: 'fax.failed', reason: 'user_channel_limit_exceeded' });
  });
});

describe('outcomes by number ending', () => {
  it('0005 is busy on the first dial and delivered on the second', async () => {
    await start();
    const first = await post(faxRequest('+13125550005'));
    await untilFinal(1);
    const second = await post(faxRequest('+13125550005'));
    const outcomes = await untilFinal(2);
    expect(outcomes.get(first.body.data.id)).toEqual({ type: 'fax.failed', reason: 'user_busy' });
    expect(outcomes.get(second.body.data.id)).toMatchObject({ type: 'fax.delivered' });
    const events = hooks.received.map(parse).map((w) => w.data.event_type);
    expect(events.slice(0, 4)).toEqual([
      'fax.queued',
      'fax.media.processed',
      'fax.sending.started',
      'fax.failed',
    ]);
  });

  it('0005 counts dials per number, not per ending', async () => {
    await start();
    await post(faxRequest('+13125550005'));
    await untilFinal(1);
    await post(faxRequest('+14155550005'));
    expect([...(await untilFinal(2)).values()]).toEqual([
      { type: 'fax.failed', reason: 'user_busy' },
      { type: 'fax.failed', reason: 'user_busy' },
    ]);
  });

  it('0006 is busy on every dial', async () => {
    await start();
    for (let dial = 1; dial <= 3; dial++) {
      await post(faxRequest('+13125550006'));
      await untilFinal(dial);
    }
    expect(new Set([...finals().values()].map((o) => o.reason))).toEqual(new Set(['user_busy']));
  });

  it('0007 is delivered without a single webhook; GET tells it', async () => {
    await start();
    const { status, body } = await post(faxRequest('+13125550007'));
    expect(status).toBe(202);
    await vi.waitFor(() => expect(emulator.faxes()[0]?.status).toBe('delivered'));
    const view = await get(`/faxes/${body.data.id}`);
    expect(view.body.data).toMatchObject({ status: 'delivered', client_state: CLIENT_STATE });
    // Time enough for any webhook to have arrived.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hooks.received).toEqual([]);
    expect(emulator.calls().inFlight).toBe(0);
  });

  it('0008 answers the first POST 429 with rate-limit headers, then takes and delivers', async () => {
    await start();
    const throttled = await post(faxRequest('+13125550008'));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.headers.get('x-ratelimit-reset')).toBe('1');
    expect(throttled.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(throttled.body.errors).toEqual([
      expect.objectContaining({ code: '10011', title: 'Too many requests' }),
    ]);
    expect(emulator.faxes()).toEqual([]);

    const accepted = await post(faxRequest('+13125550008'));
    expect(accepted.status).toBe(202);
    expect((await untilFinal(1)).get(accepted.body.data.id)).toMatchObject({
      type: 'fax.delivered',
    });
    expect(emulator.posts()).toMatchObject([
      { status: 429, to: '+13125550008', clientState: CLIENT_STATE },
      { status: 202, to: '+13125550008', faxId: accepted.body.data.id },
    ]);
  });
});

describe('what the emulator keeps', () => {
  it('keeps every POST, refused ones and t38_enabled too', async () => {
    await start();
    await post(faxRequest('+13125550003'));
    await post(faxRequest('+13125551234', { t38_enabled: false }));
    await post({ to: 'nothing else' });
    expect(emulator.posts()).toMatchObject([
      { status: 422, to: '+13125550003' },
      { status: 202, to: '+13125551234', t38Enabled: false, faxId: expect.any(String) },
      { status: 422 },
    ]);
  });
});

describe('GET /v2/faxes', () => {
  it('lists faxes, newest first, filtered by number and creation time, with client_state', async () => {
    await start();
    const early = await post(faxRequest('+13125551234'));
    await post(faxRequest('+13125559999'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const since = new Date().toISOString();
    const late = await post(faxRequest('+13125551234', { client_state: 'bGF0ZQ==' }));

    const all = await get(`/faxes?${new URLSearchParams({ 'filter[to][eq]': '+13125551234' })}`);
    expect(all.status).toBe(200);
    expect((all.body.data as { id: string }[]).map((f) => f.id)).toEqual([
      late.body.data.id,
      early.body.data.id,
    ]);
    expect(all.body.meta).toEqual({
      page_number: 1,
      page_size: 20,
      total_pages: 1,
      total_results: 2,
    });

    const recent = await get(
      `/faxes?${new URLSearchParams({ 'filter[to][eq]': '+13125551234', 'filter[created_at][gte]': since })}`,
    );
    expect(recent.body.data).toEqual([
      expect.objectContaining({
        record_type: 'fax',
        id: late.body.data.id,
        to: '+13125551234',
        client_state: 'bGF0ZQ==',
        failure_reason: null,
      }),
    ]);
  });

  it('pages with page[size] and page[number]', async () => {
    await start();
    for (let i = 0; i < 3; i++) await post(faxRequest('+13125551234'));
    const second = await get(
      `/faxes?${new URLSearchParams({ 'page[size]': '2', 'page[number]': '2' })}`,
    );
    expect(second.body.data).toHaveLength(1);
    expect(second.body.meta).toEqual({
      page_number: 2,
      page_size: 2,
      total_pages: 2,
      total_results: 3,
    });
  });

  it('refuses a creation time that is not a date, naming the parameter', async () => {
    await start();
    const bad = await get(
      `/faxes?${new URLSearchParams({ 'filter[created_at][gte]': 'yesterday' })}`,
    );
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ source: { parameter: 'filter[created_at][gte]' } }),
    ]);
  });
});

describe("the bridge's Telnyx client against the emulator", () => {
  it('is throttled by 0008, then sends, then finds the fax by id and by listing', async () => {
    await start();
    const client = new TelnyxClient({ apiUrl: emulator.url, apiKey: async () => API_KEY });
    try {
      const request = {
        connectionId: '234423',
        from: '+13125790015',
        to: '+13125550008',
        mediaUrl: `${media.url}/doc.pdf`,
        quality: 'high' as const,
        webhookUrl: `${hooks.url}/webhooks/telnyx`,
        clientState: CLIENT_STATE,
      };
      const createdSince = new Date(Date.now() - 1000);
      expect(await client.sendFax(request)).toEqual({
        kind: 'throttled',
        retryAfterSeconds: 1,
        detail: '429 Too Many Requests: You have exceeded the maximum number of allowed requests.',
      });
      const sent = await client.sendFax(request);
      expect(sent.kind).toBe('accepted');
      const faxId = sent.kind === 'accepted' ? sent.faxId : '';
      await untilFinal(1);
      expect(await client.getFax(faxId)).toEqual({
        kind: 'found',
        fax: expect.objectContaining({ id: faxId, status: 'delivered', clientState: CLIENT_STATE }),
      });
      expect(await client.getFax('00000000-0000-4000-8000-000000000000')).toEqual({
        kind: 'not_found',
      });
      expect(await client.listFaxes({ to: '+13125550008', createdSince })).toEqual({
        kind: 'listed',
        faxes: [expect.objectContaining({ id: faxId, clientState: CLIENT_STATE })],
      });
      expect(await client.listFaxes({ to: '+13125550008', createdSince: new Date() })).toEqual({
        kind: 'listed',
        faxes: [],
      });
    } finally {
      await client.close();
    }
  });
});
