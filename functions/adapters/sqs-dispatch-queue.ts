import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import type { DispatchMessage, DispatchQueue } from '../core/shared/ports';

export interface SqsDispatchQueueOptions {
  queueUrl: string;
  client: SQSClient;
}

/** SQS refuses a DelaySeconds outside 0..900 or not whole; a longer wait is chained by the core. */
export const MAX_DELAY_SECONDS = 900;

/** One JSON message per fax job's attempt on a standard queue. */
export class SqsDispatchQueue implements DispatchQueue {
  private readonly queueUrl: string;
  private readonly client: SQSClient;

  constructor({ queueUrl, client }: SqsDispatchQueueOptions) {
    this.queueUrl = queueUrl;
    this.client = client;
  }

  async enqueue(message: DispatchMessage, delaySeconds: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: dispatchMessageBody(message),
        DelaySeconds: sqsDelaySeconds(delaySeconds),
      }),
    );
  }
}

/** Only the message's own fields: a caller's object may carry more than the queue should. */
export function dispatchMessageBody(message: DispatchMessage): string {
  const { messageId, recipient, attempt, notBefore } = message;
  return JSON.stringify({ messageId, recipient, attempt, ...(notBefore && { notBefore }) });
}

export function sqsDelaySeconds(delaySeconds: number): number {
  if (!Number.isFinite(delaySeconds)) return delaySeconds > 0 ? MAX_DELAY_SECONDS : 0;
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds)));
}

const text = z.string().check(z.minLength(1));

const dispatchMessageSchema = z.object({
  messageId: text,
  recipient: text,
  attempt: z.int().check(z.positive()),
  notBefore: z.optional(z.iso.datetime({ offset: true })),
});

/**
 * The message an SQS record carries, or undefined when the body is not one: anyone allowed to
 * send to the queue could put anything there, and an unreadable message must not be retried.
 */
export function readDispatchMessage(body: string): DispatchMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = dispatchMessageSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { messageId, recipient, attempt, notBefore } = parsed.data;
  return { messageId, recipient, attempt, ...(notBefore !== undefined && { notBefore }) };
}
