import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** How the fake answers one request: a status and body, or a socket destroyed after reading it. */
export type FakeAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { destroy: true }
  | { hang: true };

/** A stand-in for Telnyx's POST /v2/faxes that records what it receives. */
export async function startFakeTelnyx() {
  const requests: RecordedRequest[] = [];
  const queue: FakeAnswer[] = [];
  let counter = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    });
    const answer = queue.shift() ?? accepted(`fax-${++counter}`);
    if ('destroy' in answer) return req.socket.destroy();
    if ('hang' in answer) return;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2`,
    requests,
    /** Answers for the next requests, in order; afterwards every request is accepted. */
    answerNext: (...answers: FakeAnswer[]) => queue.push(...answers),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export const accepted = (id: string): FakeAnswer => ({
  status: 202,
  body: { data: { id, record_type: 'fax', status: 'queued' } },
});
