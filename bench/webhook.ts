// Section 4: signed Telnyx events through the real webhook handler, one at a time as one Lambda
// instance takes them, each verified, deduplicated and written to the ledger; the last event of
// each fax also gives back its call lease and sends its result email through the SES stand-in.
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { encodeClientState, FIRST_ATTEMPT } from '../functions/core/shared/client-state';
import type { JobKey } from '../functions/core/shared/ports';
import type { FaxEventType } from '../local/telnyx-webhooks';
import type { BenchEnvironment } from './environment';
import { claimJobs } from './jobs';
import { round, type Summary, summarize } from './stats';
import { startWorker } from './worker-client';

/** What Telnyx sends for a delivered fax, in order (FAX_API.md §4). */
export const LIFECYCLE: FaxEventType[] = [
  'fax.queued',
  'fax.media.processed',
  'fax.sending.started',
  'fax.delivered',
];
const FAXES = 150;
const WARM_UP_FAXES = 10;

export interface WebhookResult {
  events: number;
  faxes: number;
  /** Sequential events per second of handler time: one warm instance's throughput. */
  eventsPerSecond: number;
  ms: Summary;
  cpuMs: Summary;
  /** Status updates (queued, media.processed, sending). */
  recorded: Summary;
  /** The terminal event: ledger update, result email through SES, notice bookkeeping. */
  terminal: Summary;
  requestsPerFax: Record<string, number>;
  logBytesPerEvent: number;
  /** The loaded handler process, idle after the warm-up, and its peak over that during the run. */
  memory: { idleRssBytes: number; peakBytes: number };
}

export async function runWebhook(
  environment: BenchEnvironment,
  bundles: { worker: string; webhook: string; profileDir?: string },
): Promise<WebhookResult> {
  const jobs = await seedJobs(environment, FAXES + WARM_UP_FAXES);
  const worker = startWorker(bundles.worker, environment.env, bundles.profileDir);
  try {
    await worker.load({ webhook: bundles.webhook });
    const send = async (key: JobKey, type: FaxEventType, n: number) => {
      const result = await worker.call('webhook', signedEvent(environment, key, type, n));
      const answer = result.answer as Exclude<LambdaFunctionURLResult, string>;
      if (answer.statusCode !== 200 || !/^(recorded|result_sent)$/.test(String(answer.body))) {
        throw new Error(`the webhook handler answered ${answer.statusCode} ${answer.body}`);
      }
      return result;
    };
    // As the dispatch leaves it before its POST: the fax holds a channel, which its last event
    // gives back. Taken here, outside the measured calls.
    const lease = async (key: JobKey) => {
      const { channels, leaseSeconds } = environment.calls;
      const taken = await environment.leases.acquire(key, channels, new Date(), leaseSeconds);
      if (taken !== 'acquired') throw new Error(`no call lease for the webhook case: ${taken}`);
    };
    let n = 0;
    for (const key of jobs.slice(0, WARM_UP_FAXES)) {
      await lease(key);
      for (const type of LIFECYCLE) await send(key, type, ++n);
    }
    worker.takeLogBytes();
    const idle = await worker.idle();
    const all: number[] = [];
    const cpu: number[] = [];
    const recorded: number[] = [];
    const terminal: number[] = [];
    const requests: Record<string, number> = {};
    for (const key of jobs.slice(WARM_UP_FAXES)) {
      await lease(key);
      for (const type of LIFECYCLE) {
        const result = await send(key, type, ++n);
        all.push(result.ms);
        cpu.push(result.cpuMs);
        (type === 'fax.delivered' ? terminal : recorded).push(result.ms);
        for (const [name, count] of Object.entries(result.requests)) {
          requests[name] = (requests[name] ?? 0) + count;
        }
      }
    }
    const peak = await worker.peak();
    const held = await environment.leases.held(environment.calls.channels);
    if (held.length > 0) throw new Error(`${held.length} call leases outlived their fax's end`);
    const totalMs = all.reduce((sum, ms) => sum + ms, 0);
    return {
      events: all.length,
      faxes: FAXES,
      eventsPerSecond: round((all.length / totalMs) * 1000, 0),
      ms: summarize(all),
      cpuMs: summarize(cpu),
      recorded: summarize(recorded),
      terminal: summarize(terminal),
      requestsPerFax: Object.fromEntries(
        Object.entries(requests).map(([name, count]) => [name, round(count / FAXES, 2)]),
      ),
      logBytesPerEvent: Math.round(worker.takeLogBytes() / all.length),
      memory: { idleRssBytes: idle.rssBytes, peakBytes: peak.peakBytes - idle.rssBytes },
    };
  } finally {
    await worker.stop();
  }
}

/** Faxes as inbound and the dispatch leave them: claimed, dialled, queued with Telnyx's fax id. */
async function seedJobs(environment: BenchEnvironment, count: number): Promise<JobKey[]> {
  const keys = await claimJobs(environment, 'webhook', count);
  const at = new Date().toISOString();
  for (const key of keys) {
    await environment.ledger.claimDial(key, FIRST_ATTEMPT, at);
    await environment.ledger.advance(key, {
      attempt: FIRST_ATTEMPT,
      status: 'queued',
      at,
      faxId: faxIdOf(key),
    });
  }
  return keys;
}

const faxIdOf = (key: JobKey) => `fax-${key.messageId}`;

function signedEvent(
  environment: BenchEnvironment,
  key: JobKey,
  type: FaxEventType,
  n: number,
): LambdaFunctionURLEvent {
  const delivered = type === 'fax.delivered';
  const body = JSON.stringify({
    data: {
      event_type: type,
      id: `bench-event-${process.pid}-${n}`,
      occurred_at: new Date().toISOString(),
      record_type: 'event',
      payload: {
        fax_id: faxIdOf(key),
        connection_id: environment.env.TELNYX_CONNECTION_ID,
        direction: 'outbound',
        from: environment.env.FAX_FROM_NUMBER,
        to: key.recipient,
        client_state: encodeClientState(
          key,
          FIRST_ATTEMPT,
          environment.env.CLIENT_STATE_SECRET as string,
        ),
        status: type.replace(/^fax\./, '').replace('sending.started', 'sending'),
        ...(delivered ? { page_count: 3, call_duration_secs: 79 } : {}),
      },
    },
    meta: { attempt: 1, delivered_to: environment.env.WEBHOOK_URL },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'telnyx-webhooks',
      'telnyx-timestamp': timestamp,
      'telnyx-signature-ed25519': environment.signer.sign(timestamp, body),
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'fax-webhook',
      domainName: 'fax-webhook.lambda-url.us-east-1.on.aws',
      domainPrefix: 'fax-webhook',
      http: {
        method: 'POST',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'telnyx-webhooks',
      },
      requestId: `bench-${n}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}
