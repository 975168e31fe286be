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

  it('waits as long as a 429 asks, then sends again', async () => {
    responses = [
      json(429, { errors: [{ title: 'Too many requests' }] }, { 'retry-after': '2' }),
      json(202, { data: { id: 'fax-after-wait' } }),
    ];
    expect(await client().sendFax(fax)).toEqual({ kind: 'accepted', faxId: 'fax-after-wait' });
    expect(received).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    expect(received[1]?.body).toBe(received[0]?.body);
  });

  it('caps a long Retry-After date', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    responses = [
      json(429, {}, { 'retry-after': inAnHour }),
      json(202, { data: { id: 'fax-capped' } }),
    ];
    expect(await client({ maxRetryWaitMs: 10_000 }).sendFax(fax)).toMatchObject({
      kind: 'accepted',
    });
    expect(sleeps).toEqual([10_000]);
  });

  it('gives up as not sent after three busy answers', async () => {
    responses = [json(503, {})];
    const result = await client().sendFax(fax);
    expect(result).toEqual({
      kind: 'not_sent',
      code: 'busy',
      detail: '503 Service Unavailable, 3 tries',
    });
    expect(received).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
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
});
