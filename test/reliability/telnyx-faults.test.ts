// Telnyx busy, broken or silent, on real sockets: the dispatch asks again only when Telnyx
// certainly took nothing, waits as long as it is told, and never posts a fax twice; the sender
// hears how each number ended (a fax of unknown fate is the sweeper's to find: sweep-faxes.test).
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import { staticApiKey } from '../../functions/adapters/api-key';
import { TelnyxClient } from '../../functions/adapters/telnyx-client';
import { accepted, type FakeAnswer, startFakeTelnyx } from '../support/fake-telnyx';
import { composeMail, faxAddress, runInbound, SENDER, withFax } from '../support/inbound-harness';

let telnyx: Awaited<ReturnType<typeof startFakeTelnyx>>;
let pdf: Buffer;
let sleeps: number[];
const tally = { faults: 0, requests: 0 };

function client(apiUrl: string) {
  return new TelnyxClient({
    apiUrl,
    apiKey: staticApiKey('KEY-test'),
    responseTimeoutMs: 300,
    connectTimeoutMs: 500,
    maxTries: 3,
    maxRetryWaitMs: 10_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

/**
 * Sends one email to `numbers`; the dispatch takes each queued fax to Telnyx at `apiUrl`, and any
 * message it puts back to wait is dispatched again at once, `redeliveries` times at most. Returns
 * the jobs, the waits and the emails the sender got (the notice, and the result emails).
 */
async function send(numbers: string[], apiUrl = telnyx.url, redeliveries = 0) {
  const deps = withFax(client(apiUrl));
  const raw = await composeMail({
    to: numbers.map(faxAddress),
    attachments: [{ filename: 'referral.pdf', content: pdf }],
  });
  const { outcome } = await runInbound(raw, { recipients: numbers.map(faxAddress), deps });
  const waits: number[] = [];
  for (let n = 0; n < redeliveries; n++) {
    const waiting = deps.queue.messages.filter((m) => m.delaySeconds > 0).splice(0);
    deps.queue.messages.length = 0;
    for (const { message, delaySeconds } of waiting) {
      waits.push(delaySeconds);
      await deps.queue.enqueue(message, 0);
    }
  }
  await deps.fax.close();
  const emails = deps.mailer.sent;
  expect(emails.every((n) => n.to === SENDER)).toBe(true);
  const jobs = [...deps.ledger.jobs.values()];
  return { outcome, emails: emails.map((e) => e.text), jobs, waits, queue: deps.queue };
}

/** A TCP server that resets every connection before reading a byte of the request. */
async function startResetServer() {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.resetAndDestroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v2`,
    connections: () => sockets.length,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: the connection is refused, so the request never left. */
async function closedPortUrl() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v2`;
}

const busy = (status: 429 | 503, retryAfter?: string): FakeAnswer => ({
  status,
  headers: retryAfter ? { 'retry-after': retryAfter } : {},
  body: { errors: [{ code: '10011', title: 'Too many requests' }] },
});

beforeAll(async () => {
  telnyx = await startFakeTelnyx();
  pdf = await makePdf(1);
});

afterAll(async () => {
  await telnyx?.stop();
  console.info(`telnyx faults: ${tally.faults} injected, ${tally.requests} requests seen`);
});

beforeEach(() => {
  telnyx.reset();
  sleeps = [];
});

const posts = () => {
  tally.requests += telnyx.requests.length;
  return telnyx.requests.length;
};

describe('Telnyx faults during the fax request', () => {
  it('429 with Retry-After: the fax waits as told, not counted, and goes once', async () => {
    tally.faults += 1;
    telnyx.answerNext(busy(429, '2'), accepted('fax-after-429'));
    const { jobs, waits, emails } = await send(['+13125551234'], telnyx.url, 1);
    expect(posts()).toBe(2);
    expect(waits).toEqual([2]);
    expect(sleeps).toEqual([]);
    expect(jobs[0]).toMatchObject({ status: 'queued', faxId: 'fax-after-429', dialledAttempt: 1 });
    expect(jobs[0]?.dials).toBeUndefined();
    expect(emails).toEqual([]);
  });

  it('429 with a reset an hour off: not asked again before the reset (waits chained by 15 minutes)', async () => {
    tally.faults += 1;
    const later = new Date(Date.now() + 3_600_000).toUTCString();
    telnyx.answerNext(busy(429, later), accepted('fax-after-429-later'));
    const { jobs, waits, queue } = await send(['+13125551234'], telnyx.url, 2);
    expect(posts()).toBe(1);
    expect(waits).toEqual([900, 900]);
    expect(queue.messages.at(-1)?.message.notBefore).toBeDefined();
    expect(jobs[0]).toMatchObject({ status: 'claimed' });
    expect(jobs[0]?.dialledAttempt).toBeUndefined();
  });

  it('503: its fate unknown, never posted again (a gateway may answer it after Telnyx took the fax)', async () => {
    tally.faults += 1;
    telnyx.answerNext(busy(503, '1'), accepted('never'));
    const { jobs, emails } = await send(['+13125551234'], telnyx.url, 1);
    expect(posts()).toBe(1);
    expect(jobs[0]).toMatchObject({ status: 'unknown' });
    expect(emails).toEqual([]);
  });

  it('500: never sent again (Telnyx may have taken it), and nothing said until the sweeper knows', async () => {
    tally.faults += 1;
    telnyx.answerNext({ status: 500, body: { errors: [{ title: 'Internal error' }] } });
    const { emails, jobs, queue } = await send(['+13125551234'], telnyx.url, 1);
    expect(posts()).toBe(1);
    expect(jobs[0]).toMatchObject({
      status: 'unknown',
      note: 'server_error: 500 Internal Server Error',
    });
    expect(queue.messages).toEqual([]);
    expect(emails).toEqual([]);
  });

  it.each([
    ['no answer after the request was sent', { hang: true }, 'timeout'],
    ['connection dropped after the request was read', { destroy: true }, 'connection_broken'],
  ] as const)('%s: one request, its fate unknown, never resent', async (_name, answer, code) => {
    tally.faults += 1;
    telnyx.answerNext(answer);
    const { jobs, emails } = await send(['+13125551234'], telnyx.url, 1);
    expect(posts()).toBe(1);
    expect(jobs[0]).toMatchObject({ status: 'unknown', note: expect.stringMatching(`^${code}: `) });
    expect(emails).toEqual([]);
  });

  it('connection reset before the request is read: not retried blind, its fate unknown', async () => {
    // The client cannot tell a reset before its bytes left from one after: it never guesses.
    const reset = await startResetServer();
    try {
      tally.faults += 1;
      const { jobs } = await send(['+13125551234'], reset.url, 1);
      expect(reset.connections()).toBe(1);
      tally.requests += reset.connections();
      expect(jobs[0]).toMatchObject({ status: 'unknown' });
    } finally {
      await reset.stop();
    }
  });

  it('connection refused: certainly not sent, so retried (bounded), then the sender told', async () => {
    tally.faults += 3;
    const { emails, jobs } = await send(['+13125551234'], await closedPortUrl());
    expect(sleeps).toEqual([1000, 2000]);
    expect(jobs[0]).toMatchObject({
      status: 'not_sent',
      note: 'unreachable: ECONNREFUSED, 3 tries',
    });
    expect(emails).toHaveLength(1);
    expect(emails[0]).toContain(
      'The fax service could not be reached. Nothing was faxed to this number.',
    );
  });

  it('each number of one email ends on its own: throttled then sent, 500, and silence', async () => {
    tally.faults += 3;
    telnyx.answerNext(busy(429, '1'), { status: 500 }, { hang: true }, accepted('fax-ok'));
    const { jobs } = await send(['+13125551234', '+13125551299', '+13125551300'], telnyx.url, 1);
    expect(posts()).toBe(4);
    const byNumber = Object.fromEntries(jobs.map((j) => [j.recipient, j.status]));
    expect(byNumber).toEqual({
      '+13125551234': 'queued',
      '+13125551299': 'unknown',
      '+13125551300': 'unknown',
    });
  });
});

describe('Telnyx refusing the API key', () => {
  it.each([401, 403])(
    '%i: nothing sent, no retry, and the sender is sent to the administrator, not told to send again',
    async (status) => {
      telnyx.answerNext({
        status,
        body: { errors: [{ code: '10009', title: 'Authentication failed' }] },
      });
      const { emails, jobs } = await send(['+13125551234']);
      expect(posts()).toBe(1);
      expect(jobs[0]).toMatchObject({
        status: 'not_sent',
        note: expect.stringMatching(/^api_key_refused: /),
      });
      expect(emails).toHaveLength(1);
      expect(emails[0]).toContain(
        "The fax service refused this bridge's API key. Nothing was faxed to this number.",
      );
      expect(emails[0]).toContain('This is for your fax administrator to fix');
    },
  );
});
