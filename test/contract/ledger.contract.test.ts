// The rules every Ledger keeps, run against the in-memory ledger and the DynamoDB adapter on
// dynalite: what the core relies on to send each fax once, never move a fax backwards and send
// each notice once. A rule that holds for only one of them is a fake that lies to the tests.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { MemoryLedger } from '../../functions/adapters/memory-ledger';
import { eventPk, noticePk } from '../../functions/adapters/storage-layout';
import type {
  FaxJob,
  FaxStatus,
  JobKey,
  Ledger,
  NewFaxJob,
  StatusChange,
} from '../../functions/core/shared/ports';
import { newFaxJob } from '../support/fax-jobs';
import { localClientConfig, TEST_TABLE, useStandIns } from '../support/stand-ins';

interface Subject {
  ledger: Ledger;
  /** The TTL the stored item carries, read past the port: the one promise about expiry. */
  storedExpiry(kind: 'notice' | 'event', id: string): Promise<number | undefined>;
}

/** Registers what the ledger needs around the suite; the result gives a ledger inside a test. */
type Factory = () => () => Subject;

const memory: Factory = () => () => {
  const ledger = new MemoryLedger();
  return {
    ledger,
    storedExpiry: async (kind, id) =>
      (kind === 'notice' ? ledger.notices.get(id) : ledger.events.get(id))?.expiresAt,
  };
};

const dynamodb: Factory = () => {
  const standIns = useStandIns();
  return () => {
    const client = new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb));
    const items = DynamoDBDocumentClient.from(client);
    return {
      ledger: new DynamoDbLedger({ table: TEST_TABLE, client }),
      async storedExpiry(kind, id) {
        const pk = kind === 'notice' ? noticePk(id) : eventPk(id);
        const { Item } = await items.send(new GetCommand({ TableName: TEST_TABLE, Key: { pk } }));
        return Item?.expiresAt as number | undefined;
      },
    };
  };
};

const CREATED_AT = '2026-03-01T10:00:00.000Z';
const EXPIRES_AT = 1_800_000_000;

const newJob = () => newFaxJob({ createdAt: CREATED_AT, expiresAt: EXPIRES_AT });

const claimedJob = (job: NewFaxJob): FaxJob => ({
  ...job,
  status: 'claimed',
  statusTimes: { claimed: job.createdAt },
  updatedAt: job.createdAt,
});

const at = (second: number) => new Date(Date.parse(CREATED_AT) + second * 1000).toISOString();

const FINAL: FaxStatus[] = ['delivered', 'failed', 'not_sent'];
const ALL: FaxStatus[] = [
  'claimed',
  'unknown',
  'not_sent',
  'queued',
  'media.processed',
  'sending',
  'delivered',
  'failed',
];

