import { text } from 'node:stream/consumers';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3Client } from '../../../functions/adapters/aws-clients';
import { S3Store } from '../../../functions/adapters/s3-store';
import { awsSettings } from '../../../functions/config/aws-settings';
import { localClientConfig, TEST_BUCKET, useStandIns } from '../../support/stand-ins';

const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('S3Store', () => {
  const standIns = useStandIns();
  const client = (extra: object = {}) =>
    new S3Client({ ...localClientConfig(standIns().endpoints.s3), forcePathStyle: true, ...extra });
  const store = (s3 = client()) => new S3Store({ bucket: TEST_BUCKET, client: s3 });

  it('reads the raw mail SES stored under raw/<messageId>', async () => {
    const mime = 'From: alice@example.com\r\nSubject: fax\r\n\r\nhello\r\n';
    await client().send(
      new PutObjectCommand({ Bucket: TEST_BUCKET, Key: 'raw/msg-1', Body: mime }),
    );
    const raw = await store().openRawMail('msg-1');
    expect(raw && (await text(raw))).toBe(mime);
  });

  it('streams the raw mail, so that a large message is parsed as it arrives', async () => {
    const mime = `From: alice@example.com\r\nSubject: fax\r\n\r\n${'x'.repeat(200_000)}\r\n`;
    await client().send(
      new PutObjectCommand({ Bucket: TEST_BUCKET, Key: 'raw/msg-streamed', Body: mime }),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of (await store().openRawMail('msg-streamed')) ?? []) {
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).toString('utf8')).toBe(mime);
    expect(await store().openRawMail('never-stored')).toBeUndefined();
  });

  it('answers undefined for mail that is not there', async () => {
    expect(await store().openRawMail('never-stored')).toBeUndefined();
    expect(await store().getDocument('never-stored')).toBeUndefined();
  });

  it('stores a fax document and reads it back', async () => {
    await store().putDocument('doc-1', PDF);
    expect(await store().getDocument('doc-1')).toEqual(PDF);
  });

  it('keeps a fax document under media/<key>.pdf, where the retention rule and grants apply', async () => {
    await store().putDocument('doc-3', PDF);
    const object = await client().send(
      new GetObjectCommand({ Bucket: TEST_BUCKET, Key: 'media/doc-3.pdf' }),
    );
    expect(await object.Body?.transformToByteArray()).toEqual(PDF);
  });

  it('gives a presigned URL that downloads the PDF with a plain GET', async () => {
    await store().putDocument('doc-2', PDF);
    const url = await store().documentUrl('doc-2', 900);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PDF);
  });

  it('keeps the presigned URL under 2,000 characters with a Lambda session token', async () => {
    // Base64-like, with the + and / that URL encoding lengthens.
    const sessionToken = 'IQoJb3JpZ2luX2VjE+/'.repeat(60).slice(0, 1000);
    const s3 = client({
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken },
    });
    await store(s3).putDocument('0f8fad5b-d9cb-469f-a165-70867728950e', PDF);
    const url = await store(s3).documentUrl('0f8fad5b-d9cb-469f-a165-70867728950e', 900);
    expect(url).toContain('X-Amz-Security-Token=');
    expect(url.length).toBeLessThan(2000);
    expect((await fetch(url)).status).toBe(200);
  });

  it('addresses buckets by path only when an endpoint override is set', async () => {
    const local = s3Client(awsSettings({ AWS_ENDPOINT_URL_S3: 'http://localhost:4569' }));
    const aws = s3Client(awsSettings({ AWS_REGION: 'us-east-1' }));
    expect(await local.config.forcePathStyle).toBe(true);
    expect(await aws.config.forcePathStyle).toBe(false);
  });
});
