// The floor: what the inbound handler cannot avoid for one email to one number, with no MIME
// parsing and no PDF work. The same adapters, built from the same settings, make the same calls
// in the same order: read raw/<id> (streamed to its end and dropped), look for an earlier job,
// write a document as large as the real one, claim the job and send its message to the dispatch
// queue. The presign and the POST to Telnyx are the dispatch function's now (bench/dispatch.ts).
// Bundled like a Lambda handler so that it loads and runs as the real one does.
import type { SESEvent } from 'aws-lambda';
import { dynamoDbClient, s3Client, sqsClient } from '../functions/adapters/aws-clients';
import { DynamoDbLedger } from '../functions/adapters/dynamodb-ledger';
import { S3Store } from '../functions/adapters/s3-store';
import { SqsDispatchQueue } from '../functions/adapters/sqs-dispatch-queue';
import { loadInboundSettings } from '../functions/config/inbound-settings';
import { processEnv } from '../functions/config/process-env';

const settings = loadInboundSettings(processEnv());
const store = new S3Store({ bucket: settings.faxBucket, client: s3Client(settings.aws) });
const ledger = new DynamoDbLedger({
  table: settings.ledgerTable,
  client: dynamoDbClient(settings.aws),
});
const queue = new SqsDispatchQueue({
  queueUrl: settings.dispatchQueueUrl,
  client: sqsClient(settings.aws),
});
const documents = new Map<number, Buffer>();
// The real handler formats the numbers with libphonenumber; the floor stores as many characters.
const DISPLAY = { international: '+1 312-555-1234', national: '(312) 555-1234' };
const FROM = { e164: '+13125550199', international: '+1 312-555-0199', national: '(312) 555-0199' };

export interface FloorOptions {
  /** Size of the document the real handler wrote for this email. */
  documentBytes: number;
  /** The E.164 number the real handler faxed. */
  recipient: string;
}

export const handler = async (event: SESEvent, options: FloorOptions): Promise<void> => {
  const { messageId } = event.Records[0]?.ses.mail ?? { messageId: '' };
  const raw = await store.openRawMail(messageId);
  if (!raw) throw new Error(`raw/${messageId} is not in the bucket`);
  for await (const _ of raw);

  const key = { messageId, recipient: options.recipient };
  if (await ledger.getJob(key)) throw new Error(`job ${messageId} exists already`);
  await store.putDocument(messageId, document(options.documentBytes));
  const now = new Date();
  const claimed = await ledger.claimFax({
    ...key,
    typed: options.recipient,
    recipientDisplay: DISPLAY,
    fromNumber: FROM,
    contents: { files: [{ filename: 'floor.pdf', pages: 1 }], coverPage: false },
    emailFaxNumbers: 1,
    faxAddress: `${options.recipient}@fax.localhost`,
    sender: 'alice@example.com',
    subject: 'floor',
    mediaKey: messageId,
    documentPages: 1,
    quality: 'high',
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + settings.flow.retentionDays * 86_400,
  });
  if (!claimed.claimed) throw new Error(`job ${messageId} was claimed before`);
  await queue.enqueue({ ...key, attempt: 1 }, 0);
};

// Made once per size, outside any measured call after the first: the real handler's document
// comes out of work the floor leaves out.
function document(bytes: number): Buffer {
  let pdf = documents.get(bytes);
  if (!pdf) {
    pdf = Buffer.alloc(bytes, 0x25);
    documents.set(bytes, pdf);
  }
  return pdf;
}
