import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { sqsClient } from '../../../functions/adapters/aws-clients';
import {
  readDispatchMessage,
  SqsDispatchQueue,
} from '../../../functions/adapters/sqs-dispatch-queue';
import { awsSettings } from '../../../functions/config/aws-settings';
import type { DispatchMessage } from '../../../functions/core/shared/ports';
import { useQueues } from '../../support/sqs-queues';

const MESSAGE: DispatchMessage = {
  messageId: 'ses-message-1',
  recipient: '+13125550123',
  attempt: 2,
  notBefore: '2030-01-02T03:04:05.000Z',
};

describe('SqsDispatchQueue', () => {
  const queues = useQueues([{ name: 'delays' }, { name: 'bodies' }, { name: 'bounds' }]);
  // Built from the stand-ins' environment, as the functions build theirs.
  const queue = (name: string) =>
    new SqsDispatchQueue({
      queueUrl: queues.url(name),
      client: sqsClient(awsSettings(queues.standIns().env)),
    });
  const receive = async (name: string, waitTimeSeconds: number) => {
    const { Messages = [] } = await queues
      .client()
      .send(
        new ReceiveMessageCommand({ QueueUrl: queues.url(name), WaitTimeSeconds: waitTimeSeconds }),
      );
    return Messages.map((message) => message.Body ?? '');
  };

  it('keeps a delayed message out of sight until its delay has passed', async () => {
    const sent = Date.now();
    await queue('delays').enqueue(MESSAGE, 1);
    expect(await receive('delays', 0)).toEqual([]);

    const [body] = await receive('delays', 3);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(950);
    expect(body && readDispatchMessage(body)).toEqual(MESSAGE);
  });

  it('sends the message as JSON that reads back as the same message, and nothing more', async () => {
    const first = { messageId: 'ses-message-2', recipient: '+442079460000', attempt: 1 };
    const withExtra = { ...MESSAGE, subject: 'Quarterly report' } as DispatchMessage;
    await queue('bodies').enqueue(first, 0);
    await queue('bodies').enqueue(withExtra, 0);

    const bodies = [...(await receive('bodies', 1)), ...(await receive('bodies', 1))];
    expect(bodies.map((body) => JSON.parse(body))).toEqual(
      expect.arrayContaining([first, MESSAGE]),
    );
    expect(bodies.map(readDispatchMessage)).toEqual(expect.arrayContaining([first, MESSAGE]));
    expect(bodies.join('')).not.toContain('Quarterly');
  });

  it('brings a delay SQS would refuse into its 0 to 900 seconds', async () => {
    await queue('bounds').enqueue({ ...MESSAGE, attempt: 1 }, -30);
    await queue('bounds').enqueue({ ...MESSAGE, attempt: 2 }, 0.4);
    await queue('bounds').enqueue({ ...MESSAGE, attempt: 3 }, 3_600);

    expect(await queues.counts('bounds')).toEqual({ visible: 2, inFlight: 0, delayed: 1 });
  });
});

describe('readDispatchMessage', () => {
  it('reads a message without notBefore', () => {
    expect(readDispatchMessage('{"messageId":"m","recipient":"+13125550123","attempt":1}')).toEqual(
      { messageId: 'm', recipient: '+13125550123', attempt: 1 },
    );
  });

  it.each([
    ['not JSON', 'attempt 1 for +13125550123'],
    ['JSON that is no object', '[1,2,3]'],
    ['null', 'null'],
    ['no attempt', '{"messageId":"m","recipient":"+13125550123"}'],
    ['attempt 0', '{"messageId":"m","recipient":"+13125550123","attempt":0}'],
    ['a fractional attempt', '{"messageId":"m","recipient":"+13125550123","attempt":1.5}'],
    ['attempt as text', '{"messageId":"m","recipient":"+13125550123","attempt":"1"}'],
    ['an empty messageId', '{"messageId":"","recipient":"+13125550123","attempt":1}'],
    ['a numeric recipient', '{"messageId":"m","recipient":13125550123,"attempt":1}'],
    [
      'a notBefore that is no ISO time',
      '{"messageId":"m","recipient":"+13125550123","attempt":1,"notBefore":"tomorrow"}',
    ],
  ])('rejects %s', (_, body) => {
    expect(readDispatchMessage(body)).toBeUndefined();
  });
});
