import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaxBridgeStack } from '../../../infra/fax-bridge-stack';
import { bridgeStack, logicalIdOf } from '../stack-fixture';

let stack: FaxBridgeStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = bridgeStack());
});

const queueProperties = (queue: IConstruct) =>
  template.findResources('AWS::SQS::Queue')[logicalIdOf(queue)]?.Properties;

const timeoutOf = (fn: IConstruct) =>
  template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]?.Properties.Timeout as number;

/** Each queue of the stack, with the one function that consumes it. */
const queues = () => ({
  dispatch: { queue: stack.dispatchQueue, consumer: stack.dispatch.fn.fn },
  'fax-in': { queue: stack.faxInQueue, consumer: stack.receiver.fn.fn },
});

describe.each(['dispatch', 'fax-in'] as const)('WorkQueue: the %s queue', (name) => {
  const each = () => queues()[name];

  it('encrypts the queue and its dead-letter queue, and refuses both to plain HTTP', () => {
    const { queue } = each();
    for (const q of [queue.queue, queue.deadLetterQueue]) {
      expect(queueProperties(q)?.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalIdOf(q) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('moves a message received five times to the dead-letter queue, which keeps it 14 days', () => {
    const { queue } = each();
    expect(queueProperties(queue.queue)?.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(queue.deadLetterQueue), 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queueProperties(queue.deadLetterQueue)?.MessageRetentionPeriod).toBe(14 * 86_400);
  });

  it('hides a received message for six times its consumer’s timeout, as AWS advises', () => {
    const { queue, consumer } = each();
    expect(queueProperties(queue.queue)?.VisibilityTimeout).toBe(6 * timeoutOf(consumer));
  });
});

describe('the stack’s queues', () => {
  it('are two standard queues, each with a dead-letter queue of its own', () => {
    const { dispatch, 'fax-in': faxIn } = queues();
    const ids = [dispatch.queue, faxIn.queue].flatMap((q) => [
      logicalIdOf(q.queue),
      logicalIdOf(q.deadLetterQueue),
    ]);
    expect(new Set(ids).size).toBe(4);
    for (const { queue } of Object.values(queues())) {
      expect(queueProperties(queue.queue)?.FifoQueue).toBeUndefined();
    }
  });
});
