import {
  GetQueueAttributesCommand,
  QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { type StandInQueue, type StandIns, startStandIns } from '../../local/stand-ins';
import { localClientConfig, TEST_BUCKET, TEST_TABLE } from './stand-ins';

export interface TestQueues {
  standIns(): StandIns;
  /** A client on the SQS stand-in, made once for the suite. */
  client(): SQSClient;
  url(name: string): string;
  send(name: string, ...bodies: string[]): Promise<void>;
  /** Messages visible, in flight and delayed. */
  counts(name: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
  /** Takes what the queue has now (a short poll of up to 10 messages). */
  receiveNow(name: string): Promise<{ body: string; receiveCount: number }[]>;
}

/** Starts the stand-ins with these queues for the enclosing suite. */
export function useQueues(queues: StandInQueue[]): TestQueues {
  let standIns: StandIns | undefined;
  let client: SQSClient | undefined;
  beforeAll(async () => {
    standIns = await startStandIns({ bucket: TEST_BUCKET, table: TEST_TABLE, queues });
    client = new SQSClient(localClientConfig(standIns.endpoints.sqs));
  });
  afterAll(async () => {
    client?.destroy();
    await standIns?.stop();
  });
  const running = () => {
    if (!standIns || !client) throw new Error('the queues exist only inside the suite that asked');
    return { standIns, client };
  };
  const url = (name: string) => running().standIns.queueUrl(name);
  return {
    standIns: () => running().standIns,
    client: () => running().client,
    url,
    async send(name, ...bodies) {
      for (let start = 0; start < bodies.length; start += 10) {
        await running().client.send(
          new SendMessageBatchCommand({
            QueueUrl: url(name),
            Entries: bodies
              .slice(start, start + 10)
              .map((body, index) => ({ Id: String(start + index), MessageBody: body })),
          }),
        );
      }
    },
    async counts(name) {
      const { Attributes = {} } = await running().client.send(
        new GetQueueAttributesCommand({
          QueueUrl: url(name),
          AttributeNames: [QueueAttributeName.All],
        }),
      );
      return {
        visible: Number(Attributes.ApproximateNumberOfMessages),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
        delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
      };
    },
    async receiveNow(name) {
      const { Messages = [] } = await running().client.send(
        new ReceiveMessageCommand({
          QueueUrl: url(name),
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      return Messages.map((message) => ({
        body: message.Body ?? '',
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount),
      }));
    },
  };
}
