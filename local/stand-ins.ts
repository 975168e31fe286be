// Starts the local stand-ins for S3 (s3rver), DynamoDB (dynalite), SES sending
// (aws-ses-v2-local) and SQS (fauxqs) on 127.0.0.1, so the same adapters run against them in
// tests, the local mode and the benchmarks.
//
// Why fauxqs for SQS: it runs in-process from npm (no JVM as ElasticMQ needs, no Docker as
// LocalStack does), speaks the JSON protocol the current AWS SDK v3 sends, and implements what the
// dispatch queue relies on: per-message delays, visibility timeouts, ChangeMessageVisibility,
// long polling and a RedrivePolicy's dead-letter queue after maxReceiveCount. 1.x, because 2.x
// needs Node 22. It keeps nothing across restarts: queued messages are gone at stop.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  QueueAttributeName,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { closeHttpServer, listen, PortInUseError } from './listen';

export interface StandInsOptions {
  /** Where S3 objects and ledger items persist across restarts; absent: gone at stop. */
  dataDir?: string;
  /** 0 or absent: any free port. */
  ports?: { s3?: number; dynamodb?: number; ses?: number; sqs?: number };
  bucket: string;
  table: string;
  /** Standard queues to create; none by default. */
  queues?: readonly StandInQueue[];
  region?: string;
}

export interface StandInQueue {
  name: string;
  /** @default 30, as SQS */
  visibilityTimeoutSeconds?: number;
  /** A queue of this name takes a message received more than `maxReceiveCount` times. */
  deadLetter?: { name: string; maxReceiveCount: number };
}

/** One email as aws-ses-v2-local keeps it (GET /store). Raw headers are not kept. */
export interface SesStoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  /** Epoch seconds. */
  at: number;
}

export interface StandIns {
  endpoints: { s3: string; dynamodb: string; ses: string; sqs: string };
  /** The settings that point the AWS SDK and the handlers at the stand-ins. */
  env: Record<string, string>;
  /** The URL of a queue (or dead-letter queue) named in the options; throws for any other. */
  queueUrl(name: string): string;
  sentEmails(): Promise<SesStoredEmail[]>;
  clearEmails(): Promise<void>;
  stop(): Promise<void>;
}

