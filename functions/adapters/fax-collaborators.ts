// What the dispatch and the sweeper both work with: the ledger and its call leases, the queue,
// Telnyx, the documents, SES, and the client_state key, built once from their settings.

import type { FaxFunctionSettings } from '../config/fax-settings';
import { CLIENT_STATE_KEY, secretFromSetting } from './api-key';
import { dynamoDbClient, s3Client, secretsProvider, sesClient, sqsClient } from './aws-clients';
import { DynamoDbCallLeases } from './dynamodb-call-leases';
import { DynamoDbLedger } from './dynamodb-ledger';
import type { Observability } from './observability';
import { S3Store } from './s3-store';
import { SesMailer } from './ses-mailer';
import { SqsDispatchQueue } from './sqs-dispatch-queue';
import { telnyxClient } from './telnyx-api';

export function faxCollaborators(settings: FaxFunctionSettings, observability: Observability) {
  const { aws } = settings;
  // One provider, so both secrets share its client and its cache.
  const secrets = secretsProvider(aws);
  const db = dynamoDbClient(aws);
  return {
    ledger: new DynamoDbLedger({ table: settings.ledgerTable, client: db }),
    leases: new DynamoDbCallLeases({ table: settings.ledgerTable, client: db }),
    queue: new SqsDispatchQueue({ queueUrl: settings.dispatchQueueUrl, client: sqsClient(aws) }),
    fax: telnyxClient(settings.telnyxApi, secrets),
    media: new S3Store({ bucket: settings.faxBucket, client: s3Client(aws) }),
    mailer: new SesMailer({ client: sesClient(aws) }),
    clock: () => new Date(),
    log: observability.log,
    clientStateSecret: secretFromSetting(settings.clientStateSecret, CLIENT_STATE_KEY, secrets),
    random: Math.random,
  };
}
