import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { MailStore, MediaStore, ReceivedFaxStore } from '../core/shared/ports';
import { mediaKey, rawMailKey, receivedKey } from './storage-layout';

export interface S3StoreOptions {
  bucket: string;
  client: S3Client;
}

/**
 * Raw mail under `raw/<messageId>`, fax documents under `media/<key>.pdf` and received faxes under
 * `inbound/<faxId>.pdf`, in one bucket (its default encryption and lifecycle rules apply to all).
 */
export class S3Store implements MailStore, MediaStore, ReceivedFaxStore {
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
    await this.put(mediaKey(key), pdf);
  }

  getDocument(key: string): Promise<Uint8Array | undefined> {
    return this.read(mediaKey(key));
  }

  async putReceived(faxId: string, pdf: Uint8Array): Promise<void> {
    await this.put(receivedKey(faxId), pdf);
  }

  getReceived(faxId: string): Promise<Uint8Array | undefined> {
    return this.read(receivedKey(faxId));
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

  private async put(key: string, pdf: Uint8Array): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: pdf,
        ContentType: 'application/pdf',
      }),
    );
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