describe.each([
  ['MemoryLedger', memory],
  ['DynamoDbLedger on dynalite', dynamodb],
])('the ledger contract: %s', (_name, factory) => {
  const subject = factory();

  /** A claimed job moved to `status` (with `faxId`), as the inbound path leaves it. */
  async function jobAt(ledger: Ledger, status: FaxStatus, faxId?: string): Promise<JobKey> {
    const job = newJob();
    await ledger.claimFax(job);
    if (status !== 'claimed') await ledger.advance(job, { status, at: at(1), faxId });
    return job;
  }

  describe('claiming a fax', () => {
    it('creates the job as claimed, at its creation time', async () => {
      const { ledger } = subject();
      const job = newJob();
      expect(await ledger.claimFax(job)).toEqual({ claimed: true });
      expect(await ledger.getJob(job)).toEqual(claimedJob(job));
    });

    it('claims once: a second claim changes nothing and gets the existing job', async () => {
      const { ledger } = subject();
      const job = newJob();
      await ledger.claimFax(job);
      const second = await ledger.claimFax({ ...job, subject: 'another try', documentPages: 9 });
      expect(second).toEqual({ claimed: false, existing: claimedJob(job) });
      expect(await ledger.getJob(job)).toEqual(claimedJob(job));
    });

    it('lets exactly one of ten concurrent claims win; the others see its job', async () => {
      const { ledger } = subject();
      const job = newJob();
      const results = await Promise.all(Array.from({ length: 10 }, () => ledger.claimFax(job)));
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      expect(results.filter((result) => !result.claimed)).toEqual(
        Array.from({ length: 9 }, () => ({ claimed: false, existing: claimedJob(job) })),
      );
    });

    it('keeps jobs of one email to different numbers apart', async () => {
      const { ledger } = subject();
      const job = newJob();
      const other = { ...job, recipient: '+13125550199' };
      await ledger.claimFax(job);
      expect(await ledger.claimFax(other)).toEqual({ claimed: true });
      expect(await ledger.getJob(other)).toEqual(claimedJob(other));
    });

    it('knows no job that was never claimed, and advancing it creates none', async () => {
      const { ledger } = subject();
      const job = newJob();
      expect(await ledger.getJob(job)).toBeUndefined();
      expect(await ledger.advance(job, { status: 'queued', at: at(1) })).toBeUndefined();
      expect(await ledger.getJob(job)).toBeUndefined();
    });

    it('stores no field the job left undefined', async () => {
      const { ledger } = subject();
      const job = { ...newJob(), emailMessageId: undefined };
      await ledger.claimFax(job);
      expect(Object.keys((await ledger.getJob(job)) ?? {})).not.toContain('emailMessageId');
    });
  });

  describe('moving a fax forward', () => {
    it('records each status time and the details given, keeping earlier ones', async () => {
      const { ledger } = subject();
      const job = newJob();
      await ledger.claimFax(job);
      expect(await ledger.advance(job, { status: 'queued', at: at(1), faxId: 'fax-1' })).toEqual({
        ...claimedJob(job),
        status: 'queued',
        faxId: 'fax-1',
        statusTimes: { claimed: CREATED_AT, queued: at(1) },
        updatedAt: at(1),
      });
      await ledger.advance(job, { status: 'media.processed', at: at(5), faxId: 'fax-1' });
      const delivered = await ledger.advance(job, {
        status: 'delivered',
        at: at(60),
        faxId: 'fax-1',
        pageCount: 3,
        callDurationSecs: 42,
      });
      expect(delivered).toEqual({
        ...claimedJob(job),
        status: 'delivered',
        faxId: 'fax-1',
        pageCount: 3,
        callDurationSecs: 42,
        statusTimes: {
          claimed: CREATED_AT,
          queued: at(1),
          'media.processed': at(5),
          delivered: at(60),
        },
        updatedAt: at(60),
      });
      expect(await ledger.getJob(job)).toEqual(delivered);
    });

    it.each<[string, StatusChange]>([
      ['why it was not sent', { status: 'not_sent', at: at(2), note: 'Telnyx refused the number' }],
      ['why it failed', { status: 'failed', at: at(2), failureReason: 'user_busy' }],
    ])('records %s', async (_name, change) => {
      const { ledger } = subject();
      const job = await jobAt(ledger, 'claimed');
      const { at: _at, ...details } = change;
      expect(await ledger.advance(job, change)).toMatchObject(details);
      expect(await ledger.getJob(job)).toMatchObject(details);
    });

    it('leaves fields the change does not give as they were', async () => {
      const { ledger } = subject();
      const job = await jobAt(ledger, 'queued', 'fax-1');
      const change = { status: 'sending', at: at(3), faxId: undefined, note: undefined } as const;
      const sending = await ledger.advance(job, change);
      expect(sending).toMatchObject({ status: 'sending', faxId: 'fax-1' });
      expect(Object.keys(sending ?? {})).not.toContain('note');
    });

    it.each<[FaxStatus, FaxStatus]>([
      ['queued', 'queued'],
      ['sending', 'queued'],
      ['sending', 'unknown'],
      ['queued', 'claimed'],
      ['delivered', 'sending'],
      ['delivered', 'failed'],
      ['failed', 'delivered'],
    ])('never moves from %s to %s, a status of lower or equal rank', async (from, to) => {
      const { ledger } = subject();
      const job = await jobAt(ledger, from, 'fax-1');
      const before = await ledger.getJob(job);
      expect(await ledger.advance(job, { status: to, at: at(9), faxId: 'fax-1' })).toBeUndefined();
      expect(await ledger.getJob(job)).toEqual(before);
    });

    it.each(FINAL)('keeps %s final against every status but a higher rank', async (final) => {
      const { ledger } = subject();
      const job = await jobAt(ledger, final, 'fax-1');
      const before = await ledger.getJob(job);
      // delivered and failed still yield to not_sent (rank 9): the port promises rank, not more.
      const lower = ALL.filter((status) => final === 'not_sent' || status !== 'not_sent');
      for (const status of lower) {
        expect(await ledger.advance(job, { status, at: at(9) })).toBeUndefined();
      }
      expect(await ledger.getJob(job)).toEqual(before);
    });

    it('lets exactly one of concurrent changes to the same status win', async () => {
      const { ledger } = subject();
      const job = await jobAt(ledger, 'queued', 'fax-1');
      const changes = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          ledger.advance(job, { status: 'delivered', at: at(10 + i), faxId: 'fax-1' }),
        ),
      );
      expect(changes.filter((change) => change !== undefined)).toHaveLength(1);
    });
  });

  describe('the fax id guard', () => {
    it('adopts the fax id of a job that has none yet', async () => {
      const { ledger } = subject();
      const job = await jobAt(ledger, 'unknown');
      expect(
        await ledger.advance(job, { status: 'queued', at: at(2), faxId: 'fax-late' }),
      ).toMatchObject({ status: 'queued', faxId: 'fax-late' });
    });

    it('ignores a change for another fax id', async () => {
      const { ledger } = subject();
      const job = await jobAt(ledger, 'queued', 'fax-1');
      const before = await ledger.getJob(job);
      expect(await ledger.advance(job, { status: 'sending', at: at(9), faxId: 'x' })).toBe(
        undefined,
      );
      expect(await ledger.getJob(job)).toEqual(before);
    });

    it('applies a change for the same fax id, or one that names none', async () => {
      const { ledger } = subject();
      const job = await jobAt(ledger, 'queued', 'fax-1');
      expect(await ledger.advance(job, { status: 'sending', at: at(3), faxId: 'fax-1' })).toEqual(
        expect.objectContaining({ status: 'sending', faxId: 'fax-1' }),
      );
      expect(await ledger.advance(job, { status: 'delivered', at: at(9) })).toEqual(
        expect.objectContaining({ status: 'delivered', faxId: 'fax-1' }),
      );
    });
  });

  describe('answers are copies', () => {
    it('a caller changing a job it was given changes nothing stored', async () => {
      const { ledger } = subject();
      const job = await jobAt(ledger, 'queued', 'fax-1');
      const before = await ledger.getJob(job);
      const given = (await ledger.getJob(job)) as FaxJob;
      given.status = 'delivered';
      given.statusTimes.delivered = at(99);
      const advanced = (await ledger.advance(job, { status: 'sending', at: at(3) })) as FaxJob;
      advanced.faxId = 'tampered';
      expect(await ledger.getJob(job)).toEqual({
        ...before,
        status: 'sending',
        statusTimes: { ...before?.statusTimes, sending: at(3) },
        updatedAt: at(3),
      });
    });
  });

  describe('claiming a notice', () => {
    const now = new Date(CREATED_AT);
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    const claim = (ledger: Ledger, id: string, when: Date) =>
      ledger.claimNotice(id, when, 60, EXPIRES_AT);

    it('is held by the first claim until its lease runs out', async () => {
      const { ledger } = subject();
      const id = `mail#${randomUUID()}`;
      expect(await claim(ledger, id, now)).toBe('claimed');
      expect(await claim(ledger, id, now)).toBe('held');
      expect(await claim(ledger, id, later(59))).toBe('held');
      expect(await claim(ledger, id, later(60))).toBe('claimed');
      expect(await claim(ledger, id, later(61))).toBe('held');
    });

    it('is never granted again once the notice was sent, even after a release', async () => {
      const { ledger } = subject();
      const id = `mail#${randomUUID()}`;
      await claim(ledger, id, now);
      await ledger.markNoticeSent(id, now.toISOString());
      expect(await claim(ledger, id, later(3600))).toBe('sent');
      await ledger.releaseNotice(id);
      expect(await claim(ledger, id, later(3600))).toBe('sent');
    });

    it('answers sent for a notice marked sent without a claim', async () => {
      const { ledger } = subject();
      const id = `mail#${randomUUID()}`;
      await ledger.markNoticeSent(id, now.toISOString());
      expect(await claim(ledger, id, now)).toBe('sent');
    });

    it('can be claimed again at once after a release', async () => {
      const { ledger } = subject();
      const id = `mail#${randomUUID()}`;
      await claim(ledger, id, now);
      await ledger.releaseNotice(id);
      expect(await claim(ledger, id, later(1))).toBe('claimed');
      await ledger.releaseNotice(`mail#${randomUUID()}`);
    });

    it('lets exactly one of ten concurrent claims win; the others find it held', async () => {
      const { ledger } = subject();
      const id = `mail#${randomUUID()}`;
      const claims = await Promise.all(Array.from({ length: 10 }, () => claim(ledger, id, now)));
      expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c === 'held')).toHaveLength(9);
    });

    it('keeps notices apart by id', async () => {
      const { ledger } = subject();
      const id = randomUUID();
      await claim(ledger, `mail#${id}`, now);
      expect(await claim(ledger, `result#${id}`, now)).toBe('claimed');
    });
  });

  describe('webhook events', () => {
    it('remembers processed events, and only those', async () => {
      const { ledger } = subject();
      const id = randomUUID();
      expect(await ledger.isEventProcessed(id)).toBe(false);
      await ledger.markEventProcessed(id, CREATED_AT, EXPIRES_AT);
      expect(await ledger.isEventProcessed(id)).toBe(true);
      expect(await ledger.isEventProcessed(randomUUID())).toBe(false);
    });
  });

  // DynamoDB deletes an expired item lazily, within days of its expiresAt, so expiry promises
  // only this: every item carries the epoch second after which it may go.
  describe('expiry', () => {
    it('a job carries the expiresAt it was claimed with, through every change', async () => {
      const { ledger } = subject();
      const job = await jobAt(ledger, 'queued', 'fax-1');
      await ledger.advance(job, { status: 'delivered', at: at(9) });
      expect((await ledger.getJob(job))?.expiresAt).toBe(EXPIRES_AT);
    });

    it("a notice carries its latest claim's expiresAt, and keeps it once sent", async () => {
      const { ledger, storedExpiry } = subject();
      const id = `mail#${randomUUID()}`;
      const now = new Date(CREATED_AT);
      await ledger.claimNotice(id, now, 60, EXPIRES_AT);
      expect(await storedExpiry('notice', id)).toBe(EXPIRES_AT);
      await ledger.claimNotice(id, new Date(now.getTime() + 60_000), 60, EXPIRES_AT + 60);
      expect(await storedExpiry('notice', id)).toBe(EXPIRES_AT + 60);
      await ledger.markNoticeSent(id, now.toISOString());
      expect(await storedExpiry('notice', id)).toBe(EXPIRES_AT + 60);
    });

    it('a processed event carries its expiresAt', async () => {
      const { ledger, storedExpiry } = subject();
      const id = randomUUID();
      await ledger.markEventProcessed(id, CREATED_AT, EXPIRES_AT);
      expect(await storedExpiry('event', id)).toBe(EXPIRES_AT);
    });
  });
});
