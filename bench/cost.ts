// Section 6, and the Lambda memory settings: what one fax costs on AWS, from the measured times,
// memory and requests, at AWS's list prices (prices.ts); and which memory each function needs.
import type { BurstResult } from './burst';
import type { DispatchResult } from './dispatch';
import type { InboundCaseResult } from './inbound';
import { LAMBDA_BILLING_STEP_MS, LAMBDA_FULL_VCPU_MB, PRICES } from './prices';
import { MB, round } from './stats';
import type { WebhookResult } from './webhook';

/** Memory sizes worth comparing; Lambda takes any whole MB from 128 to 10,240. */
export const MEMORY_CHOICES = [256, 512, 768, 1024, 1536, 1769, 2048];
/** Room above the largest measured need, for a heap that grows differently under Node 24. */
const HEADROOM = 1.3;
const KB = 1024;
const GB = 1024 * MB;

/**
 * What the stack keeps running whatever the volume (infra/): the Telnyx API key and client_state
 * key secrets, nine alarms watching ten metrics (infra/constructs/alarms.ts), one dashboard.
 */
const STACK = { secrets: 2, alarmMetrics: 10, dashboards: 1 };

/** What infra/constructs/fax-dispatch.ts and fax-sweeper.ts give the two functions. */
export const DISPATCH_MEMORY_MB = 1024;
const SWEEPER_MEMORY_MB = 1024;
/**
 * Assumed, not measured: a sweep with no channel held is one BatchGetItem of the channel leases;
 * 100 ms of wall time is generous for it. It runs every SWEEP_INTERVAL_SECONDS whatever the
 * volume, so it is a fixed cost; a fax adds a lookup only if its webhooks go quiet.
 */
const SWEEP_MS = 100;
const MONTH_SECONDS = 30 * 86_400;
/**
 * Lambda's SQS event source long-polls the queue with (at least) five pollers whatever the
 * volume, each receive waiting up to 20 s: empty receives billed as SQS requests.
 */
const EVENT_SOURCE_POLLERS = 5;
const LONG_POLL_SECONDS = 20;

/**
 * The queue's requests for one fax that never waits: inbound's SendMessage, and the event
 * source's ReceiveMessage and DeleteMessageBatch (a batch of one: the most a fax can cost; five
 * faxes arriving together share one receive and one delete). Each wait for a channel adds a
 * SendMessage by the dispatch, and a receive and a delete of the message it sent.
 */
export const queueRequestsPerFax = (waits = 0) => ({
  send: 1 + waits,
  receive: 1 + waits,
  delete: 1 + waits,
});

/**
 * Lambda gives a function `memory / 1769` of a vCPU. The measured CPU time stretches by that
 * share and the rest of the wall time (waiting on S3, DynamoDB, Telnyx) does not. One vCPU is
 * taken to be as fast as one core of the benchmark machine, which the results name.
 */
export function lambdaMs(wallMs: number, cpuMs: number, memoryMb: number): number {
  const cpu = Math.min(cpuMs, wallMs);
  const stretched = cpu * Math.max(1, LAMBDA_FULL_VCPU_MB / memoryMb);
  const billed = wallMs - cpu + stretched;
  return Math.ceil(billed / LAMBDA_BILLING_STEP_MS) * LAMBDA_BILLING_STEP_MS;
}

const gbSeconds = (ms: number, memoryMb: number) => (memoryMb / 1024) * (ms / 1000);

export interface CostLine {
  item: string;
  quantity: string;
  usd: number;
}

export interface FaxCost {
  pages: number;
  inboundMemoryMb: number;
  webhookMemoryMb: number;
  dispatchMemoryMb: number;
  lines: CostLine[];
  awsPerFax: number;
  awsPer10k: number;
  telnyxPerFax: number;
  telnyxPer10k: number;
  /** Monthly whatever the volume: the stack's secrets, alarms, dashboard, sweeps and polls. */
  fixedMonthly: number;
  /** What `fixedMonthly` is made of. */
  fixed: CostLine[];
}

export interface CostInputs {
  /** The email the cost is for (one recipient, delivered). */
  email: InboundCaseResult;
  pages: number;
  webhook: WebhookResult;
  dispatch: DispatchResult;
  inboundMemoryMb: number;
  webhookMemoryMb: number;
  retentionDays: number;
  /** SWEEP_INTERVAL_SECONDS. */
  sweepIntervalSeconds: number;
  /** TELNYX_CHANNELS: a lease read gets one item per channel. */
  channels: number;
}

