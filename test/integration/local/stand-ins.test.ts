import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { localS3Client, type StandIns, startStandIns } from '../../../local/stand-ins';
import { localClientConfig, TEST_BUCKET, TEST_TABLE, useStandIns } from '../../support/stand-ins';

const s3Client = (standIns: StandIns) => localS3Client(standIns.endpoints.s3);

describe('startStandIns', () => {
  const standIns = useStandIns();

  it('creates the bucket and a ledger table keyed by pk alone', async () => {
    const s3 = s3Client(standIns());
    await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: 'raw/a', Body: 'mail' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: 'raw/a' }));
    expect(await object.Body?.transformToString()).toBe('mail');

    const dynamodb = new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb));
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: TEST_TABLE }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.TableStatus).toBe('ACTIVE');
  });

  it('gives the settings that point the AWS SDK at the stand-ins', () => {
    const { env, endpoints } = standIns();
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SES: endpoints.ses,
      FAX_BUCKET: TEST_BUCKET,
      LEDGER_TABLE: TEST_TABLE,
    });
    expect(env.AWS_REGION).toBeTruthy();
    expect(env.AWS_ACCESS_KEY_ID).toBeTruthy();
  });

  it('lists the emails sent through SES and forgets them when cleared', async () => {
    const ses = new SESClient(localClientConfig(standIns().endpoints.ses));
    await ses.send(
      new SendEmailCommand({
        Source: 'fax@fax.example.com',
        Destination: { ToAddresses: ['alice@example.com'] },
        Message: { Subject: { Data: 'Fax sent' }, Body: { Text: { Data: 'Delivered.' } } },
      }),
    );
    const [email] = await standIns().sentEmails();
    expect(email?.destination.to).toEqual(['alice@example.com']);
    expect(email?.subject).toBe('Fax sent');

    await standIns().clearEmails();
    expect(await standIns().sentEmails()).toEqual([]);
  });
});

describe('startStandIns with settings', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('reports a port already in use by its setting name', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;

    await expect(
      startStandIns({ bucket: TEST_BUCKET, table: TEST_TABLE, ports: { dynamodb: port } }),
    ).rejects.toThrow(`LOCAL_DYNAMODB_PORT ${port} is already in use`);
    await expect(
      startStandIns({ bucket: TEST_BUCKET, table: TEST_TABLE, ports: { ses: port } }),
    ).rejects.toThrow(`LOCAL_SES_PORT ${port} is already in use`);
  });

  it('keeps objects and ledger items across a restart on the same data directory', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'stand-ins-test-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const options = { dataDir, bucket: TEST_BUCKET, table: TEST_TABLE };

    const first = await startStandIns(options);
    const firstS3 = s3Client(first);
    await firstS3.send(
      new PutObjectCommand({ Bucket: TEST_BUCKET, Key: 'media/x.pdf', Body: 'pdf' }),
    );
    const firstDb = DynamoDBDocumentClient.from(
      new DynamoDBClient(localClientConfig(first.endpoints.dynamodb)),
    );
    await firstDb.send(new PutCommand({ TableName: TEST_TABLE, Item: { pk: 'job#1', n: 1 } }));
    firstS3.destroy();
    firstDb.destroy();
    await first.stop();

    const second = await startStandIns(options);
    cleanup.push(() => second.stop());
    const object = await s3Client(second).send(
      new GetObjectCommand({ Bucket: TEST_BUCKET, Key: 'media/x.pdf' }),
    );
    expect(await object.Body?.transformToString()).toBe('pdf');
    const secondDb = DynamoDBDocumentClient.from(
      new DynamoDBClient(localClientConfig(second.endpoints.dynamodb)),
    );
    const { Item } = await secondDb.send(
      new GetCommand({ TableName: TEST_TABLE, Key: { pk: 'job#1' } }),
    );
    expect(Item).toEqual({ pk: 'job#1', n: 1 });
  });
});
