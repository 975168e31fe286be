// The floor: what the inbound handler cannot avoid for one email to one number, with no MIME
// parsing and no PDF work. The same adapters, built from the same settings, make the same calls
// in the same order: read raw/<id> (streamed to its end and dropped), look for an earlier job,
// write a document as large as the real one, presign its URL, claim the job, POST to Telnyx and
// record the answer. Bundled like a Lambda handler so that it loads and runs as the real one does.
import type { SESEvent } from 'aws-lambda';
import { staticApiKey } from '../functions/adapters/api-key';
import { dynamoDbClient, s3Client } from '../functions/adapters/aws-clients';
import { DynamoDbLedger } from '../functions/adapters/dynamodb-ledger';
import { S3Store } from '../functions/adapters/s3-store';
import { TelnyxClient } from '../functions/adapters/telnyx-client';
import { loadInboundSettings } from '../functions/config/inbound-settings';
import { processEnv } from '../functions/config/process-env';
import { encodeClientState, FIRST_ATTEMPT } from '../functions/core/shared/client-state';

const settings = loadInboundSettings(processEnv());
const store = new S3Store({ bucket: settings.faxBucket, client: s3Client(settings.aws) });
const ledger = new DynamoDbLedger({
  table: settings.ledgerTable,
  client: dynamoDbClient(settings.aws),
});
const fax = new TelnyxClient({
  apiUrl: settings.telnyxApi.url,
  apiKey: staticApiKey('key' in settings.telnyxApi.apiKey ? settings.telnyxApi.apiKey.key : ''),
});
const clientStateSecret =
  'value' in settings.clientStateSecret ? settings.clientStateSecret.value : '';
const documents = new Map<number, Buffer>();
// The real handler formats the number with libphonenumber; the floor stores as many characters.
const DISPLAY = { international: '+1 312-555-1234', national: '(312) 555-1234' };

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
  const mediaUrl = await store.documentUrl(messageId, settings.flow.mediaUrlTtlSeconds);
  const now = new Date();
  await ledger.claimFax({
    ...key,
    typed: options.recipient,
    recipientDisplay: DISPLAY,
    sender: 'alice@example.com',
    subject: 'floor',
    mediaKey: messageId,
    documentPages: 1,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + settings.flow.retentionDays * 86_400,
  });
  const sent = await fax.sendFax({
    connectionId: settings.flow.telnyx.connectionId,
    from: settings.flow.telnyx.fromNumber,
    to: options.recipient,
    mediaUrl,
    quality: 'high',
    webhookUrl: settings.flow.webhookUrl,
    clientState: encodeClientState(key, FIRST_ATTEMPT, clientStateSecret),
  });
  if (sent.kind !== 'accepted') throw new Error(`the Telnyx stand-in answered ${sent.kind}`);
  await ledger.advance(key, { status: 'queued', at: new Date().toISOString(), faxId: sent.faxId });
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