export function faxCost(input: CostInputs): FaxCost {
  const { email, webhook } = input;
  const events = webhook.events / webhook.faxes;
  const inboundMs = lambdaMs(email.real.ms.median, email.real.cpuMs.median, input.inboundMemoryMb);
  const recordedMs = lambdaMs(webhook.recorded.median, webhook.cpuMs.median, input.webhookMemoryMb);
  const terminalMs = lambdaMs(webhook.terminal.median, webhook.cpuMs.median, input.webhookMemoryMb);
  const webhookGbS =
    gbSeconds(recordedMs, input.webhookMemoryMb) * (events - 1) +
    gbSeconds(terminalMs, input.webhookMemoryMb);
  const { dispatch } = input;
  const dispatchMs = lambdaMs(dispatch.ms.median, dispatch.cpuMs.median, DISPATCH_MEMORY_MB);
  const requests = sumRequests(email.requests, dispatch.requestsPerFax, webhook.requestsPerFax);
  const count = (prefix: string, names: string[]) =>
    names.reduce((sum, name) => sum + (requests[`${prefix}:${name}`] ?? 0), 0);
  // SES's S3 action writes the message; Telnyx fetches the document once through its URL.
  const s3Puts = count('s3', ['PUT', 'POST']) + 1;
  const s3Gets = count('s3', ['GET', 'HEAD']) + 1;
  const { reads, writes } = dynamoDbUnits(requests, input.channels);
  const queue = queueRequestsPerFax();
  const sqsRequests = queue.send + queue.receive + queue.delete;
  const sent = count('ses', ['POST']);
  const chunks = Math.ceil(email.messageBytes / (256 * KB));
  const storedGbMonths =
    ((email.messageBytes + email.documentBytes) / GB) * (input.retentionDays / 30);
  const logBytes = email.logBytes + dispatch.logBytesPerFax + webhook.logBytesPerEvent * events;
  const p = PRICES;
  const lines: CostLine[] = [
    {
      item: 'Lambda inbound',
      quantity:
        `1 × ${inboundMs} ms at ${input.inboundMemoryMb} MB (measured: ` +
        `${round(email.real.ms.median, 0)} ms wall, ${round(email.real.cpuMs.median, 0)} ms CPU)`,
      usd:
        p.lambdaRequest.usd + gbSeconds(inboundMs, input.inboundMemoryMb) * p.lambdaArmGbSecond.usd,
    },
    {
      item: 'Lambda webhook',
      quantity: `${events} events, ${recordedMs}/${terminalMs} ms at ${input.webhookMemoryMb} MB`,
      usd: events * p.lambdaRequest.usd + webhookGbS * p.lambdaArmGbSecond.usd,
    },
    {
      item: 'Lambda dispatch',
      quantity:
        `1 × ${dispatchMs} ms at ${DISPATCH_MEMORY_MB} MB (measured: ` +
        `${round(dispatch.ms.median, 0)} ms wall, ${round(dispatch.cpuMs.median, 0)} ms CPU)`,
      usd:
        p.lambdaRequest.usd + gbSeconds(dispatchMs, DISPATCH_MEMORY_MB) * p.lambdaArmGbSecond.usd,
    },
    {
      item: 'SQS requests',
      quantity: `${queue.send} send, ${queue.receive} receive, ${queue.delete} delete`,
      usd: sqsRequests * p.sqsRequest.usd,
    },
    {
      item: 'S3 requests',
      quantity: `${s3Puts} PUT, ${s3Gets} GET`,
      usd: s3Puts * p.s3Put.usd + s3Gets * p.s3Get.usd,
    },
    {
      item: 'S3 storage',
      quantity: `${round((email.messageBytes + email.documentBytes) / MB, 2)} MB × ${input.retentionDays} days`,
      usd: storedGbMonths * p.s3StorageGbMonth.usd,
    },
    {
      item: 'Data out (Telnyx fetch)',
      quantity: `${round(email.documentBytes / MB, 2)} MB`,
      usd: (email.documentBytes / GB) * p.dataTransferOutGb.usd,
    },
    dynamoDbLine(reads, writes),
    {
      item: 'SES',
      quantity: `1 received (${chunks} chunk), ${sent} sent`,
      usd: p.sesInboundEmail.usd + chunks * p.sesInboundChunk.usd + sent * p.sesOutboundEmail.usd,
    },
    {
      item: 'CloudWatch Logs',
      quantity: `${round(logBytes / KB, 1)} KB`,
      usd: (logBytes / GB) * p.logsIngestedGb.usd,
    },
  ];
  const awsPerFax = lines.reduce((sum, line) => sum + line.usd, 0);
  const telnyxPerFax = input.pages * p.telnyxPage.usd;
  const fixed = fixedCosts(input.sweepIntervalSeconds);
  return {
    pages: input.pages,
    inboundMemoryMb: input.inboundMemoryMb,
    webhookMemoryMb: input.webhookMemoryMb,
    dispatchMemoryMb: DISPATCH_MEMORY_MB,
    lines,
    awsPerFax,
    awsPer10k: awsPerFax * 10_000,
    telnyxPerFax,
    telnyxPer10k: telnyxPerFax * 10_000,
    fixedMonthly: fixed.reduce((sum, line) => sum + line.usd, 0),
    fixed,
  };
}

