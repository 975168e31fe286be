import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  failedRecords,
  type SqsBatchHandler,
  type SqsPoller,
  startSqsPoller,
} from '../../../local/sqs-poller';
import { useQueues } from '../../support/sqs-queues';

const QUICK = { visibilityTimeoutSeconds: 1 };

// Concurrent: each test has its own queue, and most of their time is waiting for timeouts.
describe('startSqsPoller', () => {
  const queues = useQueues([
    { name: 'shape', ...QUICK },
    { name: 'partial', ...QUICK },
    { name: 'thrown', ...QUICK },
    { name: 'unreadable-answer', ...QUICK },
    { name: 'concurrency', ...QUICK },
    { name: 'redriven', ...QUICK, deadLetter: { name: 'redriven-dead', maxReceiveCount: 2 } },
    { name: 'stopping', ...QUICK },
  ]);
  /** Starts a poller on `name`, stopped when the test ends, and keeps every batch it handled. */
  const poll = async (
    name: string,
    handler: (event: SQSEvent, call: number) => Promise<SQSBatchResponse | undefined>,
    options: { batchSize?: number; maxConcurrency?: number; onError?: (e: unknown) => void } = {},
  ) => {
    const batches: SQSRecord[][] = [];
    const recording: SqsBatchHandler = (event) => {
      batches.push(event.Records);
      return handler(event, batches.length);
    };
    const poller: SqsPoller = await startSqsPoller({
      client: queues.client(),
      queueUrl: queues.url(name),
      handler: recording,
      ...options,
    });
    onTestFinished(() => poller.stop());
    return { batches, poller };
  };
  const bodiesOf = (batches: SQSRecord[][]) => batches.map((batch) => batch.map((r) => r.body));

  it('gives the handler records shaped as Lambda gives them', async () => {
    await queues.send('shape', 'fax job');
    const { batches, poller } = await poll('shape', async () => undefined);
    await poller.idle();

    const [record] = batches[0] ?? [];
    expect(record).toMatchObject({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: 'fax job',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update('fax job').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: expect.stringMatching(/^arn:aws:sqs:us-east-1:\d{12}:shape$/),
      awsRegion: 'us-east-1',
    });
  });

  it('deletes the records that succeeded and brings back only the failed one, after the visibility timeout', async () => {
    await queues.send('partial', 'a', 'b', 'c');
    const seen: number[] = [];
    const { batches, poller } = await poll('partial', async (event, call) => {
      seen.push(Date.now());
      const b = event.Records.find((record) => record.body === 'b');
      return call === 1 && b ? { batchItemFailures: [{ itemIdentifier: b.messageId }] } : undefined;
    });
    await poller.idle();

    expect(bodiesOf(batches)).toEqual([['a', 'b', 'c'], ['b']]);
    expect(batches[1]?.[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect((seen[1] ?? 0) - (seen[0] ?? 0)).toBeGreaterThanOrEqual(900);
    expect(await queues.counts('partial')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('brings back the whole batch when the handler throws', async () => {
    await queues.send('thrown', 'a', 'b');
    const errors: unknown[] = [];
    const { batches, poller } = await poll(
      'thrown',
      async (_, call) => {
        if (call === 1) throw new Error('Telnyx unreachable');
        return { batchItemFailures: [] };
      },
      { onError: (error) => errors.push(error) },
    );
    await poller.idle();

    expect(bodiesOf(batches).map((bodies) => bodies.sort())).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(errors).toEqual([new Error('Telnyx unreachable')]);
  });

  it('fails the whole batch on an item failure Lambda cannot read', async () => {
    await queues.send('unreadable-answer', 'a', 'b');
    const { batches, poller } = await poll('unreadable-answer', async (_, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : undefined,
    );
    await poller.idle();

    expect(bodiesOf(batches).map((bodies) => bodies.sort())).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('never runs more than maxConcurrency invocations at once, and uses them all', async () => {
    const bodies = Array.from({ length: 12 }, (_, index) => `job ${index}`);
    await queues.send('concurrency', ...bodies);
    let running = 0;
    let peak = 0;
    const { batches, poller } = await poll(
      'concurrency',
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(100);
        running -= 1;
        return undefined;
      },
      { batchSize: 1, maxConcurrency: 3 },
    );
    await poller.idle();

    expect(peak).toBe(3);
    expect(bodiesOf(batches).flat().sort()).toEqual([...bodies].sort());
  });

  it('leaves a message that failed maxReceiveCount times in the dead-letter queue', async () => {
    await queues.send('redriven', 'always busy');
    const { batches, poller } = await poll('redriven', async (event) => ({
      batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
    }));
    await poller.idle();

    expect(bodiesOf(batches)).toEqual([['always busy'], ['always busy']]);
    expect((await queues.receiveNow('redriven-dead')).map((m) => m.body)).toEqual(['always busy']);
  });

  it('waits in stop() for the running invocation, and receives nothing after', async () => {
    let finished = false;
    const { batches, poller } = await poll('stopping', async () => {
      await sleep(300);
      finished = true;
      return undefined;
    });
    await queues.send('stopping', 'first');
    while (batches.length === 0) await sleep(10);

    await poller.stop();
    expect(finished).toBe(true);
    expect(await queues.counts('stopping')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    await queues.send('stopping', 'after stop');
    await sleep(200);
    expect(bodiesOf(batches)).toEqual([['first']]);
    expect(await queues.counts('stopping')).toMatchObject({ visible: 1 });
  });
});

describe('failedRecords', () => {
  const records = ['m-1', 'm-2'].map((messageId) => ({ messageId }) as SQSRecord);
  const none: string[] = [];
  const all = ['m-1', 'm-2'];

  it.each<[string, unknown, string[]]>([
    ['no answer', undefined, none],
    ['null', null, none],
    ['an empty object', {}, none],
    ['a null list', { batchItemFailures: null }, none],
    ['an empty list', { batchItemFailures: [] }, none],
    ['one failure', { batchItemFailures: [{ itemIdentifier: 'm-2' }] }, ['m-2']],
    ['an answer that is no object', 'done', all],
    ['a list that is no list', { batchItemFailures: 'm-1' }, all],
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }, all],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }, all],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'm-1' }] }, all],
    ['an id of no record here', { batchItemFailures: [{ itemIdentifier: 'm-9' }] }, all],
    ['a null entry', { batchItemFailures: [null] }, all],
  ])('reads %s as Lambda does', (_, response, expected) => {
    expect([...failedRecords(response, records)].sort()).toEqual(expected);
  });
});
