// What the handlers run against: the local mode's stand-ins (s3rver, dynalite, aws-ses-v2-local,
// fauxqs with the dispatch queue) and a Telnyx stand-in that answers every POST with 202, all in
// this process; the handlers themselves run in child processes (worker.ts) with the local mode's
// settings.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDbCallLeases } from '../functions/adapters/dynamodb-call-leases';
import { DynamoDbLedger } from '../functions/adapters/dynamodb-ledger';
import { loadDispatchSettings } from '../functions/config/dispatch-settings';
import {
  ANY_FREE_PORTS,
  DISPATCH_DEAD_LETTERS,
  DISPATCH_QUEUE,
  handlerEnv,
  loadLocalSettings,
} from '../local/settings';
import { LOCAL_CREDENTIALS, localS3Client, type StandIns, startStandIns } from '../local/stand-ins';
import { createWebhookSigner, type WebhookSigner } from '../local/telnyx-webhooks';
import { startFakeTelnyx } from '../test/support/fake-telnyx';

export type FakeTelnyx = Awaited<ReturnType<typeof startFakeTelnyx>>;

export interface BenchEnvironment {
  /** The handlers' environment, as the local mode sets it, with Lambda's metrics left on. */
  env: Record<string, string>;
  bucket: string;
  s3: S3Client;
  ledger: DynamoDbLedger;
  /** The call leases the dispatch takes and the webhook gives back. */
  leases: DynamoDbCallLeases;
  /** TELNYX_CHANNELS and the lease time, as the dispatch function reads them. */
  calls: { channels: number; leaseSeconds: number };
  telnyx: FakeTelnyx;
  signer: WebhookSigner;
  standIns: StandIns;
  objectBytes(key: string): Promise<number | undefined>;
  deleteObjects(...keys: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startEnvironment(): Promise<BenchEnvironment> {
  const local = loadLocalSettings({ ...ANY_FREE_PORTS, LOCAL_DATA_DIR: tmpdir() });
  const standIns = await startStandIns({
    bucket: local.bucket,
    table: local.table,
    queues: [
      { name: DISPATCH_QUEUE, deadLetter: { name: DISPATCH_DEAD_LETTERS, maxReceiveCount: 5 } },
    ],
  });
  const telnyx = await startFakeTelnyx();
  const signer = createWebhookSigner();
  const env: Record<string, string> = {
    ...handlerEnv(local, {
      standIns: standIns.env,
      // Never called: the Telnyx stand-in sends no webhooks.
      webhookUrl: 'http://127.0.0.1:9/webhooks/telnyx',
      telnyxApiUrl: telnyx.url,
      telnyxPublicKey: signer.publicKey,
      clientStateSecret: randomBytes(32).toString('hex'),
      // Nothing consumes it: the inbound runs leave their messages there, and the dispatch case
      // builds its SQS events itself.
      dispatchQueueUrl: standIns.queueUrl(DISPATCH_QUEUE),
      // Never used: the bench receives no faxes.
      faxInQueueUrl: 'http://127.0.0.1:9/queue/fax-in',
      publicUrl: 'http://127.0.0.1:9',
    }),
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_SERVICE_NAME: 'fax-bridge',
    // Hundreds of emails from one sender in minutes: the daily caps would refuse the later ones,
    // and the benchmark measures the faxed path (the caps' own cost is in every run all the same).
    MAX_FAXES_PER_SENDER_PER_DAY: '100000',
    MAX_PAGES_PER_SENDER_PER_DAY: '1000000',
    MAX_PAGES_PER_DAY: '1000000',
  };
  const s3 = localS3Client(standIns.endpoints.s3, env.AWS_REGION);
  const db = new DynamoDBClient({
    endpoint: standIns.endpoints.dynamodb,
    region: env.AWS_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const ledger = new DynamoDbLedger({ table: local.table, client: db });
  const leases = new DynamoDbCallLeases({ table: local.table, client: db });
  const { channels, leaseSeconds } = loadDispatchSettings(env).flow;
  return {
    env,
    bucket: local.bucket,
    s3,
    ledger,
    leases,
    calls: { channels, leaseSeconds },
    telnyx,
    signer,
    standIns,
    async objectBytes(key) {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: local.bucket, Key: key }));
        return head.ContentLength;
      } catch {
        return undefined;
      }
    },
    async deleteObjects(...keys) {
      for (const key of keys) {
        await s3.send(new DeleteObjectCommand({ Bucket: local.bucket, Key: key }));
      }
    },
    async stop() {
      s3.destroy();
      db.destroy();
      await telnyx.stop();
      await standIns.stop();
    },
  };
}
