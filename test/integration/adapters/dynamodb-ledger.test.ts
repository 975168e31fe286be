// What only the DynamoDB adapter does: the items it writes (tables in service hold them, so their
// keys and attributes must not move) and the errors it lets through. The rules it shares with the
// in-memory ledger are in test/contract/ledger.contract.test.ts.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newFaxJob } from '../../../fixtures/fax-jobs';
import { DynamoDbLedger } from '../../../functions/adapters/dynamodb-ledger';
import { localClientConfig, TEST_TABLE, useStandIns } from '../../support/stand-ins';

const newJob = () => newFaxJob();

describe('DynamoDbLedger', () => {
  const standIns = useStandIns();
  const client = () => new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb));
  const ledger = (table = TEST_TABLE) => new DynamoDbLedger({ table, client: client() });
  const item = async (pk: string) =>
    (
      await DynamoDBDocumentClient.from(client()).send(
        new GetCommand({ TableName: TEST_TABLE, Key: { pk } }),
      )
    ).Item;

  it('keeps a job under job#<messageId>#<recipient>, with the rank its condition compares', async () => {
    const job = newJob();
    await ledger().claimFax(job);
    await ledger().advance(job, { status: 'queued', at: '2026-03-01T10:00:01Z', faxId: 'fax-1' });
    expect(await item(`job#${job.messageId}#${job.recipient}`)).toEqual({
      ...job,
      pk: `job#${job.messageId}#${job.recipient}`,
      status: 'queued',
      statusRank: 2,
      faxId: 'fax-1',
      statusTimes: { claimed: job.createdAt, queued: '2026-03-01T10:00:01Z' },
      updatedAt: '2026-03-01T10:00:01Z',
    });
  });

  it('keeps a notice claim under notice#<id> and a processed event under event#<id>', async () => {
    const id = randomUUID();
    const now = new Date('2026-03-01T10:00:00Z');
    await ledger().claimNotice(`mail#${id}`, now, 60, 1_800_000_000);
    await ledger().markNoticeSent(`mail#${id}`, now.toISOString());
    await ledger().markEventProcessed(id, now.toISOString(), 1_800_000_000);
    expect(await item(`notice#mail#${id}`)).toEqual({
      pk: `notice#mail#${id}`,
      claimedAtMs: now.getTime(),
      sentAt: now.toISOString(),
      expiresAt: 1_800_000_000,
    });
    expect(await item(`event#${id}`)).toEqual({
      pk: `event#${id}`,
      processedAt: now.toISOString(),
      expiresAt: 1_800_000_000,
    });
  });

  it('lets other DynamoDB errors through', async () => {
    await expect(ledger('no-such-table').claimFax(newJob())).rejects.toThrow();
    await expect(
      ledger('no-such-table').advance(newJob(), { status: 'queued', at: 'x' }),
    ).rejects.toThrow();
    await expect(ledger('no-such-table').claimNotice('n', new Date(), 60, 1)).rejects.toThrow();
    await expect(ledger('no-such-table').releaseNotice('n')).rejects.toThrow();
    await expect(ledger('no-such-table').isEventProcessed('e')).rejects.toThrow();
  });
});
