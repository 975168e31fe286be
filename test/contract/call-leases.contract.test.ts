// The rules of the call leases and of an attempt's dial, on the in-memory adapters and on the
// DynamoDB ones (dynalite): what keeps calls within TELNYX_CHANNELS, one per number, and a POST
// from being made twice for one attempt.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { newFaxJob } from '../../fixtures/fax-jobs';
import { DynamoDbCallLeases } from '../../functions/adapters/dynamodb-call-leases';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { MemoryCallLeases } from '../../functions/adapters/memory-call-leases';
import { MemoryLedger } from '../../functions/adapters/memory-ledger';
import type { CallLeases, JobKey, Ledger } from '../../functions/core/shared/ports';
import { localClientConfig, TEST_TABLE, useStandIns } from '../support/stand-ins';

type Factory = () => () => { leases: CallLeases; ledger: Ledger };

const memory: Factory = () => () => ({
  leases: new MemoryCallLeases(),
  ledger: new MemoryLedger(),
});

// Each test its own table's worth of channels: the lease items live beside the others, so the
// tests share them; a prefix of fresh numbers keeps their number leases apart.
const dynamodb: Factory = () => {
  const standIns = useStandIns();
  return () => {
    const client = new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb));
    return {
      leases: new DynamoDbCallLeases({ table: TEST_TABLE, client }),
      ledger: new DynamoDbLedger({ table: TEST_TABLE, client }),
    };
  };
};

const NOW = new Date('2026-03-05T15:13:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const job = (): JobKey => ({ messageId: randomUUID(), recipient: `+1312${randomDigits()}` });
const randomDigits = () => String(Math.floor(Math.random() * 1e7)).padStart(7, '0');

describe.each([
  ['memory', memory],
  ['DynamoDB on dynalite', dynamodb],
])('call leases: %s', (_name, factory) => {
  const subject = factory();

  /** Frees every channel the shared table may hold from earlier tests. */
  async function fresh(channels: number) {
    const { leases, ledger } = subject();
    for (const lease of await leases.held(channels)) await leases.release(lease, channels);
    return { leases, ledger };
  }

  it('grants at most `channels` leases, of ten asked for at once', async () => {
    const { leases } = await fresh(3);
    const jobs = Array.from({ length: 10 }, job);
    const results = await Promise.all(jobs.map((j) => leases.acquire(j, 3, NOW, 600)));
    expect(results.filter((r) => r === 'acquired')).toHaveLength(3);
    expect(results.filter((r) => r === 'no_channel')).toHaveLength(7);
    expect(await leases.held(3)).toHaveLength(3);
  });

  it('one lease per number: a second job to it is told the number is busy', async () => {
    const { leases } = await fresh(3);
    const first = job();
    expect(await leases.acquire(first, 3, NOW, 600)).toBe('acquired');
    const second = { messageId: randomUUID(), recipient: first.recipient };
    expect(await leases.acquire(second, 3, NOW, 600)).toBe('number_busy');
  });

  it('takes the same lease again for the same job, at no cost', async () => {
    const { leases } = await fresh(1);
    const j = job();
    expect(await leases.acquire(j, 1, NOW, 600)).toBe('acquired');
    expect(await leases.acquire(j, 1, NOW, 600)).toBe('acquired');
    expect(await leases.held(1)).toHaveLength(1);
  });

  it('frees a channel on release and lets a number without a channel go', async () => {
    const { leases } = await fresh(1);
    const [a, b] = [job(), job()];
    await leases.acquire(a, 1, NOW, 600);
    expect(await leases.acquire(b, 1, NOW, 600)).toBe('no_channel');
    await leases.release(a, 1);
    expect(await leases.acquire(b, 1, NOW, 600)).toBe('acquired');
    // a's number is free again too: nobody holds it.
    await leases.release(b, 1);
    expect(await leases.acquire({ ...a, messageId: randomUUID() }, 1, NOW, 600)).toBe('acquired');
  });

  it('lets others take a lease past its time, unless renewed', async () => {
    const { leases } = await fresh(1);
    const [a, b] = [job(), job()];
    await leases.acquire(a, 1, NOW, 600);
    await leases.renew(a, 1, later(500), 600);
    expect(await leases.acquire(b, 1, later(700), 600)).toBe('no_channel');
    expect(await leases.acquire(b, 1, later(1101), 600)).toBe('acquired');
  });
});

describe.each([
  ['memory', memory],
  ['DynamoDB on dynalite', dynamodb],
])('an attempt dialled once: %s', (_name, factory) => {
  const subject = factory();

  it('claims a dial once of many concurrent claims, and not for another attempt', async () => {
    const { ledger } = subject();
    const j = newFaxJob();
    await ledger.claimFax(j);
    expect(await ledger.claimDial(j, 2, NOW.toISOString())).toBeUndefined();
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => ledger.claimDial(j, 1, NOW.toISOString())),
    );
    expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
    expect(await ledger.getJob(j)).toMatchObject({ dialledAttempt: 1 });
  });

  it('gives a dial back for a claim again (a 429), only while unanswered', async () => {
    const { ledger } = subject();
    const j = newFaxJob();
    await ledger.claimFax(j);
    await ledger.claimDial(j, 1, NOW.toISOString());
    await ledger.releaseDial(j, 1);
    expect(await ledger.claimDial(j, 1, NOW.toISOString())).toBeDefined();
    await ledger.advance(j, { status: 'queued', at: NOW.toISOString(), faxId: 'f1' });
    await ledger.releaseDial(j, 1);
    expect((await ledger.getJob(j))?.dialledAttempt).toBe(1);
  });

  it('starts the next attempt once, from a failure of the current one, for its fax only', async () => {
    const { ledger } = subject();
    const j = newFaxJob();
    await ledger.claimFax(j);
    await ledger.claimDial(j, 1, NOW.toISOString());
    await ledger.advance(j, { status: 'sending', at: NOW.toISOString(), faxId: 'f1' });
    const dial = {
      attempt: 1,
      dialledAt: NOW.toISOString(),
      endedAt: later(60).toISOString(),
      faxId: 'f1',
      failureReason: 'user_busy',
      counted: true,
    };
    expect(await ledger.startNextAttempt(j, { ...dial, faxId: 'other' })).toBeUndefined();
    const results = await Promise.all([
      ledger.startNextAttempt(j, dial),
      ledger.startNextAttempt(j, dial),
    ]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    const next = await ledger.getJob(j);
    expect(next).toMatchObject({ attempt: 2, status: 'claimed', dials: [dial] });
    expect(next?.faxId).toBeUndefined();
    expect(next?.dialledAttempt).toBeUndefined();
    // A late event of attempt 1 cannot move attempt 2; attempt 2's own can.
    expect(
      await ledger.advance(j, { attempt: 1, status: 'delivered', at: later(90).toISOString() }),
    ).toBeUndefined();
    expect(await ledger.claimDial(j, 2, later(400).toISOString())).toBeDefined();
    const delivered = {
      attempt: 2,
      status: 'delivered' as const,
      at: later(500).toISOString(),
      faxId: 'f2',
    };
    expect(await ledger.advance(j, delivered)).toMatchObject({ status: 'delivered', faxId: 'f2' });
    expect(await ledger.startNextAttempt(j, { ...dial, attempt: 2, faxId: 'f2' })).toBeUndefined();
  });
});
