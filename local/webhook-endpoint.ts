// The local stand-in for the webhook handler's Lambda Function URL: each HTTP request to the
// webhook path (or under the received-fax download path) becomes a Function URL event (payload
// format 2.0), and the handler's result becomes the HTTP answer.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { closeHttpServer, listen } from './listen';

/**
 * How the body reaches the handler. `auto` does what a Function URL does: text-like content
 * types as UTF-8 text, anything else base64 with `isBase64Encoded: true`.
 */
export type BodyEncoding = 'auto' | 'base64' | 'text';

export interface WebhookEndpointOptions {
  /** 0: any free port. */
  port: number;
  host?: string;
  path: string;
  /** Paths starting with this go to the handler too: the links to received faxes. */
  downloadPath?: string;
  bodyEncoding?: BodyEncoding;
  handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult>;
  onActivity?: (activity: WebhookEndpointActivity) => void;
}

export type WebhookEndpointActivity =
  | { kind: 'answered'; method: string; path: string; status: number }
  | { kind: 'handler-failed'; method: string; path: string; error: string };

export interface WebhookEndpoint {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 6 * 1024 * 1024; // a Function URL's request payload limit

export async function startWebhookEndpoint(
  options: WebhookEndpointOptions,
): Promise<WebhookEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    serve(req, res, options).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.onActivity?.({
        kind: 'handler-failed',
        method: req.method ?? '',
        path: req.url ?? '',
        error: message,
      });
      if (!res.headersSent) writeText(res, 502, 'Internal Server Error');
    });
  });
  const port = await listen(server, options.port, host, 'LOCAL_WEBHOOK_PORT');
  return {
    url: `http://${host}:${port}${options.path}`,
    port,
    stop: () => closeHttpServer(server),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, options: WebhookEndpointOptions) {
  const url = new URL(req.url ?? '/', 'http://local');
  const served =
    url.pathname === options.path ||
    (options.downloadPath !== undefined && url.pathname.startsWith(options.downloadPath));
  if (!served) {
    req.resume();
    return writeText(res, 404, 'Not Found');
  }
  const body = await readBody(req);
  if (body === undefined) return writeText(res, 413, 'Request Entity Too Large');
  const event = functionUrlEvent(req, url, body, options.bodyEncoding ?? 'auto');
  const result = await options.handler(event);
  const status = writeResult(res, result);
  options.onActivity?.({
    kind: 'answered',
    method: event.requestContext.http.method,
    path: url.pathname,
    status,
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function functionUrlEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  encoding: BodyEncoding,
): LambdaFunctionURLEvent {
  const headers = lowerCaseHeaders(req);
  const now = new Date();
  const method = req.method ?? 'GET';
  const asText =
    encoding === 'text' ||
    (encoding === 'auto' && isTextual(headers['content-type']) && isUtf8(body));
  const query = url.search.slice(1);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: query,
    ...(query ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'fax-bridge-local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] as string,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: commonLogTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: asText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !asText,
  };
}

/** Header names in lower case; repeated headers joined with commas, as Function URLs do. */
function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return headers;
}

const isTextual = (contentType = '') =>
  /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))/i.test(
    contentType,
  );

const isUtf8 = (body: Buffer) => Buffer.from(body.toString('utf8'), 'utf8').equals(body);

/** Writes a Function URL result the way the Function URL service does; returns the status. */
function writeResult(res: ServerResponse, result: LambdaFunctionURLResult): number {
  if (typeof result === 'string' || result === undefined || result === null) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(result ?? '');
    return 200;
  }
  if (!('statusCode' in result) || result.statusCode === undefined) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
    return 200;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode, headers);
  const body = result.body ?? '';
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
  return result.statusCode;
}

function writeText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `27/Nov/2026:10:00:00 +0000`, the form of requestContext.time. */
function commonLogTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}
