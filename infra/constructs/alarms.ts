import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  ComparisonOperator,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  /** Subscribed to the alarm topic when given. */
  email?: string;
  deadLetterQueue: IQueue;
  /** Each function alarms on errors and on throttles. */
  functions: Record<string, IFunction>;
  webhook: IFunction;
  /** 4xx answers from the webhook URL in five minutes that mean someone is forging requests. */
  forgedRequestThreshold?: number;
}

const PERIOD = Duration.minutes(5);

/**
 * What needs a human: mail that could not be processed (dead letters), function errors and
 * throttles, and bursts of rejected webhook requests. Each alarm and its recovery go to one topic.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'fax-bridge alarms', enforceSSL: true });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));

    this.alarm(
      'DeadLetters',
      'Inbound emails failed after every retry; their SES events wait in the dead-letter queue',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: 'Maximum',
      }),
      1,
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(
        `${name}Errors`,
        `The ${name} function failed`,
        fn.metricErrors({ period: PERIOD }),
        1,
      );
      this.alarm(
        `${name}Throttles`,
        `The ${name} function was throttled`,
        fn.metricThrottles({ period: PERIOD }),
        1,
      );
    }
    this.alarm(
      'ForgedWebhooks',
      'Many webhook requests were rejected (bad signature or malformed): someone may be forging them',
      props.webhook.metric('Url4xxCount', { period: PERIOD, statistic: 'Sum' }),
      props.forgedRequestThreshold ?? 20,
    );
    // The webhook function answers a failure with 500 (so Telnyx retries) instead of throwing,
    // which the Errors metric does not count.
    this.alarm(
      'WebhookFailures',
      'The webhook function answered 5xx: a result email may be waiting on SES or DynamoDB',
      props.webhook.metric('Url5xxCount', { period: PERIOD, statistic: 'Sum' }),
      1,
    );
  }

  private alarm(id: string, description: string, metric: Metric, threshold: number): void {
    const alarm = metric.createAlarm(this, id, {
      alarmDescription: description,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
