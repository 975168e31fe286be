import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MailStore, MediaStore } from '../core/shared/ports';
import { mediaKey, rawMailKey } from './storage-layout';

export interface S3StoreOptions {
  bucket: string;
  client: S3Client;
}

/** Raw mail under `raw/<messageId>` and fax documents under `media/<key>.pdf`, in one bucket. */
export class S3Store implements MailStore, MediaStore {
  private readonly bucket: string;
  private readonly client: S3Client;

  constructor({ bucket, client }: S3StoreOptions) {
    this.bucket = bucket;
    this.client = client;
  }

  async openRawMail(messageId: string): Promise<Readable | undefined> {
    // In Node the SDK's body is the HTTP response itself, a Readable.
    return (await this.get(rawMailKey(messageId))) as Readable | undefined;
  }

  async putDocument(key: string, pdf: Uint8Array): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: mediaKey(key),
        Body: pdf,
        ContentType: 'application/pdf',
      }),
    );
  }

  getDocument(key: string): Promise<Uint8Array | undefined> {
    return this.read(mediaKey(key));
  }

  documentUrl(key: string, ttlSeconds: number): Promise<string> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: mediaKey(key) });
    // Telnyx only needs the signed basics; every extra parameter eats into the 2,000-character
    // limit that a Lambda session token already crowds.
    command.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { query?: Record<string, unknown>; headers?: HeaderMap };
        delete request.query?.['x-id'];
        delete request.headers?.['x-amz-checksum-mode'];
        return next(args);
      },
      { step: 'build', priority: 'low', name: 'shortPresignedUrl' },
    );
    return getSignedUrl(this.client, command, { expiresIn: ttlSeconds });
  }

  private async read(key: string): Promise<Uint8Array | undefined> {
    return (await this.get(key))?.transformToByteArray();
  }

  private async get(key: string) {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return object.Body;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

type HeaderMap = Record<string, string>;
