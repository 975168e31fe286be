// The rules every Ledger keeps, run against the in-memory ledger and the DynamoDB adapter on
// dynalite: what the core relies on to send each fax once, never move a fax backwards and send
// each notice once. A rule that holds for only one of them is a fake that lies to the tests.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { faxFacts, newFaxJob } from '../../fixtures/fax-jobs';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { MemoryLedger, type StoredQuota } from '../../functions/adapters/memory-ledger';
import {
  bridgeQuotaPk,
  eventPk,
  noticePk,
  recipientsPk,
  senderQuotaPk,
} from '../../functions/adapters/storage-layout';
import type {
  FaxJob,
  FaxStatus,
  JobKey,
  Ledger,
  NewFaxJob,
  StatusChange,
} from '../../functions/core/shared/ports';
import { localClientConfig, TEST_TABLE, useStandIns } from '../support/stand-ins';

interface Subject {
  ledger: Ledger;
  /** The TTL the stored item carries, read past the port: the one promise about expiry. */
  storedExpiry(kind: 'notice' | 'event', id: string): Promise<number | undefined>;
  /** A daily counter item as stored (without its key), read past the port. */
  storedQuota(pk: string): Promise<StoredQuota | undefined>;
  /** The TTL of the numbers recorded for an email, read past the port. */
  storedRecipientsExpiry(emailId: string): Promise<number | undefined>;
}

/** Registers what the ledger needs around the suite; the result gives a ledger inside a test. */
type Factory = () => () => Subject;