/** A month's costs whatever the volume. */
function fixedCosts(sweepIntervalSeconds: number): CostLine[] {
  const p = PRICES;
  const sweeps = Math.round(MONTH_SECONDS / sweepIntervalSeconds);
  const polls = (EVENT_SOURCE_POLLERS * MONTH_SECONDS) / LONG_POLL_SECONDS;
  return [
    { item: 'Secrets', quantity: `${STACK.secrets}`, usd: STACK.secrets * p.secretMonth.usd },
    {
      item: 'Alarms',
      quantity: `${STACK.alarmMetrics} metrics`,
      usd: STACK.alarmMetrics * p.alarmMonth.usd,
    },
    { item: 'Dashboard', quantity: '1', usd: STACK.dashboards * p.dashboardMonth.usd },
    {
      item: 'Lambda sweeper',
      quantity: `${sweeps} runs × ${SWEEP_MS} ms (assumed) at ${SWEEPER_MEMORY_MB} MB`,
      usd:
        sweeps *
        (p.lambdaRequest.usd + gbSeconds(SWEEP_MS, SWEEPER_MEMORY_MB) * p.lambdaArmGbSecond.usd),
    },
    {
      item: 'SQS event source polls',
      quantity: `${EVENT_SOURCE_POLLERS} pollers × one ${LONG_POLL_SECONDS} s receive (assumed)`,
      usd: polls * p.sqsRequest.usd,
    },
  ];
}

export interface BurstCost {
  /** The lines the burst measured differently from one fax alone. */
  lines: CostLine[];
  /** One fax alone (section 7) with those lines in place of its own; absent without it. */
  awsPerFax?: number;
}

/** The lines of one fax alone that a burst's measured traffic replaces. */
const BURST_LINES = ['Lambda dispatch', 'SQS requests', 'DynamoDB'];

/**
 * What a fax costs in a burst: the SQS requests, dispatch invocations and DynamoDB requests
 * measured in it (waits for a channel and lease contention add to each), in place of those of one
 * fax alone. Every dispatch invocation is taken to last as long as the dispatch case's median one
 * (one that waits is shorter); without a dispatch case only its requests are counted.
 */
export function burstFaxCost(
  burst: Pick<BurstResult, 'queue' | 'requestsPerFax' | 'channels'>,
  alone: { cost: FaxCost; dispatch?: Pick<DispatchResult, 'ms' | 'cpuMs'> } | undefined,
): BurstCost {
  const p = PRICES;
  const { sqsRequestsPerFax, dispatchInvocationsPerFax } = burst.queue;
  const dispatch = alone?.dispatch;
  const ms = dispatch ? lambdaMs(dispatch.ms.median, dispatch.cpuMs.median, DISPATCH_MEMORY_MB) : 0;
  const { reads, writes } = dynamoDbUnits(burst.requestsPerFax, burst.channels);
  const lines: CostLine[] = [
    {
      item: 'Lambda dispatch',
      quantity:
        `${dispatchInvocationsPerFax} invocations a fax` +
        (dispatch
          ? ` × ${ms} ms at ${DISPATCH_MEMORY_MB} MB`
          : ' (requests only: no dispatch case)'),
      usd:
        dispatchInvocationsPerFax *
        (p.lambdaRequest.usd + gbSeconds(ms, DISPATCH_MEMORY_MB) * p.lambdaArmGbSecond.usd),
    },
    {
      item: 'SQS requests',
      quantity: `${sqsRequestsPerFax} a fax`,
      usd: sqsRequestsPerFax * p.sqsRequest.usd,
    },
    dynamoDbLine(reads, writes),
  ];
  if (!alone) return { lines };
  const replaced = alone.cost.lines.filter((line) => BURST_LINES.includes(line.item));
  const sum = (list: CostLine[]) => list.reduce((total, line) => total + line.usd, 0);
  return { lines, awsPerFax: alone.cost.awsPerFax - sum(replaced) + sum(lines) };
}

/**
 * Request units of the counted DynamoDB requests (every item is under 1 KB): a lease read is a
 * BatchGetItem of every channel's item, and a conditional write that fails is billed all the same.
 */
function dynamoDbUnits(requests: Record<string, number>, channels: number) {
  const count = (names: string[]) =>
    names.reduce((sum, name) => sum + (requests[`dynamodb:${name}`] ?? 0), 0);
  return {
    reads: round(count(['GetItem', 'Query']) + count(['BatchGetItem']) * channels, 2),
    writes: round(count(['PutItem', 'UpdateItem', 'DeleteItem']), 2),
  };
}

