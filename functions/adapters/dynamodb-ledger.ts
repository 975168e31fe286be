import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { statusRank } from '../core/shared/fax-job';
import type {
  ClaimResult,
  FaxJob,
  JobKey,
  Ledger,
  NewFaxJob,
  NoticeClaim,
  StatusChange,
} from '../core/shared/ports';
import { eventPk, jobPk, noticePk } from './storage-layout';

export interface DynamoDbLedgerOptions {
  table: string;
  client?: DynamoDBClient;
}

type Item = Record<string, unknown>;

const OPTIONAL_FIELDS = [
  'faxId',
  'pageCount',
  'callDurationSecs',
  'failureReason',
  'note',
] as const satisfies readonly (keyof StatusChange)[];

/**
 * The ledger in one table keyed by `pk`: fax jobs (`job#…`), notice claims (`notice#…`) and
 * processed webhook events (`event#…`). Every rule that guards against duplicates or reordering
 * is a condition on the write, so concurrent Lambdas cannot both win.
 */
export class DynamoDbLedger implements Ledger {
  private readonly table: string;
  private readonly db: DynamoDBDocumentClient;

  constructor({ table, client = new DynamoDBClient({}) }: DynamoDbLedgerOptions) {
    this.table = table;
    this.db = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async claimFax(job: NewFaxJob): Promise<ClaimResult> {
    const item: FaxJob & Item = {
      ...job,
      pk: jobPk(job),
      status: 'claimed',
      statusRank: statusRank('claimed'),
      statusTimes: { claimed: job.createdAt },
      updatedAt: job.createdAt,
    };
    const claimed = await writeIf(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (claimed) return { claimed: true };
    const existing = await this.getJob(job);
    if (!existing) throw new Error(`ledger job ${jobPk(job)} vanished while being claimed`);
    return { claimed: false, existing };
  }

  async getJob(key: JobKey): Promise<FaxJob | undefined> {
    const item = await this.get(jobPk(key));
    return item && toJob(item);
  }

  async advance(key: JobKey, change: StatusChange): Promise<FaxJob | undefined> {
    const names: Record<string, string> = {
      '#status': 'status',
      '#rank': 'statusRank',
      '#times': 'statusTimes',
      '#reached': change.status,
      '#updatedAt': 'updatedAt',
    };
    const values: Item = {
      ':status': change.status,
      ':rank': statusRank(change.status),
      ':at': change.at,
    };
    const sets = [
      '#status = :status',
      '#rank = :rank',
      '#times.#reached = :at',
      '#updatedAt = :at',
    ];
    for (const field of OPTIONAL_FIELDS) {
      if (change[field] === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = change[field];
      sets.push(`#${field} = :${field}`);
    }
    let condition = 'attribute_exists(pk) AND #rank < :rank';
    if (change.faxId !== undefined) {
      condition += ' AND (attribute_not_exists(#faxId) OR #faxId = :faxId)';
    }
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobPk(key) },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes && toJob(Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async claimNotice(
    noticeId: string,
    now: Date,
    leaseSeconds: number,
    expiresAt: number,
  ): Promise<NoticeClaim> {
    const claimed = await writeIf(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: noticePk(noticeId), claimedAtMs: now.getTime(), expiresAt },
          ConditionExpression:
            'attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND claimedAtMs <= :staleBefore)',
          ExpressionAttributeValues: { ':staleBefore': now.getTime() - leaseSeconds * 1000 },
        }),
      ),
    );
    if (claimed) return 'claimed';
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: noticePk(noticeId) },
        ConsistentRead: true,
      }),
    );
    return Item?.sentAt ? 'sent' : 'held';
  }

  async markNoticeSent(noticeId: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: noticePk(noticeId) },
        UpdateExpression: 'SET sentAt = :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async releaseNotice(noticeId: string): Promise<void> {
    await writeIf(
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: noticePk(noticeId) },
          ConditionExpression: 'attribute_not_exists(sentAt)',
        }),
      ),
    );
  }

  async isEventProcessed(eventId: string): Promise<boolean> {
    return (await this.get(eventPk(eventId))) !== undefined;
  }

  async markEventProcessed(eventId: string, at: string, expiresAt: number): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: eventPk(eventId), processedAt: at, expiresAt },
      }),
    );
  }

  private async get(pk: string): Promise<Item | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true }),
    );
    return Item;
  }
}

/** True when the conditional write happened, false when its condition did not hold. */
async function writeIf(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

function toJob(item: Item): FaxJob {
  const { pk: _pk, statusRank: _rank, ...job } = item;
  return job as unknown as FaxJob;
}
