// Sections 1-3: each email through the real inbound handler and through the floor, alternately,
// in a fresh handler process per email; peak memory of the first run and of every later one.
import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import { mediaKey, rawMailKey } from '../functions/adapters/storage-layout';
import { sesReceiptEvent } from '../local/ses-receipt-event';
import { BENCH_EMAIL_DATE, type BenchEmail, FAX_NUMBER, RECIPIENT, SENDER } from './emails';
import type { BenchEnvironment } from './environment';
import { MB, round, type Summary, summarize } from './stats';
import type { PeakMethod } from './worker';
import { startWorker, type Worker } from './worker-client';

export interface InboundBundles {
  worker: string;
  inbound: string;
  floor: string;
  /** Where handler processes write CPU profiles, if anywhere. */
  profileDir?: string;
}

export interface InboundCaseResult {
  id: string;
  label: string;
  messageBytes: number;
  attachmentBytes: number;
  documentBytes: number;
  passThrough: boolean;
  real: { ms: Summary; cpuMs: Summary; mbPerSecond: number };
  floor: { ms: Summary; cpuMs: Summary };
  /** Median real ÷ median floor. */
  ratioToFloor: number;
  memory: {
    /** RSS of the loaded, warmed-up handler process, garbage collected. */
    idleRssBytes: number;
    /** Peak RSS over idle during the first run of this email in the process. */
    firstRunPeakBytes: number;
    /** The largest peak over idle of any run. */
    peakBytes: number;
    /**
     * The process's highest RSS in any run. Freed memory is not all handed back to the system,
     * so later runs start from a higher idle and grow less: this, not idle + growth, is what a
     * warm Lambda instance must hold.
     */
    highestRssBytes: number;
    /** peakBytes ÷ the message's size. */
    timesMessage: number;
    floorPeakBytes: number;
    method: PeakMethod;
  };
  /** Requests one real run made, by service and operation. */
  requests: Record<string, number>;
  /** Log bytes one real run wrote (CloudWatch Logs ingests them). */
  logBytes: number;
}

/** Runs per email, after the warm-up: enough for a stable median within the time budget. */
export const RUNS: Record<string, number> = {
  'pdf-1p': 40,
  'pdf-3p': 30,
  'scan-20p': 16,
  'photos-3': 12,
  'pdf-40mb': 10,
  'form-cover': 20,
};
const WARM_UP_RUNS = 5;

interface Runner {
  worker: Worker;
  environment: BenchEnvironment;
  events: Map<string, SESEvent>;
}

export async function runInboundCase(
  environment: BenchEnvironment,
  bundles: InboundBundles,
  email: BenchEmail,
  warmUpEmail: BenchEmail,
): Promise<InboundCaseResult> {
  const events = new Map<string, SESEvent>();
  for (const e of new Set([email, warmUpEmail])) {
    await stage(environment, e);
    events.set(e.id, await eventFor(e));
  }
  const worker = startWorker(bundles.worker, environment.env, bundles.profileDir);
  const runner: Runner = { worker, environment, events };
  try {
    await worker.load({ inbound: bundles.inbound });
    for (let i = 0; i < WARM_UP_RUNS; i++) await realRun(runner, warmUpEmail);
    const idle = await worker.idle();
    const first = await realRun(runner, email);
    const firstRss = (await worker.peak()).peakBytes;
    const firstPeak = firstRss - idle.rssBytes;
    worker.takeLogBytes();

    await worker.load({ floor: bundles.floor });
    const floorOptions = { documentBytes: first.documentBytes, recipient: FAX_NUMBER };
    for (let i = 0; i < WARM_UP_RUNS; i++) await floorRun(runner, warmUpEmail, floorOptions);
    const floorIdle = await worker.idle();
    await floorRun(runner, email, floorOptions);
    const floorPeak = (await worker.peak()).peakBytes - floorIdle.rssBytes;

    const real: RealRun[] = [];
    const floor: { ms: number; cpuMs: number }[] = [];
    const peaks = [firstPeak];
    let highestRss = firstRss;
    const runs = RUNS[email.id] ?? 10;
    for (let i = 0; i < runs; i++) {
      const before = await worker.idle();
      real.push(await realRun(runner, email));
      const rss = (await worker.peak()).peakBytes;
      peaks.push(rss - before.rssBytes);
      highestRss = Math.max(highestRss, rss);
      floor.push(await floorRun(runner, email, floorOptions));
    }
    const logBytes = worker.takeLogBytes();
    const realMs = summarize(real.map((r) => r.ms));
    const floorMs = summarize(floor.map((r) => r.ms));
    const peakBytes = Math.max(...peaks);
    return {
      id: email.id,
      label: email.label,
      messageBytes: email.raw.length,
      attachmentBytes: email.attachmentBytes,
      documentBytes: first.documentBytes,
      passThrough: email.passThrough,
      real: {
        ms: realMs,
        cpuMs: summarize(real.map((r) => r.cpuMs)),
        mbPerSecond: round(email.raw.length / MB / (realMs.median / 1000), 1),
      },
      floor: { ms: floorMs, cpuMs: summarize(floor.map((r) => r.cpuMs)) },
      ratioToFloor: round(realMs.median / floorMs.median, 2),
      memory: {
        idleRssBytes: idle.rssBytes,
        firstRunPeakBytes: firstPeak,
        peakBytes,
        highestRssBytes: highestRss,
        timesMessage: round(peakBytes / email.raw.length, 2),
        floorPeakBytes: floorPeak,
        method: idle.peakMethod,
      },
      requests: first.requests,
      // Every real run logs the same lines; the floor logs none.
      logBytes: Math.round(logBytes / runs),
    };
  } finally {
    await worker.stop();
  }
}