const dynamoDbLine = (reads: number, writes: number): CostLine => ({
  item: 'DynamoDB',
  quantity: `${reads} reads, ${writes} writes`,
  usd: reads * PRICES.dynamoReadUnit.usd + writes * PRICES.dynamoWriteUnit.usd,
});

function sumRequests(...counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const list of counts) {
    for (const [name, n] of Object.entries(list)) total[name] = (total[name] ?? 0) + n;
  }
  return total;
}

export interface MemoryOption {
  memoryMb: number;
  fits: boolean;
  /** What the choice is judged by: the largest email's duration (inbound), a cold start's first answer (webhook). */
  slowestMs: number;
  awsPer10k: number;
}

export interface MemoryAdvice {
  /** What the process must hold, in MB, before headroom. */
  neededMb: number;
  recommendedMb: number;
  options: MemoryOption[];
  why: string;
}

/** The memory target: peak growth over idle of at most this many times the largest message. */
export const PEAK_TIMES_MESSAGE = 3;

/**
 * Sized for the target, not only for today's figure: the idle handler plus 3× the largest
 * message SES passes on (or the highest RSS measured, if larger), with headroom, rounded up.
 * Below 1,769 MB the CPU-bound part of a run costs the same GB-seconds at any size, so a larger
 * choice costs almost nothing more and shortens every run.
 */
export function inboundMemoryAdvice(
  cases: InboundCaseResult[],
  cost: (memoryMb: number) => FaxCost,
): MemoryAdvice {
  const largest = cases.reduce((a, b) => (b.messageBytes > a.messageBytes ? b : a));
  const idle = Math.max(...cases.map((c) => c.memory.idleRssBytes));
  const highest = Math.max(...cases.map((c) => c.memory.highestRssBytes));
  const budget = idle + PEAK_TIMES_MESSAGE * largest.messageBytes;
  const neededMb = Math.ceil(Math.max(highest, budget) / MB);
  const options = MEMORY_CHOICES.map((memoryMb) => ({
    memoryMb,
    fits: memoryMb >= neededMb * HEADROOM,
    slowestMs: lambdaMs(largest.real.ms.median, largest.real.cpuMs.median, memoryMb),
    awsPer10k: round(cost(memoryMb).awsPer10k, 2),
  }));
  const recommended = options.find((o) => o.fits) ?? (options.at(-1) as MemoryOption);
  return {
    neededMb,
    recommendedMb: recommended.memoryMb,
    options,
    why:
      `the idle handler (${round(idle / MB, 0)} MB) plus ${PEAK_TIMES_MESSAGE}× the largest message ` +
      `is ${round(budget / MB, 0)} MB, and the highest RSS measured in any run was ` +
      `${round(highest / MB, 0)} MB; ${recommended.memoryMb} MB is the smallest choice that holds ` +
      `the larger with ${HEADROOM}× headroom, and there the largest email takes about ` +
      `${round(recommended.slowestMs / 1000, 1)} s ` +
      '(of a 2-minute timeout) at the same cost per fax as any smaller size',
  };
}

/** Telnyx retries a webhook its endpoint has not answered within 2000 ms (FAX_API.md §4.4). */
const WEBHOOK_ANSWER_MS = 2000;

/**
 * The smallest choice that holds the webhook process with headroom and still answers a cold
 * start's first event in half of Telnyx's 2 s: loading the bundle is CPU work that shrinks with
 * the memory's vCPU share (if Lambda's init phase gets no more CPU than that share).
 */
export function webhookMemoryAdvice(
  webhook: WebhookResult,
  load: { wallMs: number; cpuMs: number },
): MemoryAdvice {
  const neededMb = Math.ceil((webhook.memory.idleRssBytes + webhook.memory.peakBytes) / MB);
  const coldAnswerMs = (memoryMb: number) =>
    lambdaMs(load.wallMs, load.cpuMs, memoryMb) +
    lambdaMs(webhook.terminal.p95, webhook.cpuMs.p95, memoryMb);
  const options = MEMORY_CHOICES.map((memoryMb) => ({
    memoryMb,
    fits: memoryMb >= neededMb * HEADROOM && coldAnswerMs(memoryMb) <= WEBHOOK_ANSWER_MS / 2,
    slowestMs: coldAnswerMs(memoryMb),
    awsPer10k: 0,
  }));
  const recommended = options.find((o) => o.fits) ?? (options.at(-1) as MemoryOption);
  return {
    neededMb,
    recommendedMb: recommended.memoryMb,
    options,
    why:
      `the process needs ${neededMb} MB (×${HEADROOM} headroom), and a cold start's first answer ` +
      `(load + a result email at p95) takes about ${recommended.slowestMs} ms there, ` +
      `within half of Telnyx's ${WEBHOOK_ANSWER_MS} ms`,
  };
}
