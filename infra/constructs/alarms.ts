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
  TELNYX_KEY_REFUSED_METRIC,
  TELNYX_KEY_UNREADABLE_METRIC,
} from '../../functions/fax-dispatch/outcome-report';
import {
  FAX_FETCH_FAILURES_METRIC,
  RECEIVED_FAX_EMAILS_FAILED_METRIC,
  UNROUTED_FAXES_METRIC,
} from '../../functions/fax-receiver/outcome-report';
import { BRIDGE_PAGES_METRIC } from '../../functions/inbound-email/outcome-report';
import type { WorkQueue } from './work-queue';

export interface AlarmsProps {
  /** Subscribed to the alarm topic when given. */
  email?: string;
  /** The inbound function's dead-letter queue. */
  deadLetterQueue: IQueue;
  /** Alarms on its dead letters and on a message left waiting. */
  dispatchQueue: WorkQueue;
  /** Alarms on its dead letters: received faxes nobody has been told about. */
  faxInQueue: WorkQueue;
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
 * A fax waiting this long for the dispatch function is stuck: a wait for a channel or a retry is
 * a new message, delayed 15 minutes at most (SQS's limit), so a healthy queue stays far younger.
 */
export const DISPATCH_QUEUE_MAX_AGE = Duration.hours(1);

/**
 * What needs a human: mail, fax attempts or received faxes that could not be processed (dead
 * letters), faxes stuck in the dispatch queue, function errors and throttles, bursts of rejected
 * webhook requests, a day's pages nearing the bridge's cap, and received faxes that reached
 * nobody (no route for their number, a document Telnyx would not give, an email SES refused).
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
    const { queue, deadLetterQueue } = props.dispatchQueue;
    this.alarm(
      'DispatchDeadLetters',
      'Fax attempts failed in the dispatch function five times; their messages wait in its ' +
        'dead-letter queue, and their senders have not heard how the fax ended',
      deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: 'Maximum',
      }),
      1,
    );
    this.alarm(
      'DispatchQueueAge',
      `A fax has waited over ${DISPATCH_QUEUE_MAX_AGE.toHumanString()} in the dispatch queue: ` +
        'the dispatch function is not taking its messages',
      queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
      DISPATCH_QUEUE_MAX_AGE.toSeconds(),
    );
    this.alarm(
      'FaxInDeadLetters',
      'Received faxes failed in the receiver function five times; their messages wait in the ' +
        'fax-in dead-letter queue, and nobody has been emailed about them',
      props.faxInQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
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
      'UnroutedFaxes',
      'A fax arrived on a number with no route in inboundRoutes and there is no "*" route: it is ' +
        'stored under inbound/ but nobody was emailed (add a route, README: "Faxes in")',
      keyMetric(UNROUTED_FAXES_METRIC),
      1,
    );
    this.alarm(
      'FaxFetchFailures',
      'The receiver could not download a received fax from Telnyx, even with a refreshed link: ' +
        'its message is retried, then dead-lettered',
      keyMetric(FAX_FETCH_FAILURES_METRIC),
      1,
    );
    this.alarm(
      'ReceivedFaxEmailsFailed',
      'SES refused to send a received-fax email (sandbox, suppression list or quota): the fax is ' +
        'stored under inbound/, and its message is retried',
      keyMetric(RECEIVED_FAX_EMAILS_FAILED_METRIC),
      1,
    );
    this.alarm(
      'TelnyxApiKey',
      "Telnyx refused the bridge's API key, or the dispatch function could not read it: no fax goes out " +
        'until a valid key is in the API key secret (README: "The Telnyx API key")',
      new MathExpression({
        expression: 'FILL(refused, 0) + FILL(unreadable, 0)',
        usingMetrics: {
          refused: keyMetric(TELNYX_KEY_REFUSED_METRIC),
          unreadable: keyMetric(TELNYX_KEY_UNREADABLE_METRIC),
        },
        period: PERIOD,
        label: 'faxes not sent for the API key',
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
