import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import type { FaxInMessage, FaxInQueue, ReceivedFax } from '../core/shared/ports';

export interface SqsFaxInQueueOptions {
  queueUrl: string;
  client: SQSClient;
}

/** One JSON message per received (or failed) fax, on a standard queue. */
export class SqsFaxInQueue implements FaxInQueue {
  private readonly queueUrl: string;
  private readonly client: SQSClient;

  constructor({ queueUrl, client }: SqsFaxInQueueOptions) {
    this.queueUrl = queueUrl;
    this.client = client;
  }

  async enqueue(message: FaxInMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: faxInMessageBody(message) }),
    );
  }
}

const FAX_FIELDS = [
  'faxId',
  'from',
  'to',
  'callerName',
  'mediaUrl',
  'pageCount',
  'callDurationSecs',
  'partial',
  'receivedAt',
] as const satisfies readonly (keyof ReceivedFax)[];

/** Only the message's own fields: a caller's object may carry more than the queue should. */
export function faxInMessageBody(message: FaxInMessage): string {
  const fax = Object.fromEntries(
    FAX_FIELDS.flatMap((field) => {
      const value = (message.fax as ReceivedFax)[field];
      return value === undefined || (message.kind === 'failed' && field === 'mediaUrl')
        ? []
        : [[field, value]];
    }),
  );
  return JSON.stringify(
    message.kind === 'received'
      ? { kind: 'received', fax }
      : {
          kind: 'failed',
          fax,
          ...(message.failureReason !== undefined && { failureReason: message.failureReason }),
        },
  );
}

// Bounded, because anyone allowed to send to the queue could put anything there.
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const count = z.int().check(z.nonnegative(), z.lte(1_000_000));

const faxFields = {
  faxId: text(200),
  from: z.string().check(z.maxLength(200)),
  to: text(200),
  callerName: z.optional(z.string().check(z.maxLength(200))),
  pageCount: z.optional(count),
  callDurationSecs: z.optional(z.number().check(z.nonnegative(), z.lte(1_000_000))),
  partial: z.optional(z.boolean()),
  receivedAt: z.optional(z.string().check(z.maxLength(100))),
};

const messageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('received'),
    fax: z.object({ ...faxFields, mediaUrl: z.optional(text(4000)) }),
  }),
  z.object({
    kind: z.literal('failed'),
    fax: z.object(faxFields),
    failureReason: z.optional(z.string().check(z.maxLength(200))),
  }),
]);

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The message an SQS record carries, or undefined when the body is not one (never retried). */
export function readFaxInMessage(body: string): FaxInMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const message = parsed.data;
  return message.kind === 'received'
    ? { kind: 'received', fax: withoutUndefined(message.fax) }
    : {
        kind: 'failed',
        fax: withoutUndefined(message.fax),
        ...(message.failureReason !== undefined && { failureReason: message.failureReason }),
      };
}
