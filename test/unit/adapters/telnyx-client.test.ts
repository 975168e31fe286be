import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelnyxClient, type TelnyxClientOptions } from '../../../functions/adapters/telnyx-client';
import type { FaxRequest } from '../../../functions/core/shared/ports';

const API_KEY = 'KEY0123456789SECRET';

const fax: FaxRequest = {
  connectionId: '1293384261075731499',
  from: '+13125550100',
  to: '+13125550199',
  mediaUrl: 'https://bucket.s3.amazonaws.com/media/abc.pdf?X-Amz-Signature=1',
  quality: 'high',
  webhookUrl: 'https://hooks.example.com/telnyx',
  clientState: 'eyJtIjoiYSIsInIiOiIrMSJ9',
};

type Respond = (res: ServerResponse, call: number) => void;
interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Respond => {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
};

describe('TelnyxClient', () => {
  let server: Server;
  let apiUrl: string;
  let received: Received[];
  let responses: Respond[];
  let sleeps: number[];
  const clients: TelnyxClient[] = [];

  beforeEach(async () => {
    received = [];
    responses = [];
    sleeps = [];
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const respond = responses[Math.min(received.length, responses.length) - 1];
        respond?.(res, received.length);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (options: Partial<TelnyxClientOptions> = {}) => {
    const created = new TelnyxClient({
      apiUrl,
      apiKey: async () => API_KEY,
      responseTimeoutMs: 500,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });
    clients.push(created);
    return created;
  };

  it('posts the fax as Telnyx expects and returns the fax id of a 202', async () => {
    responses = [json(202, { data: { id: 'fax-123', status: 'queued' } })];
    expect(await client().sendFax(fax)).toEqual({ kind: 'accepted', faxId: 'fax-123' });

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v2/faxes');
    expect(request?.headers).toMatchObject({
      authorization: `Bearer ${API_KEY}`,
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({
      connection_id: fax.connectionId,
      from: fax.from,
      to: fax.to,
      media_url: fax.mediaUrl,
      quality: 'high',
      webhook_url: fax.webhookUrl,
      client_state: fax.clientState,
    });
  });

  it('returns a 422 as refused with Telnyx’s reasons', async () => {
    responses = [
      json(422, {
        errors: [
          { code: '10015', title: 'Bad Request', detail: 'The to number is invalid.' },
          { code: '10016', title: 'Unsupported media' },
        ],
      }),
    ];
    expect(await client().sendFax(fax)).toEqual({
      kind: 'refused',
      code: 'invalid_request',
      status: 422,
      detail: 'The to number is invalid.; Unsupported media',
    });
    expect(received).toHaveLength(1);
  });

  it('reports a refused API key (401) as not sent, without trying again', async () => {
    responses = [
      (res) => {
        res.writeHead(401);
        res.end();
      },
    ];
    expect(await client().sendFax(fax)).toEqual({
      kind: 'not_sent',
      code: 'api_key_refused',
      detail: '401 Unauthorized',
    });
    expect(received).toHaveLength(1);
  });

  it('reports a 403 as a refused API key, with Telnyx’s reason', async () => {
    responses = [json(403, { errors: [{ code: '10010', detail: 'Account is disabled.' }] })];
    expect(await client().sendFax(fax)).toEqual({
      kind: 'not_sent',
      code: 'api_key_refused',
      detail: 'Account is disabled.',
    });
    expect(received).toHaveLength(1);
  });

  it('answers a 429 at once as throttled, with the wait Telnyx asks for, without trying again', async () => {
    responses = [
      json(
        429,
        { errors: [{ code: '10011', title: 'Too many requests', detail: 'Slow down.' }] },
        { 'retry-after': '2', 'x-ratelimit-reset': '7' },
      ),
    ];
    expect(await client().sendFax(fax)).toEqual({
      kind: 'throttled',
      retryAfterSeconds: 7,
      detail: '429 Too Many Requests: Slow down.',
    });
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('answers a 503 as a fate unknown, never to be posted again: a gateway may say it after Telnyx took the fax', async () => {
    responses = [json(503, {})];
    expect(await client().sendFax(fax)).toEqual({
      kind: 'unknown',
      code: 'server_error',
      detail: '503 Service Unavailable',
    });
    expect(received).toHaveLength(1);
  });

  it.each([
    ['x-ratelimit-reset in seconds until the reset', { 'x-ratelimit-reset': '30' }, 30],
    ['x-ratelimit-reset as epoch seconds', { 'x-ratelimit-reset': 'EPOCH_S+45' }, 45],
    ['x-ratelimit-reset as epoch milliseconds', { 'x-ratelimit-reset': 'EPOCH_MS+45' }, 45],
    ['an x-ratelimit-reset epoch already past', { 'x-ratelimit-reset': 'EPOCH_S-60' }, 0],
    ['Retry-After as an HTTP date', { 'retry-after': 'DATE+120' }, 120],
    [
      'the longer of Retry-After and x-ratelimit-reset',
      { 'retry-after': '9', 'x-ratelimit-reset': '3' },
      9,
    ],
  ])('reads %s', async (_name, template, seconds) => {
    const now = Date.now();
    const headers = Object.fromEntries(
      Object.entries(template).map(([name, value]) => [
        name,
        value
          .replace(/^EPOCH_S([+-]\d+)$/, (_m, d) => String(Math.floor(now / 1000) + Number(d)))
          .replace(/^EPOCH_MS([+-]\d+)$/, (_m, d) => String(now + Number(d) * 1000))
          .replace(/^DATE\+(\d+)$/, (_m, d) => new Date(now + Number(d) * 1000).toUTCString()),
      ]),
    );
    responses = [json(429, {}, headers)];
    const result = await client().sendFax(fax);
    expect(result.kind).toBe('throttled');
    const wait = result.kind === 'throttled' ? result.retryAfterSeconds : undefined;
    // A second's slack: the epoch and date forms count from the clock at the answer.
    expect(wait).toBeGreaterThanOrEqual(Math.max(0, seconds - 1));
    expect(wait).toBeLessThanOrEqual(seconds);
  });

  it('sends t38_enabled only when the request sets it', async () => {
    responses = [json(202, { data: { id: 'fax-t38' } })];
    await client().sendFax({ ...fax, t38Enabled: false });
    await client().sendFax(fax);
    expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({ t38_enabled: false });
    expect(JSON.parse(received[1]?.body ?? '')).not.toHaveProperty('t38_enabled');
  });

  it('tries three times and reports not sent when the connection is refused', async () => {
    const closedUrl = apiUrl;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    server = createServer();
    const result = await client({ apiUrl: closedUrl }).sendFax(fax);
    expect(result).toEqual({
      kind: 'not_sent',
      code: 'unreachable',
      detail: 'ECONNREFUSED, 3 tries',
    });
    expect(sleeps).toHaveLength(2);
  });

  it('reports unknown, without resending, when Telnyx takes the request and never answers', async () => {
    responses = [() => {}];
    const result = await client({ responseTimeoutMs: 300 }).sendFax(fax);
    expect(result).toEqual({
      kind: 'unknown',
      code: 'timeout',
      detail: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect(received).toHaveLength(1);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });

  it('reports unknown, without resending, on a 500', async () => {
    responses = [json(500, { errors: [{ title: 'Internal error' }] })];
    expect(await client().sendFax(fax)).toEqual({
      kind: 'unknown',
      code: 'server_error',
      detail: '500 Internal Server Error',
    });
    expect(received).toHaveLength(1);
  });

  it('reports unknown, without resending, when the connection breaks after the request', async () => {
    responses = [(res) => res.socket?.destroy()];
    expect(await client().sendFax(fax)).toMatchObject({
      kind: 'unknown',
      code: 'connection_broken',
    });
    expect(received).toHaveLength(1);
  });

  it('reports unknown when a 202 carries no fax id', async () => {
    responses = [json(202, { data: {} })];
    expect(await client().sendFax(fax)).toEqual({
      kind: 'unknown',
      code: 'no_fax_id',
      detail: '202 Accepted',
    });
  });

  it('reports not sent, without calling Telnyx, when the API key cannot be read', async () => {
    const apiKey = () => Promise.reject(new Error('the Telnyx API key secret fax/key is empty'));
    expect(await client({ apiKey }).sendFax(fax)).toEqual({
      kind: 'not_sent',
      code: 'api_key_unreadable',
      detail: 'the Telnyx API key secret fax/key is empty',
    });
    expect(received).toHaveLength(0);
  });

  describe('looking faxes up', () => {
    const telnyxFax = {
      record_type: 'fax',
      id: 'fax-9',
      connection_id: '1293384261075731499',
      direction: 'outbound',
      from: '+13125550100',
      to: '+13125550199',
      status: 'failed',
      client_state: 'eyJtIjoiYSJ9',
      failure_reason: 'user_busy',
      created_at: '2026-05-05T09:59:12.000Z',
      updated_at: '2026-05-05T10:01:00.000Z',
    };

    it('gets a fax by id, with the key, and maps what Telnyx says of it', async () => {
      responses = [json(200, { data: { ...telnyxFax, page_count: 2, call_duration_secs: 55 } })];
      expect(await client().getFax('fax-9')).toEqual({
        kind: 'found',
        fax: {
          id: 'fax-9',
          to: '+13125550199',
          status: 'failed',
          clientState: 'eyJtIjoiYSJ9',
          failureReason: 'user_busy',
          pageCount: 2,
          callDurationSecs: 55,
          createdAt: '2026-05-05T09:59:12.000Z',
          updatedAt: '2026-05-05T10:01:00.000Z',
        },
      });
      expect(received[0]).toMatchObject({
        method: 'GET',
        url: '/v2/faxes/fax-9',
        headers: { authorization: `Bearer ${API_KEY}`, accept: 'application/json' },
      });
    });

    it('leaves out a failure reason Telnyx gives as null', async () => {
      responses = [json(200, { data: { ...telnyxFax, status: 'sending', failure_reason: null } })];
      const lookup = await client().getFax('fax-9');
      expect(lookup).toMatchObject({ kind: 'found', fax: { status: 'sending' } });
      expect(lookup.kind === 'found' && 'failureReason' in lookup.fax).toBe(false);
    });

    it('reports a 404 as not found', async () => {
      responses = [json(404, { errors: [{ code: '404', title: 'Not Found' }] })];
      expect(await client().getFax('gone')).toEqual({ kind: 'not_found' });
    });

    it('reports a 500 or a refused key as unavailable, with what Telnyx said', async () => {
      responses = [json(500, {}), json(401, { errors: [{ detail: 'Bad key.' }] })];
      expect(await client().getFax('fax-9')).toEqual({
        kind: 'unavailable',
        detail: '500 Internal Server Error',
      });
      expect(await client().getFax('fax-9')).toEqual({
        kind: 'unavailable',
        detail: '401 Unauthorized: Bad key.',
      });
    });

    it('asks once more after a broken connection, and no more', async () => {
      responses = [(res) => res.socket?.destroy(), json(200, { data: telnyxFax })];
      expect(await client().getFax('fax-9')).toMatchObject({ kind: 'found', fax: { id: 'fax-9' } });
      expect(received).toHaveLength(2);

      received = [];
      responses = [(res) => res.socket?.destroy()];
      expect(await client().getFax('fax-9')).toEqual({
        kind: 'unavailable',
        detail: expect.stringMatching(/, 2 tries$/),
      });
      expect(received).toHaveLength(2);
    });

    it('reports unavailable, without asking, when the API key cannot be read', async () => {
      const apiKey = () => Promise.reject(new Error('secret empty'));
      expect(await client({ apiKey }).listFaxes({ to: '+1', createdSince: new Date() })).toEqual({
        kind: 'unavailable',
        detail: 'API key unreadable: secret empty',
      });
      expect(received).toHaveLength(0);
    });

    it('lists faxes to a number since a time, with the filters of fax-openapi.json', async () => {
      responses = [
        json(200, {
          data: [
            telnyxFax,
            { ...telnyxFax, id: 'fax-10', status: 'delivered', failure_reason: null },
          ],
          meta: { page_number: 1, page_size: 50, total_pages: 1, total_results: 2 },
        }),
      ];
      const listing = await client().listFaxes({
        to: '+13125550199',
        createdSince: new Date('2026-05-05T09:00:00.000Z'),
      });
      expect(listing).toEqual({
        kind: 'listed',
        faxes: [
          expect.objectContaining({ id: 'fax-9', status: 'failed', clientState: 'eyJtIjoiYSJ9' }),
          expect.objectContaining({ id: 'fax-10', status: 'delivered' }),
        ],
      });
      const url = new URL(received[0]?.url ?? '', 'http://x');
      expect(url.pathname).toBe('/v2/faxes');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        'filter[to][eq]': '+13125550199',
        'filter[created_at][gte]': '2026-05-05T09:00:00.000Z',
        'page[size]': '50',
        'page[number]': '1',
      });
      // The plus of an E.164 number must not arrive as a space.
      expect(received[0]?.url).toContain('%2B13125550199');
    });

    it('reads every page Telnyx says there is', async () => {
      const page = (n: number) =>
        json(200, {
          data: [{ ...telnyxFax, id: `fax-p${n}` }],
          meta: { page_number: n, page_size: 50, total_pages: 2, total_results: 2 },
        });
      responses = [page(1), page(2)];
      const listing = await client().listFaxes({ to: '+13125550199', createdSince: new Date(0) });
      expect(listing).toMatchObject({
        kind: 'listed',
        faxes: [{ id: 'fax-p1' }, { id: 'fax-p2' }],
      });
      expect(
        received.map((r) => new URL(r.url ?? '', 'http://x').searchParams.get('page[number]')),
      ).toEqual(['1', '2']);
    });

    it('reports a listing that is not a list as unavailable', async () => {
      responses = [json(200, { data: { id: 'fax-9' } })];
      expect(await client().listFaxes({ to: '+1', createdSince: new Date() })).toMatchObject({
        kind: 'unavailable',
      });
    });
  });
});
