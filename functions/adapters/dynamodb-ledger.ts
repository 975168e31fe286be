import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { attemptRank } from '../core/shared/fax-job';
import type {
  ClaimResult,
  DialRecord,
  FaxJob,
  JobKey,
  Ledger,
  NewFaxJob,
  NoticeClaim,
  QuotaRequest,
  QuotaReservation,
  RecipientsRecord,
  StatusChange,
} from '../core/shared/ports';
import {
  bridgeQuotaPk,
  eventPk,
  jobPk,
  noticePk,
  recipientsPk,
  senderQuotaPk,
} from './storage-layout';

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
 * The ledger in one table keyed by `pk`: fax jobs (`job#…`), notice claims (`notice#…`),
 * processed webhook events (`event#…`) and daily counters (`quota#…`). Every rule that guards against duplicates or reordering
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
      statusRank: attemptRank('claimed'),
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
      ':rank': attemptRank(change.status, change.attempt),
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

  async claimDial(key: JobKey, attempt: number, at: string): Promise<FaxJob | undefined> {
    return this.updateJob(key, {
      UpdateExpression: 'SET dialledAttempt = :a, dialledAt = :at',
      ConditionExpression: `${onAttempt(attempt)} AND #status = :claimed AND (attribute_not_exists(dialledAttempt) OR dialledAttempt < :a)`,
      ExpressionAttributeNames: { '#attempt': 'attempt', '#status': 'status' },
      ExpressionAttributeValues: { ':a': attempt, ':at': at, ':claimed': 'claimed' },
    });
  }

  async releaseDial(key: JobKey, attempt: number): Promise<void> {
    await this.updateJob(key, {
      UpdateExpression: 'REMOVE dialledAttempt, dialledAt',
      ConditionExpression: 'dialledAttempt = :a AND #status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':a': attempt, ':claimed': 'claimed' },
    });
  }

  async startNextAttempt(key: JobKey, dial: DialRecord): Promise<FaxJob | undefined> {
    const next = dial.attempt + 1;
    let condition = `${onAttempt(dial.attempt)} AND statusRank < :final`;
    const values: Item = {
      ':a': dial.attempt,
      ':next': next,
      ':final': attemptRank('delivered', dial.attempt),
      ':claimed': 'claimed',
      ':rank': attemptRank('claimed', next),
      ':times': { claimed: dial.endedAt },
      ':at': dial.endedAt,
      ':dial': [dial],
      ':none': [],
    };
    if (dial.faxId !== undefined) {
      condition += ' AND (attribute_not_exists(faxId) OR faxId = :faxId)';
      values[':faxId'] = dial.faxId;
    }
    return this.updateJob(key, {
      UpdateExpression:
        'SET #attempt = :next, #status = :claimed, statusRank = :rank, statusTimes = :times, ' +
        'updatedAt = :at, dials = list_append(if_not_exists(dials, :none), :dial) ' +
        'REMOVE faxId, pageCount, callDurationSecs, failureReason, note, dialledAttempt, dialledAt',
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#attempt': 'attempt', '#status': 'status' },
      ExpressionAttributeValues: values,
    });
  }

  /** One conditional update of a job: the job after it, or undefined when its condition failed. */
  private async updateJob(
    key: JobKey,
    update: Pick<
      UpdateCommandInput,
      | 'UpdateExpression'
      | 'ConditionExpression'
      | 'ExpressionAttributeNames'
      | 'ExpressionAttributeValues'
    >,
  ): Promise<FaxJob | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobPk(key) },
          ...update,
          ConditionExpression: `attribute_exists(pk) AND ${update.ConditionExpression}`,
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

  async recordRecipients(
    emailId: string,
    numbers: string[],
    expiresAt: number,
  ): Promise<RecipientsRecord> {
    const pk = recipientsPk(emailId);
    const first = await writeIf(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk, numbers, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (first) return { first: true };
    const item = await this.get(pk);
    if (!item) throw new Error(`ledger item ${pk} vanished while being recorded`);
    return { first: false, numbers: item.numbers as string[] };
  }

  // dynalite, the local stand-in, has no TransactWriteItems, so the three counters take two
  // conditional writes: the sender's item holds both of the sender's counters (one write moves
  // them together), then the bridge's item; when the bridge's refuses, the sender's is given back.
  // A crash between the two leaves the sender over-counted, never under: it can only refuse more.
  // Each item keeps the identities it counted and each write skips one it holds. A copy of an
  // email that finds its identity on the sender's item (a concurrent copy is past that write)
  // still asks the bridge's: that copy may yet be refused there and give back, and the bridge's
  // one item answers every copy alike, so no copy faxes what another was refused.
  async reserveDailyQuota(request: QuotaRequest): Promise<QuotaReservation> {
    const ofSender = await this.reserveForSender(request);
    if (ofSender !== 'added' && ofSender !== 'counted') return ofSender;
    let reservation: QuotaReservation;
    try {
      reservation = await this.reserveForBridge(request);
    } catch (error) {
      // The email will be retried and will reserve again: it must not count twice for the sender.
      if (ofSender === 'added') await this.giveBackToSender(request).catch(() => {});
      throw error;
    }
    if (!reservation.reserved && ofSender === 'added') await this.giveBackToSender(request);
    return reservation;
  }

  /**
   * Counts against the sender's counters, finds the email counted there already, or names the
   * sender's cap it would pass. A write that failed only because another reservation held counts
   * it then gave back is tried again.
   */
  private async reserveForSender(request: QuotaRequest): Promise<SenderCount> {
    for (let attempt = 0; attempt < QUOTA_ATTEMPTS; attempt++) {
      if (await this.addToSender(request)) return 'added';
      const item = await this.get(senderQuotaPk(request.sender, request.day));
      if (holdsEmail(item, request.emailId)) return 'counted';
      const over = senderCapCrossed(request, item);
      if (over) return over;
    }
    // Lambda retries the email: by then the reservations racing this one are settled.
    throw new Error(`daily quota of ${request.sender} contended ${QUOTA_ATTEMPTS} times`);
  }

  /** True when both of the sender's counters took the request within their limits. */
  private async addToSender(request: QuotaRequest) {
    const { day, sender, emailId, faxes, pages, limits, expiresAt } = request;
    const faxRoom = limits.senderFaxes - faxes;
    const pageRoom = limits.senderPages - pages;
    if (faxRoom < 0 || pageRoom < 0) return false;
    return writeIf(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: senderQuotaPk(sender, day) },
          UpdateExpression:
            'ADD #faxes :faxes, #pages :pages, #emails :emailIds SET #expiresAt = :expiresAt',
          ConditionExpression: `(attribute_not_exists(pk) OR (#faxes <= :faxRoom AND #pages <= :pageRoom)) AND ${UNCOUNTED}`,
          ExpressionAttributeNames: {
            '#faxes': 'faxes',
            '#pages': 'pages',
            '#emails': 'emails',
            '#expiresAt': 'expiresAt',
          },
          ExpressionAttributeValues: {
            ':faxes': faxes,
            ':pages': pages,
            ':emailId': emailId,
            ':emailIds': new Set([emailId]),
            ':expiresAt': expiresAt,
            ':faxRoom': faxRoom,
            ':pageRoom': pageRoom,
          },
        }),
      ),
    );
  }

  private async giveBackToSender({ day, sender, emailId, faxes, pages }: QuotaRequest) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: senderQuotaPk(sender, day) },
        UpdateExpression: 'ADD #faxes :faxes, #pages :pages DELETE #emails :emailIds',
        ExpressionAttributeNames: { '#faxes': 'faxes', '#pages': 'pages', '#emails': 'emails' },
        ExpressionAttributeValues: {
          ':faxes': -faxes,
          ':pages': -pages,
          ':emailIds': new Set([emailId]),
        },
      }),
    );
  }

  /** Counts the request's pages for the bridge, finds the email counted there, or names the cap. */
  private async reserveForBridge(request: QuotaRequest): Promise<QuotaReservation> {
    const added = await this.addToBridge(request);
    if (added !== undefined) return { reserved: true, bridgePagesAfter: added };
    const bridge = await this.get(bridgeQuotaPk(request.day));
    const used = count(bridge, 'pages');
    if (holdsEmail(bridge, request.emailId)) return { reserved: true, bridgePagesAfter: used };
    return { reserved: false, cap: 'bridge_pages', limit: request.limits.bridgePages, used };
  }

  /** The bridge's pages after counting the request, or undefined when it did not count them. */
  private async addToBridge({ day, emailId, pages, limits, expiresAt }: QuotaRequest) {
    const room = limits.bridgePages - pages;
    if (room < 0) return undefined;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: bridgeQuotaPk(day) },
          UpdateExpression: 'ADD #pages :pages, #emails :emailIds SET #expiresAt = :expiresAt',
          ConditionExpression: `(attribute_not_exists(pk) OR #pages <= :room) AND ${UNCOUNTED}`,
          ExpressionAttributeNames: {
            '#pages': 'pages',
            '#emails': 'emails',
            '#expiresAt': 'expiresAt',
          },
          ExpressionAttributeValues: {
            ':pages': pages,
            ':emailId': emailId,
            ':emailIds': new Set([emailId]),
            ':expiresAt': expiresAt,
            ':room': room,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return count(Attributes, 'pages');
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  private async get(pk: string): Promise<Item | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true }),
    );
    return Item;
  }
}

