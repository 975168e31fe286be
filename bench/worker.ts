// A handler process for the benchmark: it loads Lambda bundles and calls them on command from
// run.ts, over the IPC channel, and reports each call's wall time, CPU time and the requests it
// made. It runs apart from the stand-ins, as a Lambda runs apart from S3 and DynamoDB, so its
// CPU time and memory are the handler's own. Bundled by run.ts and started with plain node.
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { pathToFileURL } from 'node:url';

export type WorkerCommand =
  | { kind: 'load'; modules: Record<string, string> }
  | { kind: 'call'; module: string; event: unknown; options?: unknown }
  /** Collects garbage, notes the RSS and restarts the peak-RSS count from it. */
  | { kind: 'idle' }
  | { kind: 'peak' }
  | { kind: 'exit' };

export interface CallResult {
  ms: number;
  cpuMs: number;
  /** Requests by service and operation (`s3:GET`, `dynamodb:PutItem`, `sqs:SendMessage`, `telnyx:POST`…). */
  requests: Record<string, number>;
  answer?: unknown;
}

export type WorkerReply =
  | { ok: true; kind: 'loaded'; ms: Record<string, number> }
  | { ok: true; kind: 'called'; result: CallResult }
  | { ok: true; kind: 'idle'; rssBytes: number; peakMethod: PeakMethod }
  | { ok: true; kind: 'peak'; peakBytes: number; peakMethod: PeakMethod }
  | { ok: false; error: string };

/**
 * `hwm-reset`: Linux's VmHWM, reset to the current RSS through /proc/self/clear_refs, read from
 * /proc/self/status: the exact peak since the reset. `maxrss`: getrusage's peak since the process
 * started, when the reset is not allowed (the idle RSS is then subtracted from a lifetime peak).
 */
export type PeakMethod = 'hwm-reset' | 'maxrss';

type Handler = (event: unknown, options?: unknown) => Promise<unknown>;

const handlers = new Map<string, Handler>();
let requests: Record<string, number> = {};
let peakMethod: PeakMethod = 'hwm-reset';

const endpoints = {
  s3: hostOf(process.env.AWS_ENDPOINT_URL_S3),
  ses: hostOf(process.env.AWS_ENDPOINT_URL_SES),
};

function hostOf(url: string | undefined): string | undefined {
  return url ? new URL(url).host : undefined;
}

const count = (name: string) => {
  requests[name] = (requests[name] ?? 0) + 1;
};

// The AWS SDK sends through node:http; the Telnyx client through undici. DynamoDB and SQS (its
// JSON protocol) both name the operation in X-Amz-Target: `DynamoDB_20120810.GetItem`,
// `AmazonSQS.SendMessage`.
subscribe('http.client.request.start', (message) => {
  const request = (message as { request: ClientRequest }).request;
  const target = request.getHeader('x-amz-target');
  const host = String(request.getHeader('host') ?? '');
  if (typeof target === 'string') count(amzTarget(target));
  else if (host === endpoints.s3) count(`s3:${request.method}`);
  else if (host === endpoints.ses) count(`ses:${request.method}`);
  else count(`http:${request.method}`);
});
subscribe('undici:request:create', (message) => {
  const { method } = (message as { request: { method: string } }).request;
  count(`telnyx:${method}`);
});

function amzTarget(target: string): string {
  const [service = '', operation = ''] = target.split('.');
  return `${service.startsWith('AmazonSQS') ? 'sqs' : 'dynamodb'}:${operation}`;
}

async function load(modules: Record<string, string>): Promise<Record<string, number>> {
  const ms: Record<string, number> = {};
  for (const [name, file] of Object.entries(modules)) {
    const started = performance.now();
    const module = (await import(pathToFileURL(file).href)) as { handler: Handler };
    ms[name] = performance.now() - started;
    handlers.set(name, module.handler);
  }
  return ms;
}

async function call(name: string, event: unknown, options: unknown): Promise<CallResult> {
  const handler = handlers.get(name);
  if (!handler) throw new Error(`no module ${name} loaded`);
  requests = {};
  const cpu = process.cpuUsage();
  const started = performance.now();
  const answer = options === undefined ? await handler(event) : await handler(event, options);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, requests, answer };
}

function idle(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const rss = process.memoryUsage().rss;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    peakMethod = 'maxrss';
  }
  return rss;
}

function peak(): number {
  if (peakMethod === 'hwm-reset') {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
    peakMethod = 'maxrss';
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function answer(command: WorkerCommand): Promise<WorkerReply> {
  switch (command.kind) {
    case 'load':
      return { ok: true, kind: 'loaded', ms: await load(command.modules) };
    case 'call':
      return {
        ok: true,
        kind: 'called',
        result: await call(command.module, command.event, command.options),
      };
    case 'idle':
      return { ok: true, kind: 'idle', rssBytes: idle(), peakMethod };
    case 'peak':
      return { ok: true, kind: 'peak', peakBytes: peak(), peakMethod };
    case 'exit':
      process.exit(0);
  }
}

process.on('message', (command: WorkerCommand) => {
  answer(command).then(
    (reply) => process.send?.(reply),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
  );
});