interface RealRun {
  ms: number;
  cpuMs: number;
  documentBytes: number;
  requests: Record<string, number>;
}

let runCount = 0;

async function realRun(runner: Runner, email: BenchEmail): Promise<RealRun> {
  const { environment, worker } = runner;
  const messageId = await placeRawMail(environment, email);
  const result = await worker.call('inbound', eventWithId(runner, email, messageId));
  const documentBytes = await environment.objectBytes(mediaKey(messageId));
  // Faxed, for the inbound function: the document stored and one message on the dispatch queue.
  if (result.requests['sqs:SendMessage'] !== 1 || documentBytes === undefined) {
    throw new Error(`${email.label} was not faxed: the benchmark measures the faxed path only`);
  }
  if (email.passThrough && documentBytes !== email.attachmentBytes) {
    throw new Error(`${email.label} was rebuilt (${documentBytes} bytes), not passed through`);
  }
  await environment.deleteObjects(rawMailKey(messageId), mediaKey(messageId));
  return { ms: result.ms, cpuMs: result.cpuMs, documentBytes, requests: result.requests };
}

async function floorRun(
  runner: Runner,
  email: BenchEmail,
  options: { documentBytes: number; recipient: string },
): Promise<{ ms: number; cpuMs: number }> {
  const { environment, worker } = runner;
  const messageId = await placeRawMail(environment, email);
  const result = await worker.call('floor', eventWithId(runner, email, messageId), options);
  await environment.deleteObjects(rawMailKey(messageId), mediaKey(messageId));
  return { ms: result.ms, cpuMs: result.cpuMs };
}

const stagedKey = (email: BenchEmail) => `bench/${email.id}.eml`;

async function stage(environment: BenchEnvironment, email: BenchEmail): Promise<void> {
  await environment.s3.send(
    new PutObjectCommand({ Bucket: environment.bucket, Key: stagedKey(email), Body: email.raw }),
  );
}

/** What SES's S3 action does before the Lambda action: the message under raw/<messageId>. */
async function placeRawMail(environment: BenchEnvironment, email: BenchEmail): Promise<string> {
  const messageId = `bench-${process.pid}-${++runCount}-${email.id}`;
  await environment.s3.send(
    new CopyObjectCommand({
      Bucket: environment.bucket,
      CopySource: `${environment.bucket}/${stagedKey(email)}`,
      Key: rawMailKey(messageId),
    }),
  );
  return messageId;
}

function eventFor(email: BenchEmail): Promise<SESEvent> {
  return sesReceiptEvent({
    messageId: 'staged',
    source: SENDER,
    recipients: [RECIPIENT],
    raw: email.raw,
    receivedAt: new Date(BENCH_EMAIL_DATE.getTime() + 1000),
    processingTimeMillis: 400,
  });
}

function eventWithId(runner: Runner, email: BenchEmail, messageId: string): SESEvent {
  const event = structuredClone(runner.events.get(email.id)) as SESEvent;
  const record = event.Records[0];
  if (record) record.ses.mail.messageId = messageId;
  return event;
}
