import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../../functions/adapters/dynamodb-ledger';
import type { NewFaxJob, StatusChange } from '../../../functions/core/shared/ports';
import { localClientConfig, TEST_TABLE, useStandIns } from '../../support/stand-ins';

const newJob = (): NewFaxJob => ({
  messageId: randomUUID(),
  recipient: '+13125550100',
  typed: '3125550100',
  sender: 'alice@example.com',
  subject: 'Lease, signed',
  emailMessageId: '<abc@example.com>',
  mediaKey: randomUUID(),
  documentPages: 3,
  recipientDisplay: { international: '+1 312-555-1234', national: '(312) 555-1234' },
  createdAt: '2026-03-01T10:00:00.000Z',
  expiresAt: 1_800_000_000,
});

describe('DynamoDbLedger', () => {
  const standIns = useStandIns();
  const ledger = (table = TEST_TABLE) =>
    new DynamoDbLedger({
      table,
      client: new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb)),
    });

  describe('fax jobs', () => {
    it('claims a job once; the second claim gets the existing job', async () => {
      const job = newJob();
      expect(await ledger().claimFax(job)).toEqual({ claimed: true });

      const second = await ledger().claimFax({ ...job, subject: 'another try' });
      expect(second).toEqual({
        claimed: false,
        existing: {
          ...job,
          status: 'claimed',
          statusTimes: { claimed: job.createdAt },
          updatedAt: job.createdAt,
        },
      });
    });

    it('lets exactly one of ten concurrent claims win', async () => {
      const job = newJob();
      const results = await Promise.all(Array.from({ length: 10 }, () => ledger().claimFax(job)));
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
    });

    it('moves a job forward, recording each status time and the details given', async () => {
      const job = newJob();
      await ledger().claimFax(job);
      const queued = await ledger().advance(job, {
        status: 'queued',
        at: '2026-03-01T10:00:01.000Z',
        faxId: 'fax-1',
      });
      expect(queued).toMatchObject({ status: 'queued', faxId: 'fax-1' });

      const processed = await ledger().advance(job, {
        status: 'media.processed',
        at: '2026-03-01T10:00:05.000Z',
        faxId: 'fax-1',
      });
      const delivered = await ledger().advance(job, {
        status: 'delivered',
        at: '2026-03-01T10:01:00.000Z',
        faxId: 'fax-1',
        pageCount: 3,
        callDurationSecs: 42,
      });
      expect(processed?.status).toBe('media.processed');
      expect(delivered).toEqual({
        ...job,
        status: 'delivered',
        faxId: 'fax-1',
        pageCount: 3,
        callDurationSecs: 42,
        statusTimes: {
          claimed: job.createdAt,
          queued: '2026-03-01T10:00:01.000Z',
          'media.processed': '2026-03-01T10:00:05.000Z',
          delivered: '2026-03-01T10:01:00.000Z',
        },
        updatedAt: '2026-03-01T10:01:00.000Z',
      });
      expect(await ledger().getJob(job)).toEqual(delivered);
    });

    it('never moves a job backward: a late sending event after delivery changes nothing', async () => {
      const job = newJob();
      await ledger().claimFax(job);
      const delivered = await ledger().advance(job, {
        status: 'delivered',
        at: '2026-03-01T10:01:00.000Z',
        faxId: 'fax-2',
      });
      expect(
        await ledger().advance(job, { status: 'sending', at: '2026-03-01T10:02:00.000Z' }),
      ).toBeUndefined();
      expect(
        await ledger().advance(job, { status: 'failed', at: '2026-03-01T10:02:00.000Z' }),
      ).toBeUndefined();
      expect(await ledger().getJob(job)).toEqual(delivered);
    });

    it('ignores a change for another fax id', async () => {
      const job = newJob();
      await ledger().claimFax(job);
      await ledger().advance(job, { status: 'queued', at: '2026-03-01T10:00:01Z', faxId: 'fax-3' });
      const stranger: StatusChange = { status: 'sending', at: '2026-03-01T10:00:09Z', faxId: 'x' };
      expect(await ledger().advance(job, stranger)).toBeUndefined();
      expect((await ledger().getJob(job))?.status).toBe('queued');
    });

    it('records why a fax was not sent', async () => {
      const job = newJob();
      await ledger().claimFax(job);
      const notSent = await ledger().advance(job, {
        status: 'not_sent',
        at: '2026-03-01T10:00:02Z',
        note: 'Telnyx refused the number',
      });
      expect(notSent).toMatchObject({ status: 'not_sent', note: 'Telnyx refused the number' });
    });

    it('changes nothing for a job that was never claimed', async () => {
      const job = newJob();
      expect(await ledger().advance(job, { status: 'queued', at: '2026-03-01T10:00:01Z' })).toBe(
        undefined,
      );
      expect(await ledger().getJob(job)).toBeUndefined();
    });

    it('lets other DynamoDB errors through', async () => {
      await expect(ledger('no-such-table').claimFax(newJob())).rejects.toThrow();
      await expect(ledger('no-such-table').isEventProcessed('e')).rejects.toThrow();
    });
  });

  describe('notices', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

    it('grants a claim once until its lease runs out', async () => {
      const id = `mail#${randomUUID()}`;
      expect(await ledger().claimNotice(id, now, 60, 1_800_000_000)).toBe('claimed');
      expect(await ledger().claimNotice(id, later(30), 60, 1_800_000_000)).toBe('held');
      expect(await ledger().claimNotice(id, later(61), 60, 1_800_000_000)).toBe('claimed');
    });

    it('never grants a claim again once the notice was sent', async () => {
      const id = `mail#${randomUUID()}`;
      await ledger().claimNotice(id, now, 60, 1_800_000_000);
      await ledger().markNoticeSent(id, now.toISOString());
      expect(await ledger().claimNotice(id, later(3600), 60, 1_800_000_000)).toBe('sent');
      await ledger().releaseNotice(id);
      expect(await ledger().claimNotice(id, later(3600), 60, 1_800_000_000)).toBe('sent');
    });

    it('lets a retry claim at once after a release', async () => {
      const id = `mail#${randomUUID()}`;
      await ledger().claimNotice(id, now, 60, 1_800_000_000);
      await ledger().releaseNotice(id);
      expect(await ledger().claimNotice(id, later(1), 60, 1_800_000_000)).toBe('claimed');
    });

    it('lets exactly one of concurrent claims win', async () => {
      const id = `mail#${randomUUID()}`;
      const claims = await Promise.all(
        Array.from({ length: 10 }, () => ledger().claimNotice(id, now, 60, 1_800_000_000)),
      );
      expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c === 'held')).toHaveLength(9);
    });
  });

  describe('webhook events', () => {
    it('remembers processed events', async () => {
      const id = randomUUID();
      expect(await ledger().isEventProcessed(id)).toBe(false);
      await ledger().markEventProcessed(id, '2026-03-01T10:00:00Z', 1_800_000_000);
      expect(await ledger().isEventProcessed(id)).toBe(true);
      expect(await ledger().isEventProcessed(randomUUID())).toBe(false);
    });
  });
});
