import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ReceivedFax, ReceivedFaxLog } from '../core/shared/ports';
import { receivedPk } from './storage-layout';

export interface DynamoDbReceivedFaxesOptions {
  table: string;
  client?: DynamoDBClient;
}

/**
 * One ledger item per received fax (`received#<faxId>`), written once by a conditional put: what
 * arrived, from whom, when; never the document or the caller's name.
 */
export class DynamoDbReceivedFaxes implements ReceivedFaxLog {
  private readonly table: string;
  private readonly db: DynamoDBDocumentClient;

  constructor({ table, client = new DynamoDBClient({}) }: DynamoDbReceivedFaxesOptions) {
    this.table = table;
    this.db = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async recordReceived(
    fax: ReceivedFax,
    at: string,
    expiresAt: number,
  ): Promise<'first' | 'again'> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: receivedPk(fax.faxId), ...receivedItem(fax, at), expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'first';
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return 'again';
      throw error;
    }
  }
}

/** What the ledger keeps of a received fax. */
const receivedItem = (fax: ReceivedFax, at: string) => ({
  faxId: fax.faxId,
  from: fax.from,
  to: fax.to,
  pageCount: fax.pageCount,
  partial: fax.partial,
  receivedAt: fax.receivedAt,
  recordedAt: at,
});
