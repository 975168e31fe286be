import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BodyEncoding,
  startWebhookEndpoint,
  type WebhookEndpoint,
} from '../../../local/webhook-endpoint';

let endpoint: WebhookEndpoint | undefined;

afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
});

async function start(
  answer: (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult> = async () => ({
    statusCode: 200,
    body: 'ok',
  }),
  bodyEncoding?: BodyEncoding,
) {
  const events: LambdaFunctionURLEvent[] = [];
  endpoint = await startWebhookEndpoint({
    port: 0,
    path: '/webhooks/telnyx',
    bodyEncoding,
    handler: async (event) => {
      events.push(event);
      return answer(event);
    },
  });
  return { events, url: endpoint.url };
}

const decoded = (event: LambdaFunctionURLEvent | undefined) =>
  event?.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64')
    : Buffer.from(event?.body ?? '', 'utf8');

const JSON_BODY = '{"data":{"event_type":"fax.queued","payload":{"to":"+13125551234","note":"é"}}}';

describe('the webhook endpoint', () => {
  it('turns a request into a Function URL event with lower-cased headers and the exact body', async () => {
    const { events, url } = await start();
    const response = await fetch(`${url}?debug=1`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Telnyx-Signature-Ed25519': 'c2lnbmF0dXJl',
        'Telnyx-Timestamp': '1764237600',
      },
      body: JSON_BODY,
    });
    expect(response.status).toBe(200);
    const event = events[0] as LambdaFunctionURLEvent;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/webhooks/telnyx',
      rawQueryString: 'debug=1',
      queryStringParameters: { debug: '1' },
      headers: {
        'content-type': 'application/json',
        'telnyx-signature-ed25519': 'c2lnbmF0dXJl',
        'telnyx-timestamp': '1764237600',
      },
      requestContext: {
        http: { method: 'POST', path: '/webhooks/telnyx', sourceIp: '127.0.0.1' },
        stage: '$default',
      },
      isBase64Encoded: false,
      body: JSON_BODY,
    });
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it('passes the body base64-encoded when asked, byte for byte', async () => {
    const { events, url } = await start(undefined, 'base64');
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON_BODY,
    });
    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(decoded(events[0]).toString('utf8')).toBe(JSON_BODY);
  });

  it('base64-encodes a binary body by itself, as a Function URL does', async () => {
    const { events, url } = await start();
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(decoded(events[0])).toEqual(bytes);
  });

  it("writes the handler's status, headers and body back", async () => {
    const { url } = await start(async () => ({
      statusCode: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-reason': 'signature' },
      body: 'bad signature',
    }));
    const response = await fetch(url, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-reason')).toBe('signature');
    expect(await response.text()).toBe('bad signature');
  });

  it('decodes a base64 result body and treats a bare string result as 200', async () => {
    const { url } = await start(async (event) =>
      event.rawQueryString === 'raw'
        ? {
            statusCode: 202,
            body: Buffer.from('binary ok').toString('base64'),
            isBase64Encoded: true,
          }
        : 'plain',
    );
    const raw = await fetch(`${url}?raw`, { method: 'POST' });
    expect(raw.status).toBe(202);
    expect(await raw.text()).toBe('binary ok');
    const plain = await fetch(url, { method: 'POST' });
    expect(plain.status).toBe(200);
    expect(await plain.text()).toBe('plain');
  });

  it('answers 502 when the handler throws, as a Function URL does', async () => {
    const { url } = await start(async () => {
      throw new Error('boom');
    });
    const response = await fetch(url, { method: 'POST', body: '{}' });
    expect(response.status).toBe(502);
  });

  it('passes GETs under the download path to the handler and writes back its binary answer', async () => {
    const pdf = Buffer.from('%PDF-1.7\n\xff\x00 binary', 'latin1');
    const events: LambdaFunctionURLEvent[] = [];
    endpoint = await startWebhookEndpoint({
      port: 0,
      path: '/webhooks/telnyx',
      downloadPath: '/faxes-in/',
      handler: async (event) => {
        events.push(event);
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/pdf', 'cache-control': 'no-store' },
          body: pdf.toString('base64'),
          isBase64Encoded: true,
        };
      },
    });
    const origin = new URL(endpoint.url).origin;
    const response = await fetch(`${origin}/faxes-in/token.123.mac`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(pdf);
    expect(events[0]).toMatchObject({
      rawPath: '/faxes-in/token.123.mac',
      requestContext: { http: { method: 'GET' } },
    });
    expect((await fetch(`${origin}/faxes-out/x`)).status).toBe(404);
    expect(events).toHaveLength(1);
  });

  it('answers 404 off the webhook path without calling the handler', async () => {
    const { events, url } = await start();
    const response = await fetch(url.replace('/webhooks/telnyx', '/other'), { method: 'POST' });
    expect(response.status).toBe(404);
    expect(events).toEqual([]);
  });
});
