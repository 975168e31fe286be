// Feeds a queue's messages to a Lambda handler the way Lambda's SQS event source does, so the local
// mode and the tests run the dispatch function as AWS runs it: batches of up to 10 records,
// at most `maxConcurrency` invocations at once, successful records deleted, failed ones left to
// come back after the queue's visibility timeout, and the queue's RedrivePolicy moving a message
// received too often to its dead-letter queue (fauxqs does that on receive, as SQS does).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  QueueAttributeName,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  SQSBatchResponse,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';

// biome-ignore lint/suspicious/noConfusingVoidType: as aws-lambda's SQSHandler, so an async handler that returns nothing fits.
export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

/** Where a failure happened; the error itself is the caller's to report. */
export type SqsPollerStage = 'receive' | 'invoke' | 'delete';

export interface SqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  /** @default 10, Lambda's default for a standard queue (and SQS's most per receive) */
  batchSize?: number;
  /** @default 2 */
  maxConcurrency?: number;
  /** How long one receive waits for a message; stop() waits for it. @default 1 */
  waitTimeSeconds?: number;
  /** @default nothing: a thrown handler error is not logged, its batch simply comes back */
  onError?: (error: unknown, stage: SqsPollerStage) => void;
}

export interface SqsPoller {
  /**
   * Resolves once the queue holds nothing (visible, in flight or delayed) and no invocation runs;
   * rejects after `timeoutMs`.
   */
  idle(options?: { timeoutMs?: number }): Promise<void>;
  /** Receives no more, then waits for the running invocations to end. */
  stop(): Promise<void>;
}

const RECEIVE_RETRY_MS = 250;
const IDLE_CHECK_MS = 50;

export async function startSqsPoller(options: SqsPollerOptions): Promise<SqsPoller> {
  const limits = checkedLimits(options);
  const source = await eventSource(options.client, options.queueUrl);
  // A reporter that throws must not stop the poller or leave an invocation unsettled.
  const onError = (error: unknown, stage: SqsPollerStage) => {
    try {
      options.onError?.(error, stage);
    } catch {}
  };
  const settled = { ...options, onError };
  const running = new Set<Promise<void>>();
  let stopping = false;

  const invoke = (messages: Message[]) => {
    const invocation = invokeBatch(settled, messages.map(source.record)).finally(() =>
      running.delete(invocation),
    );
    running.add(invocation);
  };

  const loop = (async () => {
    while (!stopping) {
      while (running.size >= limits.maxConcurrency) await Promise.race(running);
      if (stopping) break;
      const messages = await receive(options, limits).catch(async (error: unknown) => {
        onError(error, 'receive');
        await sleep(RECEIVE_RETRY_MS);
        return [];
      });
      if (messages.length > 0) invoke(messages);
    }
  })();

  return {
    idle: ({ timeoutMs = 30_000 } = {}) =>
      waitUntilIdle(options.client, options.queueUrl, () => running.size, timeoutMs),
    async stop() {
      stopping = true;
      await loop;
      await Promise.all(running);
    },
  };
}

function checkedLimits(options: SqsPollerOptions) {
  const limits = {
    batchSize: options.batchSize ?? 10,
    maxConcurrency: options.maxConcurrency ?? 2,
    waitTimeSeconds: options.waitTimeSeconds ?? 1,
  };
  if (!Number.isInteger(limits.batchSize) || limits.batchSize < 1 || limits.batchSize > 10) {
    throw new RangeError('batchSize must be a whole number from 1 to 10');
  }
  if (!Number.isInteger(limits.maxConcurrency) || limits.maxConcurrency < 1) {
    throw new RangeError('maxConcurrency must be a whole number of at least 1');
  }
  if (![1, 2, 3, 4, 5].includes(limits.waitTimeSeconds)) {
    throw new RangeError('waitTimeSeconds must be a whole number from 1 to 5');
  }
  return limits;
}

async function receive(
  { client, queueUrl }: SqsPollerOptions,
  limits: { batchSize: number; waitTimeSeconds: number },
): Promise<Message[]> {
  const { Messages } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: limits.batchSize,
      WaitTimeSeconds: limits.waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages ?? [];
}

/** The queue's ARN and region, which Lambda puts on every record. */
async function eventSource(client: SQSClient, queueUrl: string) {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [QueueAttributeName.QueueArn],
    }),
  );
  const eventSourceARN = Attributes?.QueueArn ?? '';
  const awsRegion = eventSourceARN.split(':')[3] || (await client.config.region());
  return {
    record: (message: Message): SQSRecord => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: (message.Attributes ?? {}) as unknown as SQSRecordAttributes,
      messageAttributes: lambdaMessageAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes && {
        md5OfMessageAttributes: message.MD5OfMessageAttributes,
      }),
      eventSource: 'aws:sqs',
      eventSourceARN,
      awsRegion,
    }),
  };
}

function lambdaMessageAttributes(
  attributes: Record<string, MessageAttributeValue> = {},
): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
        ...(value.BinaryValue && {
          binaryValue: Buffer.from(value.BinaryValue).toString('base64'),
        }),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType ?? 'String',
      },
    ]),
  );
}

async function invokeBatch(options: SqsPollerOptions, records: SQSRecord[]): Promise<void> {
  let failed: ReadonlySet<string>;
  try {
    failed = failedRecords(await options.handler({ Records: records }), records);
  } catch (error) {
    options.onError?.(error, 'invoke');
    failed = new Set(records.map((record) => record.messageId));
  }
  await deleteRecords(
    options,
    records.filter((record) => !failed.has(record.messageId)),
  );
}

/**
 * The message ids whose records failed, read as Lambda reads a ReportBatchItemFailures answer:
 * nothing or an empty list is complete success; an answer Lambda cannot read, or an identifier
 * that is empty or names no record of the batch, fails the whole batch.
 */
export function failedRecords(response: unknown, records: readonly SQSRecord[]): Set<string> {
  const all = new Set(records.map((record) => record.messageId));
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object') return all;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

async function deleteRecords(
  { client, queueUrl, onError }: SqsPollerOptions,
  records: SQSRecord[],
): Promise<void> {
  if (records.length === 0) return;
  try {
    const { Failed } = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: records.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
    );
    if (Failed?.length) {
      onError?.(new Error(`${Failed.length} of ${records.length} deletes failed`), 'delete');
    }
  } catch (error) {
    // As on AWS: a record the poller could not delete comes back and runs again.
    onError?.(error, 'delete');
  }
}

async function waitUntilIdle(
  client: SQSClient,
  queueUrl: string,
  runningInvocations: () => number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (runningInvocations() > 0 || (await messagesHeld(client, queueUrl)) > 0) {
    if (Date.now() > deadline) throw new Error(`the queue was not idle after ${timeoutMs} ms`);
    await sleep(IDLE_CHECK_MS);
  }
}

async function messagesHeld(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        QueueAttributeName.ApproximateNumberOfMessages,
        QueueAttributeName.ApproximateNumberOfMessagesNotVisible,
        QueueAttributeName.ApproximateNumberOfMessagesDelayed,
      ],
    }),
  );
  return Object.values(Attributes).reduce((sum, count) => sum + Number(count), 0);
}
