import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeployConfigError } from '../../../infra/config';
import type { FaxBridgeStack } from '../../../infra/fax-bridge-stack';
import {
  actionsOf,
  bridgeStack,
  logicalIdOf,
  resourcesOf,
  roleStatements,
  statementFor,
} from '../stack-fixture';

let stack: FaxBridgeStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = bridgeStack());
});

const sweeperFunction = (s: FaxBridgeStack, t: Template) =>
  t.findResources('AWS::Lambda::Function')[logicalIdOf(s.sweeper.fn.fn)]?.Properties;

describe('FaxSweeper', () => {
  it('runs the sweeper every sweepIntervalSeconds, 10 minutes unless set', () => {
    const fnArn = { 'Fn::GetAtt': [logicalIdOf(stack.sweeper.fn.fn), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(10 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: fnArn, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: fnArn,
      SourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.sweeper.rule), 'Arn'] },
    });
    bridgeStack({ sweepIntervalSeconds: 120 }).template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(2 minutes)',
    });
  });

  it('refuses an interval EventBridge cannot schedule, naming the setting', () => {
    expect(() => bridgeStack({ sweepIntervalSeconds: 90 })).toThrowError(DeployConfigError);
    expect(() => bridgeStack({ sweepIntervalSeconds: 90 })).toThrowError(
      /sweepIntervalSeconds must be a whole number of minutes/,
    );
  });

  it('ends each sweep before the next one starts, and does not retry one that failed', () => {
    expect(sweeperFunction(stack, template)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
    });
    const everyMinute = bridgeStack({ sweepIntervalSeconds: 60 });
    expect(sweeperFunction(everyMinute.stack, everyMinute.template)?.Timeout).toBe(60);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(stack.sweeper.fn.fn) },
      MaximumRetryAttempts: 0,
    });
  });

  it('may send to the dispatch queue, use the ledger and its leases, email and read both keys, but not consume', () => {
    const statements = roleStatements(template, stack.sweeper.fn.role);
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      'secretsmanager:GetSecretValue',
      'ses:SendRawEmail',
      'sqs:SendMessage',
    ]);
    expect(statementFor(statements, ['sqs:SendMessage']).Resource).toEqual({
      'Fn::GetAtt': [logicalIdOf(stack.dispatchQueue.queue), 'Arn'],
    });
    const secrets = statements
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap(resourcesOf);
    expect(secrets).toHaveLength(2);
  });

  it('reads media/ only to attach the failed document or place page 1 in the report', () => {
    const reads = (context: Record<string, unknown>) => {
      const built = bridgeStack(context);
      return roleStatements(built.template, built.stack.sweeper.fn.role)
        .flatMap(actionsOf)
        .includes('s3:GetObject');
    };
    expect(reads({ transmissionReport: 'off' })).toBe(false);
    expect(reads({ transmissionReport: 'off', attachFailedDocument: true })).toBe(true);
  });
});
