import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  TELNYX_KEY_REFUSED_METRIC,
  TELNYX_KEY_UNREADABLE_METRIC,
} from '../../../functions/fax-dispatch/outcome-report';
import {
  FAX_FETCH_FAILURES_METRIC,
  RECEIVED_FAX_EMAILS_FAILED_METRIC,
  UNROUTED_FAXES_METRIC,
} from '../../../functions/fax-receiver/outcome-report';
import { BRIDGE_PAGES_METRIC } from '../../../functions/inbound-email/outcome-report';
import type { FaxBridgeStack } from '../../../infra/fax-bridge-stack';
import { bridgeStack, logicalIdOf, type Statement } from '../stack-fixture';

let stack: FaxBridgeStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = bridgeStack({ alarmEmail: 'ops@example.com' }));
});

const alarms = (t: Template) =>
  Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);

describe('Alarms', () => {
  it('alarms on dead letters, errors and throttles of every function, forged webhooks, webhook 5xx answers and the day’s pages', () => {
    const found = alarms(template).map((a) => [a.MetricName, JSON.stringify(a.Dimensions)]);
    const fnDimension = (fn: IConstruct) =>
      JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn) } }]);
    const webhook = fnDimension(stack.webhook.fn.fn);
    const functions = [
      stack.intake,
      stack.dispatch,
      stack.webhook,
      stack.sweeper,
      stack.receiver,
    ].map((c) => fnDimension(c.fn.fn));
    const service = JSON.stringify([{ Name: 'service', Value: 'fax-bridge' }]);
    expect(found).toEqual(
      expect.arrayContaining([
        [
          'ApproximateNumberOfMessagesVisible',
          expect.stringContaining(logicalIdOf(stack.intake.deadLetterQueue)),
        ],
        [
          'ApproximateNumberOfMessagesVisible',
          expect.stringContaining(logicalIdOf(stack.dispatchQueue.deadLetterQueue)),
        ],
        [
          'ApproximateAgeOfOldestMessage',
          expect.stringContaining(logicalIdOf(stack.dispatchQueue.queue)),
        ],
        [
          'ApproximateNumberOfMessagesVisible',
          expect.stringContaining(logicalIdOf(stack.faxInQueue.deadLetterQueue)),
        ],
        ...functions.flatMap((fn) => [
          ['Errors', fn],
          ['Throttles', fn],
        ]),
        ['Url4xxCount', webhook],
        ['Url5xxCount', webhook],
        [BRIDGE_PAGES_METRIC, service],
        [UNROUTED_FAXES_METRIC, service],
        [FAX_FETCH_FAILURES_METRIC, service],
        [RECEIVED_FAX_EMAILS_FAILED_METRIC, service],
      ]),
    );
    // and the Telnyx API key alarm, a metric math expression (below)
    expect(found).toHaveLength(functions.length * 2 + 11);
  });

  it('alarms on the first received fax that reached nobody: no route, no document, or an email SES refused', () => {
    for (const name of [
      UNROUTED_FAXES_METRIC,
      FAX_FETCH_FAILURES_METRIC,
      RECEIVED_FAX_EMAILS_FAILED_METRIC,
    ]) {
      expect(alarms(template).find((a) => a.MetricName === name)).toMatchObject({
        Namespace: 'FaxBridge',
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarms when a fax has waited an hour in the dispatch queue: waits and retries are new messages, delayed 15 minutes at most', () => {
    const age = alarms(template).find((a) => a.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(age).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 3600,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on the first fax the dispatch function could not send for the Telnyx API key, refused or unreadable', () => {
    const keyAlarm = alarms(template).find((a) => a.Metrics !== undefined);
    expect(keyAlarm).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    const metrics = keyAlarm?.Metrics as Array<{
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }>;
    const stat = (name: string) =>
      metrics.find((m) => m.MetricStat?.Metric.MetricName === name)?.MetricStat;
    for (const name of [TELNYX_KEY_REFUSED_METRIC, TELNYX_KEY_UNREADABLE_METRIC]) {
      expect(stat(name)).toEqual({
        Metric: {
          Namespace: 'FaxBridge',
          MetricName: name,
          Dimensions: [{ Name: 'service', Value: 'fax-bridge' }],
        },
        Period: 300,
        Stat: 'Sum',
      });
    }
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'FILL(refused, 0) + FILL(unreadable, 0)',
    );
  });

  it('fires on the first dead letter, error or throttle, and on a burst of 4xx answers', () => {
    const events = alarms(template).filter(
      (a) =>
        a.MetricName !== BRIDGE_PAGES_METRIC && a.MetricName !== 'ApproximateAgeOfOldestMessage',
    );
    for (const alarm of events) {
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm.Threshold).toBe(alarm.MetricName === 'Url4xxCount' ? 20 : 1);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  it('fires when the day’s pages reach 80% of maxPagesPerDay, and holds until a new day reports', () => {
    const pagesAlarm = (t: Template) => alarms(t).find((a) => a.MetricName === BRIDGE_PAGES_METRIC);
    expect(pagesAlarm(template)).toMatchObject({
      Namespace: 'FaxBridge',
      Statistic: 'Maximum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 2400,
      // No email for an hour leaves the day's count where it was: missing data changes nothing.
      TreatMissingData: 'ignore',
    });
    expect(pagesAlarm(bridgeStack({ maxPagesPerDay: 501 }).template)?.Threshold).toBe(401);
  });

  it('tells the alarm topic, which mails the alarm address over TLS only', () => {
    const topic = { Ref: logicalIdOf(stack.alarms.topic) };
    for (const alarm of alarms(template)) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topic,
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets CloudWatch publish to the topic, for this account’s alarms only', () => {
    // The topic's own policy replaces SNS's default one, so without this no alarm is delivered.
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const statements: Statement[] = policy?.Properties.PolicyDocument.Statement ?? [];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: logicalIdOf(stack.alarms.topic) },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudwatch:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':alarm:*',
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it('subscribes nobody when no alarm email is set', () => {
    bridgeStack().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
