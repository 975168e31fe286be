// A pass-through in front of the SES stand-in (aws-ses-v2-local) that also writes every email
// it sends to the outbox folder as an .eml file. aws-ses-v2-local keeps no raw message, so the
// raw MIME is taken from the SendRawEmail request itself, exactly as the handler sent it.
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { request } from 'undici';
import { closeHttpServer, listen } from './listen';

export interface SesOutboxOptions {
  /** 0: any free port. */
  port: number;
  host?: string;
  /** The SES stand-in's endpoint. */
  upstream: string;
  outboxDir: string;
  onNotice?: (notice: { messageId: string; file: string }) => void;
  onError?: (error: unknown) => void;
}

export interface SesOutbox {
  /** Endpoint for the AWS SDK, and the stand-in's web view and GET /store. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export async function startSesOutbox(options: SesOutboxOptions): Promise<SesOutbox> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.outboxDir, { recursive: true });

  async function pass(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name) && name !== 'host'),
    ) as Record<string, string | string[]>;
    const upstream = await request(new URL(req.url ?? '/', options.upstream), {
      method: (req.method ?? 'GET') as 'GET',
      headers,
      body: body.length > 0 ? body : undefined,
    });
    const answer = Buffer.from(await upstream.body.arrayBuffer());
    const status = upstream.statusCode;
    // Written before answering, so the outbox has the copy by the time the sender's call returns.
    if (status === 200) await keepCopy(req, body, answer.toString('utf8')).catch(reportFailure);
    res.writeHead(
      status,
      Object.fromEntries(
        Object.entries(upstream.headers).filter(([name]) => !HOP_BY_HOP.has(name)),
      ) as Record<string, string | string[]>,
    );
    res.end(answer);
  }

  const reportFailure = (error: unknown) => options.onError?.(error);

  async function keepCopy(req: IncomingMessage, body: Buffer, answer: string) {
    const messageId = /<MessageId>([^<]+)<\/MessageId>|"MessageId"\s*:\s*"([^"]+)"/.exec(answer);
    const id = messageId?.[1] ?? messageId?.[2];
    if (!id || req.method !== 'POST') return;
    const raw = rawMessageOf(body) ?? (await composedCopy(id));
    if (!raw) return;
    const file = path.join(options.outboxDir, `${fileTime(new Date())}-${id}.eml`);
    await writeFile(file, raw);
    options.onNotice?.({ messageId: id, file });
  }

  async function composedCopy(messageId: string): Promise<Buffer | undefined> {
    const url = new URL('/get-emlContent', options.upstream);
    url.searchParams.set('messageId', messageId);
    const response = await request(url);
    if (response.statusCode !== 200) {
      await response.body.dump();
      return undefined;
    }
    const { body } = (await response.body.json()) as { body?: string | { data: number[] } };
    if (typeof body === 'string') return Buffer.from(body);
    return body ? Buffer.from(body.data) : undefined;
  }

  const server = createServer((req, res) => {
    pass(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`SES stand-in unreachable: ${error instanceof Error ? error.message : error}`);
    });
  });
  const port = await listen(server, options.port, host, 'LOCAL_SES_PORT');
  return { url: `http://${host}:${port}`, port, stop: () => closeHttpServer(server) };
}

/** The raw MIME of a SendRawEmail request (SES v1, form-encoded). */
function rawMessageOf(body: Buffer): Buffer | undefined {
  const form = new URLSearchParams(body.toString('utf8'));
  const data = form.get('Action') === 'SendRawEmail' ? form.get('RawMessage.Data') : null;
  return data ? Buffer.from(data, 'base64') : undefined;
}

/** 2026-11-27T10-00-00-000Z: sorts by time and is a valid file name everywhere. */
const fileTime = (date: Date) => date.toISOString().replace(/[:.]/g, '-');