/** Jobs of earlier versions have no attempt attribute: they are on attempt 1. */
const onAttempt = (attempt: number) =>
  attempt === 1 ? '(attribute_not_exists(#attempt) OR #attempt = :a)' : '#attempt = :a';

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

/** Sender writes a racing reservation's give-back can fail before one is refused for good. */
const QUOTA_ATTEMPTS = 3;

/** A daily counter's condition that the email it would count is not among those it counted. */
const UNCOUNTED = 'NOT contains(#emails, :emailId)';

/** What the sender's counters did with a reservation: counted it now, had counted it, or refused. */
type SenderCount = 'added' | 'counted' | Refused;

type Refused = Extract<QuotaReservation, { reserved: false }>;

const holdsEmail = (item: Item | undefined, emailId: string): boolean =>
  item?.emails instanceof Set && item.emails.has(emailId);

const count = (item: Item | undefined, field: string): number => Number(item?.[field] ?? 0);

function senderCapCrossed(
  { faxes, pages, limits }: QuotaRequest,
  item: Item | undefined,
): Refused | undefined {
  const usedFaxes = count(item, 'faxes');
  if (usedFaxes + faxes > limits.senderFaxes) {
    return { reserved: false, cap: 'sender_faxes', limit: limits.senderFaxes, used: usedFaxes };
  }
  const usedPages = count(item, 'pages');
  if (usedPages + pages > limits.senderPages) {
    return { reserved: false, cap: 'sender_pages', limit: limits.senderPages, used: usedPages };
  }
  return undefined;
}

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

/** A job item as the ledger stores it, without its key and rank (ops/faxes.ts reads them too). */
export function toJob(item: Item): FaxJob {
  const { pk: _pk, statusRank: _rank, ...job } = item;
  return job as unknown as FaxJob;
}
