// Section 6, and the Lambda memory settings: what one fax costs on AWS, from the measured times,
// memory and requests, at AWS's list prices (prices.ts); and which memory each function needs.
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
  lines: CostLine[];
  awsPerFax: number;
  awsPer10k: number;
  telnyxPerFax: number;
  telnyxPer10k: number;
  /** Monthly whatever the volume: the stack's secrets, alarms and dashboard. */
  fixedMonthly: number;
}

export interface CostInputs {
  /** The email the cost is for (one recipient, delivered). */
  email: InboundCaseResult;
  pages: number;
  webhook: WebhookResult;
  inboundMemoryMb: number;
  webhookMemoryMb: number;
  retentionDays: number;
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
  const requests = sumRequests(email.requests, webhook.requestsPerFax);
  const count = (prefix: string, names: string[]) =>
    names.reduce((sum, name) => sum + (requests[`${prefix}:${name}`] ?? 0), 0);
  // SES's S3 action writes the message; Telnyx fetches the document once through its URL.
  const s3Puts = count('s3', ['PUT', 'POST']) + 1;
  const s3Gets = count('s3', ['GET', 'HEAD']) + 1;
  const reads = count('dynamodb', ['GetItem', 'Query']);
  const writes = count('dynamodb', ['PutItem', 'UpdateItem', 'DeleteItem']);
  const sent = count('ses', ['POST']);
  const chunks = Math.ceil(email.messageBytes / (256 * KB));
  const storedGbMonths =
    ((email.messageBytes + email.documentBytes) / GB) * (input.retentionDays / 30);
  const logBytes = email.logBytes + webhook.logBytesPerEvent * events;
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
    {
      item: 'DynamoDB',
      quantity: `${reads} reads, ${writes} writes`,
      usd: reads * p.dynamoReadUnit.usd + writes * p.dynamoWriteUnit.usd,
    },
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
  return {
    pages: input.pages,
    inboundMemoryMb: input.inboundMemoryMb,
    webhookMemoryMb: input.webhookMemoryMb,
    lines,
    awsPerFax,
    awsPer10k: awsPerFax * 10_000,
    telnyxPerFax,
    telnyxPer10k: telnyxPerFax * 10_000,
    fixedMonthly:
      STACK.secrets * p.secretMonth.usd +
      STACK.alarmMetrics * p.alarmMonth.usd +
      STACK.dashboards * p.dashboardMonth.usd,
  };
}

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
