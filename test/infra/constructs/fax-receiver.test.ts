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

const ROUTES = {
  '+13125550100': {
    to: ['frontdesk@clinic.example', 'dr.ortiz@clinic.example'],
    delivery: 'attach',
  },
  '*': { to: ['admin@clinic.example'], delivery: 'link' },
};

let stack: FaxBridgeStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = bridgeStack({ inboundRoutes: ROUTES }));
});

const receiverFunction = () =>
  template.findResources('AWS::Lambda::Function')[logicalIdOf(stack.receiver.fn.fn)]?.Properties;

const eventSources = () =>
  Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))
    .map((m) => m.Properties)
    .filter(
      (p) =>
        JSON.stringify(p.FunctionName) ===
        JSON.stringify({ Ref: logicalIdOf(stack.receiver.fn.fn) }),
    );

describe('FaxReceiver', () => {
  it('runs Node 24 on arm64 with the memory and time a 350-page TIFF takes', () => {
    expect(receiverFunction()).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 120,
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(stack.receiver.fn.logGroup) } },
    });
  });

  it('takes the fax-in queue one fax at a time, a failed one reported alone, five executions at most', () => {
    expect(eventSources()).toEqual([
      expect.objectContaining({
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.faxInQueue.queue), 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 5 },
      }),
    ]);
  });

  it('may consume the fax-in queue, keep faxes under inbound/, use ledger items, email and read both keys: nothing else', () => {
    const statements = roleStatements(template, stack.receiver.fn.role);
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      's3:PutObject',
      'secretsmanager:GetSecretValue',
      'ses:SendRawEmail',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
    const faxInArn = { 'Fn::GetAtt': [logicalIdOf(stack.faxInQueue.queue), 'Arn'] };
    const onQueues = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(onQueues.flatMap(resourcesOf)).toEqual(onQueues.map(() => faxInArn));
    expect(statementFor(statements, ['s3:GetObject', 's3:PutObject']).Resource).toEqual(
      objectArn(logicalIdOf(stack.files.bucket), 'inbound/*'),
    );
    expect(
      statementFor(statements, [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]).Resource,
    ).toEqual({
      'Fn::GetAtt': [logicalIdOf(stack.ledger.table), 'Arn'],
    });
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
  });

  it('sends email only from the notice address, to the identities of the routes’ addresses', () => {
    const ses = statementFor(roleStatements(template, stack.receiver.fn.role), [
      'ses:SendRawEmail',
    ]);
    expect(ses.Condition).toEqual({
      StringEqualsIgnoreCase: { 'ses:FromAddress': 'fax@fax.example.com' },
    });
    const identities = JSON.stringify(ses.Resource);
    for (const identity of [
      'identity/fax.example.com',
      'identity/clinic.example',
      'identity/frontdesk@clinic.example',
      'identity/dr.ortiz@clinic.example',
      'identity/admin@clinic.example',
    ]) {
      expect(identities).toContain(identity);
    }
    // The allowed senders get the outbound results, not received faxes.
    expect(identities).not.toContain('alice@example.com');
  });
});
