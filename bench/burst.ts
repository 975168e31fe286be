// Section 8: a burst. 1,000 emails, one number each, over SMTP into the local bridge (all of it:
// inbound, the dispatch queue and its event source, the dispatch, the Telnyx emulator with a
// channel limit, the webhooks, the sweeper), with TELNYX_CHANNELS=10 and a fast emulator. It
// checks what a sender and an operator would notice: each fax posted once, none lost (a result
// email for each), never more calls at once than the account has, no channel-limit failure; and
// reports the time, the calls in flight over it, the process's peak memory and the queue's
// requests per fax. Everything runs in this one process, so the time is one core's.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import nodemailer from 'nodemailer';
import { makePdf } from '../fixtures/documents';
import { DynamoDbCallLeases } from '../functions/adapters/dynamodb-call-leases';
import { type Bridge, startBridge } from '../local/bridge';
import type { LogEntry } from '../local/function-log';
import { ANY_FREE_PORTS } from '../local/settings';
import { LOCAL_CREDENTIALS } from '../local/stand-ins';
import type { CallStats } from '../local/telnyx-emulator';
import { SENDER } from './emails';
import type { Target } from './report';
import { round } from './stats';

export const BURST = {
  emails: 1000,
  channels: 10,
  stepMs: 5,
  /** SMTP connections sending at once; the front door answers each after the inbound handler. */
  connections: 4,
  /** Generous: the figure to hold is under 3 minutes. */
  timeoutMs: 15 * 60_000,
  targetSeconds: 180,
  buckets: 20,
} as const;

export interface CurvePoint {
  /** Seconds from the first call. */
  fromS: number;
  toS: number;
  /** Calls in flight, time-weighted over the bucket, and at most. */
  mean: number;
  peak: number;
}

export interface BurstResult {
  generatedAt: string;
  emails: number;
  channels: number;
  stepMs: number;
  connections: number;
  seconds: {
    /** From the first email sent until the SMTP front door took the last one. */
    sending: number;
    /** From the first email sent until the last result email was out. */
    total: number;
  };
  faxesPerMinute: number;
  smtpFailures: number;
  posts: { total: number; numbers: number; postedTwice: number; neverPosted: number };
  results: { delivered: number; other: number };
  calls: { peak: number; channelLimitFailures: number; curve: CurvePoint[] };
  memory: { startRssBytes: number; peakRssBytes: number };
  /** What the dispatch logged: POSTs answered, and waits by reason. */
  dispatch: { answered: number; waits: Record<string, number> };
  /** Requests to the AWS stand-ins during the burst, by service and operation, a fax. */
  requestsPerFax: Record<string, number>;
  queue: { sqsRequestsPerFax: number; dispatchInvocationsPerFax: number };
  leasesLeft: number;
  /** What the functions logged at WARN or ERROR, by message, and the bridge's failure lines. */
  problems: Record<string, number>;
  /** What the bench fails on when missed. */
  checks: Target[];
  /** What is only reported: the time. */
  targets: Target[];
}

/**
 * Other `emails` or `stepMs` than BURST's only to try the case out (BENCH_BURST_EMAILS,
 * BENCH_BURST_STEP_MS): a slower emulator holds each call longer, so the channels fill up.
 */
