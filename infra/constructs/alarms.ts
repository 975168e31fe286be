import { Aws, Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BRIDGE_PAGES_METRIC,
  TELNYX_KEY_REFUSED_METRIC,
  TELNYX_KEY_UNREADABLE_METRIC,
} from '../../functions/inbound-email/outcome-report';

export interface AlarmsProps {
  /** Subscribed to the alarm topic when given. */
  email?: string;
  deadLetterQueue: IQueue;
  /** Each function alarms on errors and on throttles. */
  functions: Record<string, IFunction>;
  webhook: IFunction;
  /** 4xx answers from the webhook URL in five minutes that mean someone is forging requests. */
  forgedRequestThreshold?: number;
  /** MAX_PAGES_PER_DAY: the volume alarm fires at 80% of it. */
  maxPagesPerDay: number;
}

/** Where the functions' metrics go: the namespace and service observability.ts gives Powertools. */
export const FUNCTION_METRICS = {
  namespace: 'FaxBridge',
  dimensionsMap: { service: 'fax-bridge' },
};

/** Early enough to raise the cap or look for a runaway sender before every email is refused. */
const DAILY_PAGES_WARNING = 0.8;

const PERIOD = Duration.minutes(5);

/**
 * What needs a human: mail that could not be processed (dead letters), function errors and
 * throttles, bursts of rejected webhook requests, and a day's pages nearing the bridge's cap.
 * Each alarm and its recovery go to one topic.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'fax-bridge alarms', enforceSSL: true });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: without
    // this statement CloudWatch may not publish, and no alarm would ever reach anyone.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    );

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
    const keyMetric = (metricName: string) =>
      new Metric({ ...FUNCTION_METRICS, metricName, period: PERIOD, statistic: 'Sum' });
    this.alarm(
      'TelnyxApiKey',
      "Telnyx refused the bridge's API key, or the bridge could not read it: no fax goes out " +
        'until a valid key is in the API key secret (README: "The Telnyx API key")',
      new MathExpression({
        expression: 'FILL(refused, 0) + FILL(unreadable, 0)',
        usingMetrics: {
          refused: keyMetric(TELNYX_KEY_REFUSED_METRIC),
          unreadable: keyMetric(TELNYX_KEY_UNREADABLE_METRIC),
        },
        period: PERIOD,
        label: 'emails not faxed for the API key',
      }),
      1,
    );
    // Emitted only when an email is counted: a quiet hour says nothing about the day's total, so
    // the alarm keeps its state until the first email after midnight reports the new day's count.
    this.alarm(
      'DailyPages',
      `The bridge has sent ${DAILY_PAGES_WARNING * 100}% of its ${props.maxPagesPerDay} pages a day (maxPagesPerDay); at 100% every email is refused until midnight`,
      new Metric({
        ...FUNCTION_METRICS,
        metricName: BRIDGE_PAGES_METRIC,
        period: PERIOD,
        statistic: 'Maximum',
      }),
      Math.ceil(props.maxPagesPerDay * DAILY_PAGES_WARNING),
      TreatMissingData.IGNORE,
    );
  }

  private alarm(
    id: string,
    description: string,
    metric: Metric | MathExpression,
    threshold: number,
    treatMissingData = TreatMissingData.NOT_BREACHING,
  ): void {
    const alarm = metric.createAlarm(this, id, {
      alarmDescription: description,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
