// The dispatch function: one SQS record per invocation, as the event source hands over a queue
// that is not backed up, through the real handler. Each record's job is claimed as the inbound
// function leaves it; the handler takes a call lease, claims the dial, presigns the document's
// URL, POSTs to the Telnyx stand-in and records the answer. Between runs the lease is given back,
// as the fax's last webhook would, outside the measured call.
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dispatchMessageBody } from '../functions/adapters/sqs-dispatch-queue';
import { FIRST_ATTEMPT } from '../functions/core/shared/client-state';
import type { JobKey } from '../functions/core/shared/ports';
import type { BenchEnvironment } from './environment';
import { claimJobs } from './jobs';
import { round, type Summary, summarize } from './stats';
import { startWorker } from './worker-client';

const FAXES = 100;
const WARM_UP_FAXES = 10;

export interface DispatchResult {
  faxes: number;
  ms: Summary;
  cpuMs: Summary;
  requestsPerFax: Record<string, number>;
  logBytesPerFax: number;
  /** The loaded handler process, idle after the warm-up, and its peak over that during the run. */
  memory: { idleRssBytes: number; peakBytes: number };
}

export async function runDispatch(
  environment: BenchEnvironment,
  bundles: { worker: string; dispatch: string; profileDir?: string },
): Promise<DispatchResult> {
  const jobs = await claimJobs(environment, 'dispatch', FAXES + WARM_UP_FAXES);
  const worker = startWorker(bundles.worker, environment.env, bundles.profileDir);
  const dispatch = async (key: JobKey) => {
    const posted = environment.telnyx.requests.length;
    const result = await worker.call('dispatch', sqsEvent(environment, key));
    const failures = (result.answer as SQSBatchResponse).batchItemFailures;
    const job = await environment.ledger.getJob(key);
    if (failures.length > 0 || environment.telnyx.requests.length !== posted + 1) {
      throw new Error(`the dispatch did not post ${key.messageId} once`);
    }
    if (job?.status !== 'queued')
      throw new Error(`${key.messageId} is ${job?.status} after its POST`);
    await environment.leases.release(key, environment.calls.channels);
    return result;
  };
  try {
    await worker.load({ dispatch: bundles.dispatch });
    for (const key of jobs.slice(0, WARM_UP_FAXES)) await dispatch(key);
    worker.takeLogBytes();
    const idle = await worker.idle();
    const ms: number[] = [];
    const cpu: number[] = [];
    const requests: Record<string, number> = {};
    for (const key of jobs.slice(WARM_UP_FAXES)) {
      const result = await dispatch(key);
      ms.push(result.ms);
      cpu.push(result.cpuMs);
      for (const [name, count] of Object.entries(result.requests)) {
        requests[name] = (requests[name] ?? 0) + count;
      }
    }
    const peak = await worker.peak();
    environment.telnyx.reset();
    return {
      faxes: FAXES,
      ms: summarize(ms),
      cpuMs: summarize(cpu),
      requestsPerFax: Object.fromEntries(
        Object.entries(requests).map(([name, count]) => [name, round(count / FAXES, 2)]),
      ),
      logBytesPerFax: Math.round(worker.takeLogBytes() / FAXES),
      memory: { idleRssBytes: idle.rssBytes, peakBytes: peak.peakBytes - idle.rssBytes },
    };
  } finally {
    await worker.stop();
  }
}

/** One record, as Lambda's SQS event source builds it from the message inbound sent. */
function sqsEvent(environment: BenchEnvironment, key: JobKey): SQSEvent {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body: dispatchMessageBody({ ...key, attempt: FIRST_ATTEMPT }),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: now,
          SenderId: 'AROAEXAMPLE:inbound',
          ApproximateFirstReceiveTimestamp: now,
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${environment.env.AWS_REGION}:000000000000:dispatch`,
        awsRegion: environment.env.AWS_REGION as string,
      },
    ],
  };
}