/** s3rver only accepts its built-in account; dynalite and aws-ses-v2-local accept any key. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** An S3 client for s3rver: its one account, path-style addressing, checksums only when required. */
export function localS3Client(endpoint: string, region = 'us-east-1'): S3Client {
  return new S3Client({
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const HOST = '127.0.0.1';

// These packages ship CommonJS without types; require keeps the interop predictable under tsx,
// vitest and esbuild alike.
const require = createRequire(import.meta.url);

interface S3rverInstance {
  callback(): RequestListener;
  configureBuckets(): Promise<unknown>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type Dynalite = (options: Record<string, unknown>) => Server;
type SesServer = (config: { host: string; port: number }) => Promise<Server>;

export async function startStandIns(options: StandInsOptions): Promise<StandIns> {
  const region = options.region ?? 'us-east-1';
  const scratch = options.dataDir ? undefined : await mkdtemp(path.join(tmpdir(), 'fax-bridge-'));
  const dataDir = options.dataDir ?? (scratch as string);
  const running: Server[] = [];
  let sqsServer: SqsStandIn | undefined;
  const stopServers = () =>
    Promise.all([...running.map(closeHttpServer), sqsServer?.stop()]).then(() => undefined);
  let queueUrls: Map<string, string>;
  try {
    running.push(await startS3(options.bucket, path.join(dataDir, 's3'), options.ports?.s3 ?? 0));
    const dynamodbDir = options.dataDir ? path.join(options.dataDir, 'dynamodb') : undefined;
    running.push(await startDynamoDb(dynamodbDir, options.ports?.dynamodb ?? 0));
    running.push(await startSes(options.ports?.ses ?? 0));
    sqsServer = await startSqs(options.ports?.sqs ?? 0);
    await ensureTable(endpointOf(running[1] as Server), region, options.table);
    queueUrls = await createQueues(sqsServer.endpoint, region, options.queues ?? []);
  } catch (error) {
    await stopServers();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  const [s3, dynamodb, ses] = running.map(endpointOf) as [string, string, string];
  const sqs = sqsServer.endpoint;

  return {
    endpoints: { s3, dynamodb, ses, sqs },
    queueUrl(name) {
      const url = queueUrls.get(name);
      if (!url) throw new Error(`no stand-in queue is named ${name}`);
      return url;
    },
    env: {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
      AWS_ENDPOINT_URL_SES: ses,
      AWS_ENDPOINT_URL_SQS: sqs,
      // Otherwise s3rver stores the SDK's aws-chunked framing of a streamed upload as the object.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      FAX_BUCKET: options.bucket,
      LEDGER_TABLE: options.table,
    },
    async sentEmails() {
      const response = await fetch(`${ses}/store`);
      if (!response.ok) throw new Error(`aws-ses-v2-local /store answered ${response.status}`);
      return ((await response.json()) as { emails: SesStoredEmail[] }).emails;
    },
    async clearEmails() {
      const response = await fetch(`${ses}/clear-store`, { method: 'POST' });
      if (!response.ok)
        throw new Error(`aws-ses-v2-local /clear-store answered ${response.status}`);
    },
    async stop() {
      await stopServers();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    },
  };
}

async function startS3(bucket: string, directory: string, port: number): Promise<Server> {
  await mkdir(directory, { recursive: true });
  const S3rver = require('s3rver') as S3rverConstructor;
  const s3rver = new S3rver({ directory, silent: true, configureBuckets: [{ name: bucket }] });
  await s3rver.configureBuckets();
  // s3rver's own run() leaves a busy port as an uncaught 'error' event; listen ourselves instead.
  return listening(createServer(s3rver.callback()), port, 'LOCAL_S3_PORT');
}

async function startDynamoDb(directory: string | undefined, port: number): Promise<Server> {
  if (directory) await mkdir(directory, { recursive: true });
  const dynalite = require('dynalite') as Dynalite;
  return listening(dynalite({ path: directory, createTableMs: 0 }), port, 'LOCAL_DYNAMODB_PORT');
}

async function startSes(port: number): Promise<Server> {
  const sesServer = (require('aws-ses-v2-local') as { default: SesServer }).default;
  const server = await sesServer({ host: HOST, port });
  // Express passes a listen error to the callback, so aws-ses-v2-local resolves regardless.
  if (!server.listening) throw new PortInUseError('LOCAL_SES_PORT', port);
  return server;
}

interface SqsStandIn {
  endpoint: string;
  stop(): Promise<void>;
}

// fauxqs's own startFauxqs listens on every interface; its app, listened on here, stays local.
async function startSqs(port: number): Promise<SqsStandIn> {
  const app = buildApp({ logger: false });
  try {
    await app.listen({ port, host: HOST });
  } catch (error) {
    await app.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError('LOCAL_SQS_PORT', port);
    }
    throw error;
  }
  return { endpoint: endpointOf(app.server), stop: () => app.close() };
}

/** Dead-letter queues first: a queue's RedrivePolicy names its dead-letter queue by ARN. */
async function createQueues(
  endpoint: string,
  region: string,
  queues: readonly StandInQueue[],
): Promise<Map<string, string>> {
  const client = new SQSClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  const urls = new Map<string, string>();
  const arns = new Map<string, string>();
  const create = async (name: string, attributes: Record<string, string> = {}) => {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    urls.set(name, QueueUrl as string);
    return QueueUrl as string;
  };
  try {
    for (const { deadLetter } of queues) {
      if (!deadLetter || arns.has(deadLetter.name)) continue;
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: await create(deadLetter.name),
          AttributeNames: [QueueAttributeName.QueueArn],
        }),
      );
      arns.set(deadLetter.name, Attributes?.QueueArn as string);
    }
    for (const queue of queues) await create(queue.name, queueAttributes(queue, arns));
  } finally {
    client.destroy();
  }
  return urls;
}

function queueAttributes(queue: StandInQueue, arns: Map<string, string>): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (queue.visibilityTimeoutSeconds !== undefined) {
    attributes.VisibilityTimeout = String(queue.visibilityTimeoutSeconds);
  }
  if (queue.deadLetter) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: arns.get(queue.deadLetter.name),
      maxReceiveCount: queue.deadLetter.maxReceiveCount,
    });
  }
  return attributes;
}

const endpointOf = (server: Server) => `http://${HOST}:${(server.address() as AddressInfo).port}`;

async function listening(server: Server, port: number, setting: string): Promise<Server> {
  await listen(server, port, HOST, setting);
  return server;
}

// Same key schema as the CDK ledger table. dynalite has no UpdateTimeToLive, so expiresAt is
// only an attribute here.
async function ensureTable(endpoint: string, region: string, table: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    if (!(await tableStatus(client, table))) {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    }
    for (let attempt = 0; (await tableStatus(client, table)) !== 'ACTIVE'; attempt++) {
      if (attempt > 200) throw new Error(`dynalite table ${table} did not become active`);
      await sleep(10);
    }
  } finally {
    client.destroy();
  }
}

async function tableStatus(client: DynamoDBClient, table: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    return Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