export async function runBurst(
  log: (line: string) => void,
  { emails = BURST.emails, stepMs = BURST.stepMs }: { emails?: number; stepMs?: number } = {},
): Promise<BurstResult> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-burst-'));
  const seen = watchBridge();
  const bridge = await startBridge({
    env: burstEnv(dataDir, stepMs),
    dataNote: 'a scratch dir for the burst',
    log: seen.line,
    onLogEntry: seen.entry,
  });
  const requests = countRequests(bridge);
  const rss = sampleRss();
  try {
    // aws-ses-v2-local keeps one store per process: the emails of sections 1-7 are in it too.
    await bridge.standIns.clearEmails();
    const pdf = await makePdf(1);
    const started = Date.now();
    log(`burst: ${emails} emails over ${BURST.connections} SMTP connections…`);
    const sent = await sendAll(bridge, pdf, emails);
    const sendingMs = Date.now() - started;
    log(`burst: sent in ${round(sendingMs / 1000, 1)} s; waiting for the result emails…`);
    const doneAt = await seen.resultsOut(emails, started + BURST.timeoutMs);
    const totalMs = (doneAt ?? Date.now()) - started;
    // Stragglers: anything posted or emailed twice shows up after the last expected email.
    await bridge.dispatch.idle({ timeoutMs: 30_000 }).catch(() => undefined);
    const result: BurstFigures = {
      generatedAt: new Date().toISOString(),
      emails,
      channels: BURST.channels,
      stepMs,
      connections: BURST.connections,
      seconds: { sending: round(sendingMs / 1000, 1), total: round(totalMs / 1000, 1) },
      faxesPerMinute: round(emails / (totalMs / 60_000), 0),
      smtpFailures: sent.failures,
      ...(await bridgeFigures(bridge, emails)),
      memory: { startRssBytes: rss.start, peakRssBytes: rss.peak() },
      dispatch: seen.dispatch(),
      ...requests.perFax(emails),
      problems: seen.problems(),
    };
    return {
      ...result,
      checks: burstChecks(result, doneAt !== undefined),
      targets: [time(result)],
    };
  } finally {
    rss.stop();
    requests.stop();
    await bridge.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

type BurstFigures = Omit<BurstResult, 'checks' | 'targets'>;

/** What the emulator, the SES stand-in and the ledger hold once the burst is over. */
async function bridgeFigures(bridge: Bridge, emails: number) {
  const calls = (bridge.emulator as NonNullable<Bridge['emulator']>).calls();
  return {
    posts: postsPerNumber(bridge, emails),
    results: await resultEmails(bridge),
    calls: {
      peak: calls.peakInFlight,
      channelLimitFailures: calls.channelLimitFailures,
      curve: callsCurve(calls.timeline, BURST.buckets),
    },
    leasesLeft: await leasesLeft(bridge),
  };
}

const time = (result: BurstFigures): Target => ({
  what: 'burst time',
  target: `< ${BURST.targetSeconds} s`,
  measured: `${result.seconds.total} s`,
  met: result.seconds.total < BURST.targetSeconds,
});

function burstEnv(dataDir: string, stepMs: number): Record<string, string> {
  return {
    ...ANY_FREE_PORTS,
    LOCAL_DATA_DIR: dataDir,
    TELNYX_CHANNELS: String(BURST.channels),
    LOCAL_TELNYX_CHANNELS: String(BURST.channels),
    LOCAL_TELNYX_STEP_MS: String(stepMs),
    // A thousand emails from one sender in minutes: the daily caps would refuse most of them.
    MAX_FAXES_PER_SENDER_PER_DAY: '100000',
    MAX_PAGES_PER_SENDER_PER_DAY: '1000000',
    MAX_PAGES_PER_DAY: '1000000',
  };
}

/** Distinct numbers, none ending 0001-0008 (the emulator's failing outcomes): all deliver. */
const numberOf = (i: number) => `+1312555${1000 + i}`;
const subjectOf = (i: number) => `Burst ${i}`;

async function sendAll(bridge: Bridge, pdf: Buffer, emails: number): Promise<{ failures: number }> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: bridge.smtpPort,
    pool: true,
    maxConnections: BURST.connections,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  try {
    const sends = Array.from({ length: emails }, (_, i) =>
      transport.sendMail({
        from: SENDER,
        to: `${numberOf(i)}@${bridge.settings.faxDomains[0]}`,
        subject: subjectOf(i),
        text: '',
        attachments: [{ filename: 'referral.pdf', content: pdf }],
      }),
    );
    const settled = await Promise.allSettled(sends);
    return { failures: settled.filter((s) => s.status === 'rejected').length };
  } finally {
    transport.close();
  }
}

/** The bridge's own lines and the functions' log entries, as far as the burst needs them. */
function watchBridge() {
  const noticeTimes: number[] = [];
  const waits: Record<string, number> = {};
  const problems: Record<string, number> = {};
  let answered = 0;
  return {
    line(text: string) {
      if (text.includes('notice sent')) noticeTimes.push(Date.now());
      else if (/failed/.test(text)) problems[text.replace(/[0-9a-f]{40}/g, '<id>')] = 1;
    },
    entry(entry: LogEntry) {
      if (entry.message === 'fax request answered') answered++;
      if (entry.message === 'fax waits') {
        const reason = String(entry.reason);
        waits[reason] = (waits[reason] ?? 0) + 1;
      }
      if (entry.level !== 'INFO') problems[entry.message] = (problems[entry.message] ?? 0) + 1;
    },
    dispatch: () => ({ answered, waits: { ...waits } }),
    problems: () => ({ ...problems }),
    /** When the `count`th email left through SES, or undefined past the deadline. */
    async resultsOut(count: number, deadline: number): Promise<number | undefined> {
      while (noticeTimes.length < count) {
        if (Date.now() > deadline) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return noticeTimes[count - 1];
    },
  };
}

/**
 * Every request the process sends to the AWS stand-ins (the functions, the event source, the
 * front door's copy to raw/), by service and operation: the AWS SDK sends through node:http.
 */
function countRequests(bridge: Bridge) {
  const hosts = new Map<string, string>([
    [new URL(bridge.urls.s3).host, 's3'],
    [new URL(bridge.urls.dynamodb).host, 'dynamodb'],
    [new URL(bridge.urls.ses).host, 'ses'],
    [new URL(bridge.standIns.endpoints.sqs).host, 'sqs'],
  ]);
  const counts: Record<string, number> = {};
  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const service = hosts.get(String(request.getHeader('host') ?? ''));
    if (!service) return;
    const target = request.getHeader('x-amz-target');
    const operation = typeof target === 'string' ? target.split('.').pop() : request.method;
    const name = `${service}:${operation}`;
    counts[name] = (counts[name] ?? 0) + 1;
  };
  subscribe('http.client.request.start', onRequest);
  return {
    stop: () => unsubscribe('http.client.request.start', onRequest),
    perFax(faxes: number) {
      const sqs = Object.entries(counts).filter(([name]) => name.startsWith('sqs:'));
      return {
        requestsPerFax: Object.fromEntries(
          Object.entries(counts)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, n]) => [name, round(n / faxes, 2)]),
        ),
        queue: {
          sqsRequestsPerFax: round(sqs.reduce((sum, [, n]) => sum + n, 0) / faxes, 2),
          // The event source deletes what an invocation did; every invocation here succeeds.
          dispatchInvocationsPerFax: round((counts['sqs:DeleteMessageBatch'] ?? 0) / faxes, 2),
        },
      };
    },
  };
}

