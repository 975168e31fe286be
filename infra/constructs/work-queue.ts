import { Duration } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface WorkQueueProps {
  /** The consuming function's timeout, which the visibility timeout is made from. */
  consumerTimeout: Duration;
  /**
   * Receives after which a message goes to the dead-letter queue.
   * @default 5
   */
  maxReceiveCount?: number;
}

/**
 * AWS advises a visibility timeout of six times the consuming function's timeout, so that a batch
 * Lambda retries after a throttle is not received again while it is still being worked on.
 */
const VISIBILITY_PER_TIMEOUT = 6;

const encrypted = {
  encryption: QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
} as const;

/**
 * A standard queue in front of one function: the dispatch queue (one message per fax attempt,
 * from the inbound function, the webhook, the sweeper and the dispatch function itself) and the
 * fax-in queue (one message per received or failed inbound fax, from the webhook to the
 * receiver). A message that keeps failing lands in a dead-letter queue kept 14 days; both are
 * encrypted and TLS only.
 */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...encrypted,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      ...encrypted,
      visibilityTimeout: Duration.seconds(
        VISIBILITY_PER_TIMEOUT * props.consumerTimeout.toSeconds(),
      ),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }

  /** SendMessage alone: `Queue.grantSendMessages` adds GetQueueAttributes and GetQueueUrl. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
  }

  get queueUrl(): string {
    return this.queue.queueUrl;
  }
}
