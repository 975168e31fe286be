import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CallLease, CallLeases, JobKey, LeaseResult } from '../core/shared/ports';
import { channelKeys, isHolder } from './memory-call-leases';
import { numberLeasePk } from './storage-layout';

export interface DynamoDbCallLeasesOptions {
  table: string;
  client?: DynamoDBClient;
}

// Free when absent, held by the same job (a redelivered message), or past its time.
const FREE = 'attribute_not_exists(pk) OR (messageId = :m AND recipient = :r) OR #until < :now';
const HELD_BY = 'messageId = :m AND recipient = :r';

/**
 * Call leases in the ledger table, one item per channel (`lease#channel#<n>`) and per number
 * while a fax holds it. No transaction is needed: the number is taken first and given back when
 * no channel is free, so two faxes to one number never both hold a channel.
 */
export class DynamoDbCallLeases implements CallLeases {
  private readonly table: string;
  private readonly db: DynamoDBDocumentClient;

  constructor({ table, client = new DynamoDBClient({}) }: DynamoDbCallLeasesOptions) {
    this.table = table;
    this.db = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async acquire(job: JobKey, channels: number, now: Date, leaseSeconds: number) {
    const lease = leaseOf(job, now, leaseSeconds);
    if (!(await this.put(numberLeasePk(job.recipient), lease))) return 'number_busy';
    const held = await this.read(channels);
    const mine = held.find(([, item]) => isHolder(item, job));
    const order = mine ? [mine[0]] : shuffled(freeAt(held, now, channels));
    for (const pk of order) {
      if (await this.put(pk, lease)) return 'acquired' satisfies LeaseResult;
    }
    await this.drop(numberLeasePk(job.recipient), job);
    return 'no_channel' satisfies LeaseResult;
  }

  async renew(job: JobKey, channels: number, now: Date, leaseSeconds: number): Promise<void> {
    const until = now.getTime() + leaseSeconds * 1000;
    for (const pk of await this.keysOf(job, channels)) {
      await this.ifHeld(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: 'SET #until = :until',
          ConditionExpression: HELD_BY,
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: holder(job, { ':until': until }),
        }),
      );
    }
  }

  async release(job: JobKey, channels: number): Promise<void> {
    for (const pk of await this.keysOf(job, channels)) await this.drop(pk, job);
  }

  async held(channels: number): Promise<CallLease[]> {
    return (await this.read(channels)).flatMap(([, lease]) => lease ?? []);
  }

  private async keysOf(job: JobKey, channels: number): Promise<string[]> {
    const held = await this.read(channels);
    const own = held.filter(([, lease]) => isHolder(lease, job)).map(([pk]) => pk);
    return [numberLeasePk(job.recipient), ...own];
  }

  /** Each channel's key with its lease, when one is held. */
  private async read(channels: number): Promise<[string, CallLease | undefined][]> {
    const keys = channelKeys(channels);
    const found = new Map<string, CallLease>();
    for (let i = 0; i < keys.length; i += 100) {
      const batch = keys.slice(i, i + 100).map((pk) => ({ pk }));
      const { Responses } = await this.db.send(
        new BatchGetCommand({
          RequestItems: { [this.table]: { Keys: batch, ConsistentRead: true } },
        }),
      );
      for (const item of Responses?.[this.table] ?? []) {
        const { pk, ...lease } = item;
        found.set(String(pk), lease as CallLease);
      }
    }
    return keys.map((pk) => [pk, found.get(pk)]);
  }

  private async put(pk: string, lease: CallLease): Promise<boolean> {
    return this.ifHeld(
      new PutCommand({
        TableName: this.table,
        Item: { pk, ...lease, expiresAt: Math.ceil(lease.until / 1000) + 86_400 },
        ConditionExpression: FREE,
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: holder(lease, { ':now': lease.since }),
      }),
    );
  }

  private async drop(pk: string, job: JobKey): Promise<void> {
    await this.ifHeld(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk },
        ConditionExpression: HELD_BY,
        ExpressionAttributeValues: holder(job),
      }),
    );
  }

  /** True when the conditional write happened. */
  private async ifHeld(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      // The three commands share one client; the union defeats send's overloads.
      await this.db.send(command as PutCommand);
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

const leaseOf = (job: JobKey, now: Date, leaseSeconds: number): CallLease => ({
  messageId: job.messageId,
  recipient: job.recipient,
  since: now.getTime(),
  until: now.getTime() + leaseSeconds * 1000,
});

const holder = (job: JobKey, values: Record<string, unknown> = {}) => ({
  ':m': job.messageId,
  ':r': job.recipient,
  ...values,
});

function freeAt(held: [string, CallLease | undefined][], now: Date, channels: number) {
  const free = held.filter(([, lease]) => !lease || lease.until < now.getTime());
  return free.map(([pk]) => pk).slice(0, channels);
}

/** Faxes starting together try the free channels in different orders, not all the first. */
function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