const memory: Factory = () => () => {
  const ledger = new MemoryLedger();
  return {
    ledger,
    storedExpiry: async (kind, id) =>
      (kind === 'notice' ? ledger.notices.get(id) : ledger.events.get(id))?.expiresAt,
    storedQuota: async (pk) => ledger.quotas.get(pk),
    storedRecipientsExpiry: async (emailId) =>
      ledger.recipients.get(recipientsPk(emailId))?.expiresAt,
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
      async storedQuota(pk) {
        const { Item } = await items.send(new GetCommand({ TableName: TEST_TABLE, Key: { pk } }));
        if (!Item) return undefined;
        const { pk: _pk, ...quota } = Item;
        return quota as StoredQuota;
      },
      async storedRecipientsExpiry(emailId) {
        const pk = recipientsPk(emailId);
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

    it('keeps what the result email tells about the fax, through every later change', async () => {
      const { ledger } = subject();
      const job: NewFaxJob = {
        ...newJob(),
        ...faxFacts([
          { filename: 'referral "final".pdf', pages: 2 },
          { filename: 'photo.jpg', pages: 1 },
        ]),
        emailFaxNumbers: 3,
      };
      await ledger.claimFax(job);
      expect(await ledger.getJob(job)).toEqual(claimedJob(job));
      await ledger.advance(job, { status: 'queued', at: at(1), faxId: 'fax-1' });
      await ledger.advance(job, { status: 'delivered', at: at(2), pageCount: 4 });
      expect(await ledger.getJob(job)).toMatchObject({
        status: 'delivered',
        recipientDisplay: job.recipientDisplay,
        fromNumber: job.fromNumber,
        contents: job.contents,
        emailFaxNumbers: 3,
        faxAddress: '+13125551234@fax.example.com',
      });
    });

    it('returns a job of an earlier version, without those facts, as it was stored', async () => {
      const { ledger } = subject();
      const job = newJob();
      await ledger.claimFax(job);
      const stored = await ledger.getJob(job);
      for (const key of ['fromNumber', 'contents', 'emailFaxNumbers', 'faxAddress']) {
        expect(Object.keys(stored ?? {})).not.toContain(key);
      }
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

  describe('daily quota', () => {
    const LIMITS = { senderFaxes: 10, senderPages: 100, bridgePages: 195 };
    /** A day of its own: the suite's tests share one table. */
    const freshDay = () => `2026-${randomUUID()}`;
    const request = (
      day: string,
      sender: string,
      faxes: number,
      pages: number,
      limits = LIMITS,
      emailId: string = randomUUID(),
    ) => ({
      day,
      sender,
      emailId,
      faxes,
      pages,
      limits,
      expiresAt: EXPIRES_AT,
    });

    /** The three counters of `sender` on `day`, as stored; a counter never written counts 0. */
    async function used({ storedQuota }: Subject, day: string, sender: string) {
      const ofSender = await storedQuota(senderQuotaPk(sender, day));
      const ofBridge = await storedQuota(bridgeQuotaPk(day));
      return {
        senderFaxes: ofSender?.faxes ?? 0,
        senderPages: ofSender?.pages ?? 0,
        bridgePages: ofBridge?.pages ?? 0,
      };
    }

    it('reserves within the limits, counting faxes and pages for the sender and pages for the bridge', async () => {
      const s = subject();
      const day = freshDay();
      expect(await s.ledger.reserveDailyQuota(request(day, 'a@x.example', 2, 10))).toEqual({
        reserved: true,
        bridgePagesAfter: 10,
      });
      expect(await s.ledger.reserveDailyQuota(request(day, 'a@x.example', 3, 15))).toEqual({
        reserved: true,
        bridgePagesAfter: 25,
      });
      expect(await used(s, day, 'a@x.example')).toEqual({
        senderFaxes: 5,
        senderPages: 25,
        bridgePages: 25,
      });
    });

    it('reserves up to each limit exactly, and not one more', async () => {
      const { ledger } = subject();
      const day = freshDay();
      const limits = { senderFaxes: 3, senderPages: 30, bridgePages: 1000 };
      expect(await ledger.reserveDailyQuota(request(day, 'a@x.example', 3, 30, limits))).toEqual({
        reserved: true,
        bridgePagesAfter: 30,
      });
      expect(await ledger.reserveDailyQuota(request(day, 'a@x.example', 1, 0, limits))).toEqual({
        reserved: false,
        cap: 'sender_faxes',
        limit: 3,
        used: 3,
      });
    });

    // Sender a: 9 of 10 faxes, 90 of 100 pages; the bridge: 190 of 195 pages (b added 100).
    const ROOMY_BRIDGE = { ...LIMITS, bridgePages: 1000 };
    it.each([
      ['the sender’s faxes', 2, 1, LIMITS, { cap: 'sender_faxes', limit: 10, used: 9 }],
      ['the sender’s pages', 1, 11, ROOMY_BRIDGE, { cap: 'sender_pages', limit: 100, used: 90 }],
      ['the bridge’s pages', 1, 6, LIMITS, { cap: 'bridge_pages', limit: 195, used: 190 }],
      [
        'the sender’s faxes, then its pages',
        2,
        11,
        LIMITS,
        { cap: 'sender_faxes', limit: 10, used: 9 },
      ],
      [
        'the sender’s pages, then the bridge’s',
        1,
        11,
        LIMITS,
        { cap: 'sender_pages', limit: 100, used: 90 },
      ],
    ] as const)(
      'a reservation that would pass %s counts nothing and names that cap',
      async (_name, faxes, pages, limits, refusal) => {
        const s = subject();
        const day = freshDay();
        await s.ledger.reserveDailyQuota(request(day, 'a@x.example', 9, 90));
        await s.ledger.reserveDailyQuota(request(day, 'b@x.example', 1, 100));
        const before = await used(s, day, 'a@x.example');
        const refused = await s.ledger.reserveDailyQuota(
          request(day, 'a@x.example', faxes, pages, limits),
        );
        expect(refused).toEqual({ reserved: false, ...refusal });
        expect(await used(s, day, 'a@x.example')).toEqual(before);
        // Nothing was held back either: what still fits is reserved.
        expect(await s.ledger.reserveDailyQuota(request(day, 'a@x.example', 1, 5))).toEqual({
          reserved: true,
          bridgePagesAfter: 195,
        });
      },
    );

    it('refuses a request larger than a limit on its own, counting nothing', async () => {
      const s = subject();
      const day = freshDay();
      for (const [faxes, pages, cap] of [
        [11, 1, 'sender_faxes'],
        [1, 101, 'sender_pages'],
      ] as const) {
        const limits = { ...LIMITS, bridgePages: 50 };
        expect(
          await s.ledger.reserveDailyQuota(request(day, 'a@x.example', faxes, pages, limits)),
        ).toMatchObject({ reserved: false, cap, used: 0 });
      }
      expect(
        await s.ledger.reserveDailyQuota(
          request(day, 'a@x.example', 1, 51, { ...LIMITS, bridgePages: 50 }),
        ),
      ).toEqual({ reserved: false, cap: 'bridge_pages', limit: 50, used: 0 });
      expect(await used(s, day, 'a@x.example')).toEqual({
        senderFaxes: 0,
        senderPages: 0,
        bridgePages: 0,
      });
    });

    it('lets concurrent reservations of one sender take exactly the faxes its limit allows', async () => {
      const s = subject();
      const day = freshDay();
      const results = await Promise.all(
        Array.from({ length: 25 }, () =>
          s.ledger.reserveDailyQuota(request(day, 'a@x.example', 1, 2)),
        ),
      );
      expect(results.filter((r) => r.reserved)).toHaveLength(10);
      expect(
        results.filter((r) => !r.reserved).every((r) => !r.reserved && r.cap === 'sender_faxes'),
      ).toBe(true);
      expect(await used(s, day, 'a@x.example')).toEqual({
        senderFaxes: 10,
        senderPages: 20,
        bridgePages: 20,
      });
    });

    it('lets concurrent reservations of many senders take exactly the bridge’s pages', async () => {
      const s = subject();
      const day = freshDay();
      const senders = Array.from({ length: 25 }, (_, i) => `s${i}@x.example`);
      const results = await Promise.all(
        senders.map((sender) => s.ledger.reserveDailyQuota(request(day, sender, 1, 15))),
      );
      const reserved = results.flatMap((r) => (r.reserved ? [r.bridgePagesAfter] : []));
      // 13 × 15 = 195: each reservation saw its own total, so each total is told once.
      expect(reserved.sort((a, b) => a - b)).toEqual(
        Array.from({ length: 13 }, (_, i) => 15 * (i + 1)),
      );
      const counted = await Promise.all(senders.map((sender) => used(s, day, sender)));
      expect(counted.reduce((sum, c) => sum + c.senderPages, 0)).toBe(195);
      expect(counted.filter((c) => c.senderFaxes === 1)).toHaveLength(13);
      expect(counted[0]?.bridgePages).toBe(195);
    });

    it('never passes a limit when the bridge refuses reservations the sender had room for', async () => {
      const s = subject();
      const day = freshDay();
      const limits = { senderFaxes: 6, senderPages: 100, bridgePages: 5 };
      const results = await Promise.all(
        Array.from({ length: 12 }, () =>
          s.ledger.reserveDailyQuota(request(day, 'a@x.example', 1, 1, limits)),
        ),
      );
      expect(results.filter((r) => r.reserved)).toHaveLength(5);
      expect(await used(s, day, 'a@x.example')).toEqual({
        senderFaxes: 5,
        senderPages: 5,
        bridgePages: 5,
      });
    });

    it('counts each day apart', async () => {
      const s = subject();
      const [monday, tuesday] = [freshDay(), freshDay()];
      await s.ledger.reserveDailyQuota(request(monday, 'a@x.example', 10, 100));
      expect(await s.ledger.reserveDailyQuota(request(monday, 'a@x.example', 1, 1))).toMatchObject({
        reserved: false,
      });
      expect(await s.ledger.reserveDailyQuota(request(tuesday, 'a@x.example', 10, 100))).toEqual({
        reserved: true,
        bridgePagesAfter: 100,
      });
    });

    it('counts each sender apart, and every sender against the one bridge', async () => {
      const s = subject();
      const day = freshDay();
      await s.ledger.reserveDailyQuota(request(day, 'a@x.example', 10, 100));
      expect(await s.ledger.reserveDailyQuota(request(day, 'b@x.example', 10, 95))).toEqual({
        reserved: true,
        bridgePagesAfter: 195,
      });
      expect(await s.ledger.reserveDailyQuota(request(day, 'c@x.example', 1, 1))).toEqual({
        reserved: false,
        cap: 'bridge_pages',
        limit: 195,
        used: 195,
      });
    });

    describe('copies of one email', () => {
      it('count once when they reserve at the same time, each told the same bridge pages', async () => {
        const s = subject();
        const day = freshDay();
        await s.ledger.reserveDailyQuota(request(day, 'b@x.example', 1, 4));
        const results = await Promise.all(
          Array.from({ length: 6 }, () =>
            s.ledger.reserveDailyQuota(request(day, 'a@x.example', 3, 6, LIMITS, 'email-1')),
          ),
        );
        expect(results).toEqual(Array(6).fill({ reserved: true, bridgePagesAfter: 10 }));
        expect(await used(s, day, 'a@x.example')).toEqual({
          senderFaxes: 3,
          senderPages: 6,
          bridgePages: 10,
        });
      });

      it('all fit when one copy just fits the bridge, counting its pages once', async () => {
        const s = subject();
        const day = freshDay();
        const limits = { ...LIMITS, bridgePages: 6 };
        const results = await Promise.all(
          Array.from({ length: 6 }, () =>
            s.ledger.reserveDailyQuota(request(day, 'a@x.example', 3, 6, limits, 'email-1')),
          ),
        );
        expect(results).toEqual(Array(6).fill({ reserved: true, bridgePagesAfter: 6 }));
        expect(await used(s, day, 'a@x.example')).toEqual({
          senderFaxes: 3,
          senderPages: 6,
          bridgePages: 6,
        });
      });

      it('are all refused when the bridge has no room for one, counting nothing', async () => {
        const s = subject();
        const day = freshDay();
        const limits = { ...LIMITS, bridgePages: 5 };
        const results = await Promise.all(
          Array.from({ length: 6 }, () =>
            s.ledger.reserveDailyQuota(request(day, 'a@x.example', 3, 6, limits, 'email-1')),
          ),
        );
        expect(results).toEqual(
          Array(6).fill({ reserved: false, cap: 'bridge_pages', limit: 5, used: 0 }),
        );
        expect(await used(s, day, 'a@x.example')).toEqual({
          senderFaxes: 0,
          senderPages: 0,
          bridgePages: 0,
        });
      });

      it('count again on another day, once there', async () => {
        const s = subject();
        const [monday, tuesday] = [freshDay(), freshDay()];
        for (const day of [monday, monday, tuesday, tuesday]) {
          await s.ledger.reserveDailyQuota(request(day, 'a@x.example', 2, 4, LIMITS, 'email-1'));
        }
        for (const day of [monday, tuesday]) {
          expect(await used(s, day, 'a@x.example')).toEqual({
            senderFaxes: 2,
            senderPages: 4,
            bridgePages: 4,
          });
        }
      });

      it.each([
        ['the sender’s faxes', { ...LIMITS, senderFaxes: 3 }, 'sender_faxes'],
        ['the bridge’s pages', { ...LIMITS, bridgePages: 5 }, 'bridge_pages'],
      ] as const)(
        'count once they have room, after one was refused at %s',
        async (_name, tight, cap) => {
          const s = subject();
          const day = freshDay();
          await s.ledger.reserveDailyQuota(request(day, 'a@x.example', 2, 2, LIMITS, 'earlier'));
          const copy = (limits: typeof LIMITS) =>
            s.ledger.reserveDailyQuota(request(day, 'a@x.example', 2, 4, limits, 'email-1'));
          expect(await copy(tight)).toMatchObject({ reserved: false, cap });
          // The operator raised the caps: the refused email's copies now fit, and count once.
          expect(await copy(LIMITS)).toEqual({ reserved: true, bridgePagesAfter: 6 });
          expect(await copy(LIMITS)).toEqual({ reserved: true, bridgePagesAfter: 6 });
          expect(await used(s, day, 'a@x.example')).toEqual({
            senderFaxes: 4,
            senderPages: 6,
            bridgePages: 6,
          });
        },
      );
    });

    it('stores each counter with its expiresAt', async () => {
      const s = subject();
      const day = freshDay();
      await s.ledger.reserveDailyQuota(request(day, 'a@x.example', 1, 1));
      expect((await s.storedQuota(senderQuotaPk('a@x.example', day)))?.expiresAt).toBe(EXPIRES_AT);
      expect((await s.storedQuota(bridgeQuotaPk(day)))?.expiresAt).toBe(EXPIRES_AT);
    });
  });

  describe('recording the numbers an email was faxed to', () => {
    const numbers = ['+13125551234', '+13125551299'];

    it('records the first set and answers every later call with it, whatever it names', async () => {
      const { ledger } = subject();
      const id = `mid-${randomUUID()}`;
      expect(await ledger.recordRecipients(id, numbers, EXPIRES_AT)).toEqual({ first: true });
      expect(await ledger.recordRecipients(id, ['+13125550000'], EXPIRES_AT + 9)).toEqual({
        first: false,
        numbers,
      });
      expect(await ledger.recordRecipients(id, numbers, EXPIRES_AT)).toEqual({
        first: false,
        numbers,
      });
    });

    it('lets exactly one of ten concurrent records win; the others see its numbers', async () => {
      const { ledger } = subject();
      const id = `mid-${randomUUID()}`;
      const records = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ledger.recordRecipients(id, [`+1312555${1200 + i}`], 1),
        ),
      );
      const winners = records.filter((r) => r.first);
      expect(winners).toHaveLength(1);
      const recorded = records.flatMap((r) => (r.first ? [] : [r.numbers]));
      expect(new Set(recorded.map((n) => n.join()))).toHaveProperty('size', 1);
    });

    it('keeps emails apart', async () => {
      const { ledger } = subject();
      await ledger.recordRecipients(`mid-${randomUUID()}`, numbers, EXPIRES_AT);
      expect(await ledger.recordRecipients(`mid-${randomUUID()}`, ['+13125550000'], 1)).toEqual({
        first: true,
      });
    });

    it('keeps the expiresAt of the first record', async () => {
      const { ledger, storedRecipientsExpiry } = subject();
      const id = `mid-${randomUUID()}`;
      await ledger.recordRecipients(id, numbers, EXPIRES_AT);
      await ledger.recordRecipients(id, numbers, EXPIRES_AT + 60);
      expect(await storedRecipientsExpiry(id)).toBe(EXPIRES_AT);
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