function sampleRss() {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return { start, peak: () => peak, stop: () => clearInterval(timer) };
}

function postsPerNumber(bridge: Bridge, emails: number): BurstResult['posts'] {
  const posts = (bridge.emulator as NonNullable<Bridge['emulator']>).posts();
  const perNumber = new Map<string, number>();
  for (const post of posts) perNumber.set(post.to ?? '', (perNumber.get(post.to ?? '') ?? 0) + 1);
  const expected = Array.from({ length: emails }, (_, i) => numberOf(i));
  return {
    total: posts.length,
    numbers: perNumber.size,
    postedTwice: [...perNumber.values()].filter((n) => n > 1).length,
    neverPosted: expected.filter((number) => !perNumber.has(number)).length,
  };
}

/** One "Fax delivered: Burst <i>" for each email; anything else about a burst email counts. */
async function resultEmails(bridge: Bridge): Promise<BurstResult['results']> {
  const emails = await bridge.sentEmails();
  const delivered = new Set<string>();
  let other = 0;
  for (const email of emails) {
    const match = /^Fax delivered: (Burst \d+)$/.exec(email.subject);
    if (match && !delivered.has(match[1] as string)) delivered.add(match[1] as string);
    else other++;
  }
  return { delivered: delivered.size, other };
}

async function leasesLeft(bridge: Bridge): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: bridge.urls.dynamodb,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const leases = new DynamoDbCallLeases({ table: bridge.settings.table, client });
    return (await leases.held(BURST.channels)).length;
  } finally {
    client.destroy();
  }
}

/** The calls in flight over the burst in `buckets` equal spans: time-weighted mean and peak. */
export function callsCurve(timeline: CallStats['timeline'], buckets: number): CurvePoint[] {
  const first = timeline[0];
  const last = timeline.at(-1);
  if (!first || !last || last.atMs === first.atMs) return [];
  const span = (last.atMs - first.atMs) / buckets;
  const curve: CurvePoint[] = [];
  let i = 0;
  let inFlight = 0;
  for (let b = 0; b < buckets; b++) {
    const from = first.atMs + b * span;
    const to = from + span;
    let peak = inFlight;
    let weighted = 0;
    let at = from;
    while (i < timeline.length && (timeline[i] as { atMs: number }).atMs < to) {
      const point = timeline[i] as { atMs: number; inFlight: number };
      weighted += inFlight * (point.atMs - at);
      at = point.atMs;
      inFlight = point.inFlight;
      peak = Math.max(peak, inFlight);
      i++;
    }
    weighted += inFlight * (to - at);
    curve.push({
      fromS: round((from - first.atMs) / 1000, 1),
      toS: round((to - first.atMs) / 1000, 1),
      mean: round(weighted / span, 1),
      peak,
    });
  }
  return curve;
}

function burstChecks(result: Omit<BurstResult, 'checks' | 'targets'>, finished: boolean): Target[] {
  const { posts, results, calls } = result;
  const n = result.emails;
  return [
    {
      what: 'every email taken over SMTP',
      target: `${n}`,
      measured: `${n - result.smtpFailures}`,
      met: result.smtpFailures === 0,
    },
    {
      what: 'every fax posted exactly once',
      target: `${n} numbers × 1 POST`,
      measured: `${posts.total} POSTs to ${posts.numbers} numbers, ${posts.postedTwice} twice, ${posts.neverPosted} never`,
      met: posts.total === n && posts.numbers === n && posts.postedTwice === 0,
    },
    {
      what: 'none lost: a delivered result email each',
      target: `${n}, nothing else`,
      measured: `${results.delivered} delivered, ${results.other} other emails${finished ? '' : ' (timed out)'}`,
      met: finished && results.delivered === n && results.other === 0,
    },
    {
      what: 'calls at once at the emulator',
      target: `≤ ${result.channels}`,
      measured: `${calls.peak}`,
      met: calls.peak <= result.channels,
    },
    {
      what: 'channel-limit failures',
      target: '0',
      measured: `${calls.channelLimitFailures}`,
      met: calls.channelLimitFailures === 0,
    },
    {
      what: 'call leases left held at the end',
      target: '0',
      measured: `${result.leasesLeft}`,
      met: result.leasesLeft === 0,
    },
  ];
}
