// Telnyx busy, broken or silent, on real sockets: the inbound path retries only requests that
// certainly did not reach Telnyx, waits a bounded time, and tells the sender how each number ended.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import { staticApiKey } from '../../functions/adapters/api-key';
import { TelnyxClient } from '../../functions/adapters/telnyx-client';
import { accepted, type FakeAnswer, startFakeTelnyx } from '../support/fake-telnyx';
import {
  composeMail,
  faxAddress,
  memoryDeps,
  runInbound,
  SENDER,
} from '../support/inbound-harness';

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

/** Sends one email to `numbers` through Telnyx at `apiUrl`; returns the outcome and the notice. */
async function send(numbers: string[], apiUrl = telnyx.url) {
  const deps = { ...memoryDeps(), fax: client(apiUrl) };
  const raw = await composeMail({
    to: numbers.map(faxAddress),
    attachments: [{ filename: 'referral.pdf', content: pdf }],
  });
  const { outcome } = await runInbound(raw, {
    recipients: numbers.map(faxAddress),
    deps,
  });
  await deps.fax.close();
  const notices = deps.mailer.sent;
  expect(notices.every((n) => n.to === SENDER)).toBe(true);
  expect(notices.length).toBeLessThanOrEqual(1);
  const jobs = [...deps.ledger.jobs.values()];
  return { outcome, notice: notices[0]?.text ?? '', jobs };
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
  it('429 with Retry-After: waits as told, tries again, and the fax goes once', async () => {
    tally.faults += 1;
    telnyx.answerNext(busy(429, '2'), accepted('fax-after-429'));
    const { outcome, notice } = await send(['+13125551234']);
    expect(posts()).toBe(2);
    expect(sleeps).toEqual([2000]);
    expect(outcome).toMatchObject({
      kind: 'faxed',
      results: [{ kind: 'queued', faxId: 'fax-after-429' }],
    });
    expect(notice).toBe('');
  });

  it('503 with a Retry-After date far off: the wait is capped, then the fax goes once', async () => {
    tally.faults += 1;
    const later = new Date(Date.now() + 3_600_000).toUTCString();
    telnyx.answerNext(busy(503, later), accepted('fax-after-503'));
    const { outcome } = await send(['+13125551234']);
    expect(posts()).toBe(2);
    expect(sleeps).toEqual([10_000]);
    expect(outcome).toMatchObject({ results: [{ kind: 'queued', faxId: 'fax-after-503' }] });
  });

  it('429 on every try: gives up after 3 tries and tells the sender nothing was sent', async () => {
    tally.faults += 3;
    telnyx.answerNext(busy(429, '1'), busy(429, '1'), busy(429, '1'), accepted('never'));
    const { notice, jobs } = await send(['+13125551234']);
    expect(posts()).toBe(3);
    expect(sleeps).toEqual([1000, 1000]);
    expect(jobs[0]).toMatchObject({
      status: 'not_sent',
      note: 'busy: 429 Too Many Requests, 3 tries',
    });
    expect(notice).toContain(
      '(312) 555-1234: not sent, because the fax service was too busy to take it. Nothing reached this number. Please send the email again in a few minutes.',
    );
  });

  it('500: never sent again (Telnyx may have taken it), and the sender is told to check', async () => {
    tally.faults += 1;
    telnyx.answerNext({ status: 500, body: { errors: [{ title: 'Internal error' }] } });
    const { notice, jobs } = await send(['+13125551234']);
    expect(posts()).toBe(1);
    expect(sleeps).toEqual([]);
    expect(jobs[0]).toMatchObject({
      status: 'unknown',
      note: 'server_error: 500 Internal Server Error',
    });
    expect(notice).toContain(
      '(312) 555-1234: we could not confirm that the fax service took this fax, because the fax service reported an error of its own.',
    );
    expect(notice).toContain('so that it is not faxed twice');
    expect(notice.split('\n\n')[0]).toBe('We could not confirm that your fax was sent');
  });

  it('no answer after the request was sent: one request, reported as unconfirmed', async () => {
    tally.faults += 1;
    telnyx.answerNext({ hang: true });
    const { notice, jobs } = await send(['+13125551234']);
    expect(posts()).toBe(1);
    expect(jobs[0]).toMatchObject({ status: 'unknown' });
    expect(notice).toContain('(312) 555-1234: we could not confirm that the fax service took');
    expect(notice).toContain('took this fax, because the fax service did not answer in time.');
  });

  it('connection dropped after the request was read: one request, reported as unconfirmed', async () => {
    tally.faults += 1;
    telnyx.answerNext({ destroy: true });
    const { notice, jobs } = await send(['+13125551234']);
    expect(posts()).toBe(1);
    expect(jobs[0]).toMatchObject({ status: 'unknown' });
    expect(notice).toContain('took this fax, because the connection to the fax service broke.');
  });

  it('connection reset before the request is read: not retried blind, reported as unconfirmed', async () => {
    // The client cannot tell a reset before its bytes left from one after: it never guesses.
    const reset = await startResetServer();
    try {
      tally.faults += 1;
      const { notice, jobs } = await send(['+13125551234'], reset.url);
      expect(reset.connections()).toBe(1);
      tally.requests += reset.connections();
      expect(jobs[0]).toMatchObject({ status: 'unknown' });
      expect(notice).toContain('(312) 555-1234: we could not confirm that the fax service took');
    } finally {
      await reset.stop();
    }
  });

  it('connection refused: certainly not sent, so retried (bounded), then reported as not sent', async () => {
    tally.faults += 3;
    const { notice, jobs } = await send(['+13125551234'], await closedPortUrl());
    expect(sleeps).toEqual([1000, 2000]);
    expect(jobs[0]).toMatchObject({
      status: 'not_sent',
      note: 'unreachable: ECONNREFUSED, 3 tries',
    });
    expect(notice).toContain(
      '(312) 555-1234: not sent, because the fax service could not be reached. Nothing reached this number. Please send the email again in a few minutes.',
    );
  });

  it('each number of one email ends on its own: busy then sent, 500, and silence', async () => {
    tally.faults += 3;
    telnyx.answerNext(busy(429, '1'), accepted('fax-ok'), { status: 500 }, { hang: true });
    const { outcome, notice } = await send(['+13125551234', '+13125551299', '+13125551300']);
    expect(posts()).toBe(4);
    expect(outcome).toMatchObject({
      kind: 'faxed',
      results: [
        { kind: 'queued', e164: '+13125551234', faxId: 'fax-ok' },
        { kind: 'unknown', e164: '+13125551299' },
        { kind: 'unknown', e164: '+13125551300' },
      ],
      noticeSent: true,
    });
    expect(notice).toContain('Your fax is being sent to 1 of 3 numbers');
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
      const { notice, jobs } = await send(['+13125551234']);
      expect(posts()).toBe(1);
      expect(jobs[0]).toMatchObject({
        status: 'not_sent',
        note: expect.stringMatching(/^api_key_refused: /),
      });
      expect(notice).toContain(
        "(312) 555-1234: not sent, because the fax service refused this bridge's API key. Nothing reached this number. This is for your fax administrator to fix: please forward this email to them.",
      );
      expect(notice).not.toMatch(/send(ing)? the email again|few minutes/i);
    },
  );
});
