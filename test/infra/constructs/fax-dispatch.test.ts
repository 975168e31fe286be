import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaxBridgeStack } from '../../../infra/fax-bridge-stack';
import {
  actionsOf,
  bridgeStack,
  logicalIdOf,
  objectArn,
  resourcesOf,
  roleStatements,
  statementFor,
} from '../stack-fixture';

let stack: FaxBridgeStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = bridgeStack());
});

/** The dispatch function's one event source (the receiver has its own, on the fax-in queue). */
const eventSource = (t: Template, s: FaxBridgeStack = stack) => {
  const [mapping, ...others] = Object.values(
    t.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: logicalIdOf(s.dispatch.fn.fn) } },
    }),
  );
  expect(others).toEqual([]);
  return mapping?.Properties;
};

describe('FaxDispatch', () => {
  it('runs Node 24 on arm64', () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(stack.dispatch.fn.fn)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 150,
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(stack.dispatch.fn.logGroup) } },
    });
  });

  it('takes the dispatch queue in small batches, each failed message reported alone', () => {
    expect(eventSource(template)).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.dispatchQueue.queue), 'Arn'] },
      FunctionName: { Ref: logicalIdOf(stack.dispatch.fn.fn) },
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it.each([
    [{}, 2],
    [{ telnyxChannels: 1 }, 2],
    [{ telnyxChannels: 10 }, 10],
  ])(
    'runs no more executions at once than the call channels, and at least Lambda’s floor of 2: %o → %i',
    (context, most) => {
      const built = bridgeStack(context);
      expect(eventSource(built.template, built.stack)?.ScalingConfig).toEqual({
        MaximumConcurrency: most,
      });
    },
  );

  it('may consume and send to the queue, use the ledger and its leases, presign documents, email and read both keys', () => {
    const statements = roleStatements(template, stack.dispatch.fn.role);
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
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    // Consuming and sending, on the dispatch queue alone.
    const queueArn = { 'Fn::GetAtt': [logicalIdOf(stack.dispatchQueue.queue), 'Arn'] };
    const onQueues = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(onQueues.flatMap(resourcesOf)).toEqual(onQueues.map(() => queueArn));
    expect(statementFor(statements, ['s3:GetObject']).Resource).toEqual(
      objectArn(logicalIdOf(stack.files.bucket), 'media/*'),
    );
    const secrets = statements
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap(resourcesOf);
    expect(secrets).toEqual(
      expect.arrayContaining([
        { Ref: logicalIdOf(stack.apiKey.node.findChild('Secret')) },
        { Ref: logicalIdOf(stack.clientStateSecret.secret) },
      ]),
    );
    expect(secrets).toHaveLength(2);
    expect(statements.flatMap(actionsOf)).not.toContain('s3:PutObject');
  });
});
