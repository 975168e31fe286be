import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  TELNYX_KEY_REFUSED_METRIC,
  TELNYX_KEY_UNREADABLE_METRIC,
} from '../../functions/fax-dispatch/outcome-report';
import {
  BLOCKED_FAXES_METRIC,
  FAX_FETCH_FAILURES_METRIC,
  FAXES_RECEIVED_METRIC,
  RECEIVED_FAX_EMAILS_FAILED_METRIC,
  UNROUTED_FAXES_METRIC,
} from '../../functions/fax-receiver/outcome-report';
import {
  FAX_FAILURES,
  FAXES_DELIVERED,
  FAXES_FAILED,
} from '../../functions/fax-webhook/outcome-report';
import { FUNCTION_METRICS } from './alarms';
import type { WorkQueue } from './work-queue';

export interface BridgeDashboardProps {
  /** Each function's errors, throttles and durations, under its name. */
  functions: Record<string, IFunction>;
  /** Its URL's 5xx answers. */
  webhook: IFunction;
  /** The inbound function's dead-letter queue. */
  deadLetterQueue: IQueue;
  dispatchQueue: WorkQueue;
  faxInQueue: WorkQueue;
}

const PERIOD = Duration.hours(1);
const WIDTH = 12;
const HEIGHT = 6;

/** A count the functions publish (each one's outcome-report.ts), summed over each period. */
const count = (metricName: string, label: string) =>
  new Metric({ ...FUNCTION_METRICS, metricName, label, period: PERIOD, statistic: Stats.SUM });

/**
 * One line per value of a dimension the functions add (a refusal's code, a drop's reason), found
 * by a search so that a code added later shows without changing the dashboard.
 */
const byDimension = (metricName: string, dimension: string, label: string) =>
  new MathExpression({
    expression:
      `SEARCH('{${FUNCTION_METRICS.namespace},${dimension},service} ` +
      `MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: PERIOD,
  });

const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
  new GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT });

/**
 * What the bridge did, hour by hour: faxes requested, delivered and failed, pages, refusals by
 * code, drops by reason, failures by Telnyx's reason, faxes received, dead letters, the dispatch
 * queue, and each function's errors and durations.
 */
export class BridgeDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: BridgeDashboardProps) {
    super(scope, id);
    const each = (metric: (fn: IFunction, name: string) => IMetric) =>
      Object.entries(props.functions).map(([name, fn]) => metric(fn, name));
    const { queue, deadLetterQueue } = props.dispatchQueue;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          graph(
            'Faxes',
            [
              count('FaxesRequested', 'requested'),
              count(FAXES_DELIVERED, 'delivered'),
              count(FAXES_FAILED, 'failed'),
            ],
            [count('Pages', 'pages requested')],
          ),
          graph('Refusals by code (a notice told the sender)', [
            byDimension('Refusals', 'reason', 'refused'),
          ]),
        ],
        [
          graph("Failed faxes by Telnyx's reason", [byDimension(FAX_FAILURES, 'reason', 'failed')]),
          graph(
            'Faxes received',
            [
              count(FAXES_RECEIVED_METRIC, 'received'),
              count(UNROUTED_FAXES_METRIC, 'unrouted'),
              count(BLOCKED_FAXES_METRIC, 'blocked caller'),
            ],
            [
              count(FAX_FETCH_FAILURES_METRIC, 'documents not fetched'),
              count(RECEIVED_FAX_EMAILS_FAILED_METRIC, 'emails SES refused'),
              props.faxInQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                label: 'in the fax-in dead-letter queue',
                period: PERIOD,
                statistic: Stats.MAXIMUM,
              }),
            ],
          ),
        ],
        [
          graph('Emails dropped without reply, by reason', [
            byDimension('Drops', 'reason', 'dropped'),
          ]),
          graph(
            'Dead letters and the Telnyx API key',
            [
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                label: 'SES events in the dead-letter queue',
                period: PERIOD,
                statistic: Stats.MAXIMUM,
              }),
              deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                label: 'fax attempts in the dispatch dead-letter queue',
                period: PERIOD,
                statistic: Stats.MAXIMUM,
              }),
            ],
            [
              count(TELNYX_KEY_REFUSED_METRIC, 'faxes: API key refused'),
              count(TELNYX_KEY_UNREADABLE_METRIC, 'faxes: API key unreadable'),
            ],
          ),
        ],
        [
          graph(
            'Dispatch queue',
            [
              queue.metricApproximateNumberOfMessagesVisible({
                label: 'faxes waiting',
                period: PERIOD,
                statistic: Stats.MAXIMUM,
              }),
              queue.metricApproximateNumberOfMessagesNotVisible({
                label: 'faxes being dispatched',
                period: PERIOD,
                statistic: Stats.MAXIMUM,
              }),
            ],
            [
              queue.metricApproximateAgeOfOldestMessage({
                label: 'oldest message (s)',
                period: PERIOD,
                statistic: Stats.MAXIMUM,
              }),
            ],
          ),
        ],
        [
          graph(
            'Function errors and throttles',
            each((fn, name) =>
              fn.metricErrors({ label: `${name} errors`, period: PERIOD, statistic: Stats.SUM }),
            ),
            [
              ...each((fn, name) =>
                fn.metricThrottles({
                  label: `${name} throttles`,
                  period: PERIOD,
                  statistic: Stats.SUM,
                }),
              ),
              props.webhook.metric('Url5xxCount', {
                label: 'Webhook 5xx answers',
                period: PERIOD,
                statistic: Stats.SUM,
              }),
            ],
          ),
          graph(
            'Function durations (ms)',
            each((fn, name) =>
              fn.metricDuration({ label: `${name} p50`, period: PERIOD, statistic: Stats.p(50) }),
            ),
            each((fn, name) =>
              fn.metricDuration({ label: `${name} max`, period: PERIOD, statistic: Stats.MAXIMUM }),
            ),
          ),
        ],
      ],
    });
  }
}
