import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaxBridgeStack } from '../../../infra/fax-bridge-stack';
import { bridgeStack, logicalIdOf } from '../stack-fixture';

let stack: FaxBridgeStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = bridgeStack({ alarmEmail: 'ops@example.com' }));
});

const alarms = (t: Template) =>
  Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);

describe('Alarms', () => {
  it('alarms on dead letters, errors and throttles of both functions, forged webhooks and webhook 5xx answers', () => {
    const found = alarms(template).map((a) => [a.MetricName, JSON.stringify(a.Dimensions)]);
    const fnDimension = (fn: IConstruct) =>
      JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn) } }]);
    const inbound = fnDimension(stack.intake.fn.fn);
    const webhook = fnDimension(stack.webhook.fn.fn);
    expect(found).toEqual(
      expect.arrayContaining([
        [
          'ApproximateNumberOfMessagesVisible',
          expect.stringContaining(logicalIdOf(stack.intake.deadLetterQueue)),
        ],
        ['Errors', inbound],
        ['Throttles', inbound],
        ['Errors', webhook],
        ['Throttles', webhook],
        ['Url4xxCount', webhook],
        ['Url5xxCount', webhook],
      ]),
    );
    expect(found).toHaveLength(7);
  });

  it('fires on the first dead letter, error or throttle, and on a burst of 4xx answers', () => {
    for (const alarm of alarms(template)) {
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm.Threshold).toBe(alarm.MetricName === 'Url4xxCount' ? 20 : 1);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
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
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  it('subscribes nobody when no alarm email is set', () => {
    bridgeStack().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
