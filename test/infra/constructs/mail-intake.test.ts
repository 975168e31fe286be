import { Match, type Template } from 'aws-cdk-lib/assertions';
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

describe('MailIntake receipt rule', () => {
  it('stores raw mail under raw/ and then invokes the inbound function asynchronously', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: {
        Name: 'FaxBridge-fax',
        Enabled: true,
        Recipients: ['fax.example.com'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [
          {
            S3Action: {
              BucketName: { Ref: logicalIdOf(stack.files.bucket) },
              ObjectKeyPrefix: 'raw/',
            },
          },
          {
            LambdaAction: {
              FunctionArn: { 'Fn::GetAtt': [logicalIdOf(stack.intake.fn.fn), 'Arn'] },
              InvocationType: 'Event',
            },
          },
          { StopAction: { Scope: 'RuleSet' } },
        ],
      },
    });
  });

  it('is created only after SES may write the bucket and invoke the function', () => {
    const [rule] = Object.values(template.findResources('AWS::SES::ReceiptRule'));
    expect(rule?.DependsOn).toEqual(
      expect.arrayContaining([
        logicalIdOf(stack.files.bucket.policy ?? stack.files.bucket),
        expect.stringMatching(/AllowSes/),
      ]),
    );
  });

  it('lets only SES, for this rule, invoke the inbound function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'ses.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([':receipt-rule/FaxBridge-fax'])],
      }),
    });
    const sesPermissions = template.findResources('AWS::Lambda::Permission', {
      Properties: { Principal: 'ses.amazonaws.com' },
    });
    expect(Object.keys(sesPermissions)).toHaveLength(1);
  });

  it('creates its own rule set and has its own function activate it, once the rule is in it', () => {
    const ruleSetId = logicalIdOf(stack.intake.node.findChild('RuleSet'));
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'FaxBridge' });
    template.hasResourceProperties('AWS::SES::ReceiptRule', { RuleSetName: { Ref: ruleSetId } });
    const activation = stack.intake.activation;
    if (!activation) throw new Error('create-and-activate has no activation');
    const [resource, ...others] = Object.values(
      template.findResources('Custom::ReceiptRuleSetActivation'),
    );
    expect(others).toEqual([]);
    expect(resource?.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [logicalIdOf(activation.fn), 'Arn'] },
      RuleSetName: { Ref: ruleSetId },
    });
    expect(resource?.DependsOn).toContain(logicalIdOf(stack.intake.rule));
    template.resourceCountIs('Custom::AWS', 0);
  });

  it('lets the activation function only read and set the active rule set, and log', () => {
    const activation = stack.intake.activation;
    if (!activation) throw new Error('create-and-activate has no activation');
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(activation.fn)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(activation.logGroup) } },
    });
    const statements = roleStatements(template, activation.role);
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'ses:DescribeActiveReceiptRuleSet',
      'ses:SetActiveReceiptRuleSet',
    ]);
  });

  it('adds its rule to the named active rule set instead, with a Stop, without touching activation', () => {
    const other = bridgeStack({ receiptRuleSet: 'use-active:company-mail' }).template;
    other.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    other.resourceCountIs('Custom::ReceiptRuleSetActivation', 0);
    other.hasResourceProperties('AWS::SES::ReceiptRule', { RuleSetName: 'company-mail' });
    // Rules after ours in the user's set (a catch-all that bounces) must not act on fax mail.
    const [rule] = Object.values(other.findResources('AWS::SES::ReceiptRule'));
    expect(rule?.Properties.Rule.Actions.at(-1)).toEqual({ StopAction: { Scope: 'RuleSet' } });
    expect(rule?.Properties.After).toBeUndefined();
    other.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Condition: {
              StringEquals: Match.objectLike({
                'aws:SourceArn': Match.objectLike({
                  'Fn::Join': [
                    '',
                    Match.arrayWith([':receipt-rule-set/company-mail:receipt-rule/FaxBridge-fax']),
                  ],
                }),
              }),
            },
          }),
        ]),
      },
    });
  });
});

describe('MailIntake inbound function', () => {
  it('runs Node 24 on arm64, sized for a 40 MB message', () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(stack.intake.fn.fn)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 120,
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(stack.intake.fn.logGroup) } },
    });
  });

  it('keeps its logs for the configured days', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    bridgeStack({ logRetentionDays: 90 }).template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
    });
  });

  it('sends what still fails after two retries to an encrypted, TLS-only dead-letter queue', () => {
    const queueId = logicalIdOf(stack.intake.deadLetterQueue);
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
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

  it('may do exactly what the inbound path needs, on exactly those resources', () => {
    const statements = roleStatements(template, stack.intake.fn.role);
    const bucketId = logicalIdOf(stack.files.bucket);
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      's3:PutObject',
      'ses:SendRawEmail',
      'sqs:SendMessage',
    ]);
    expect(statementFor(statements, ['s3:GetObject']).Resource).toEqual(
      objectArn(bucketId, 'raw/*'),
    );
    // It writes the document; the dispatch function presigns it for Telnyx.
    expect(statementFor(statements, ['s3:PutObject']).Resource).toEqual(
      objectArn(bucketId, 'media/*'),
    );
    // Its own dead-letter queue (Lambda sends with the function's role) and the dispatch queue.
    const sends = resourcesOf(statementFor(statements, ['sqs:SendMessage']));
    expect(sends).toHaveLength(2);
    expect(sends).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [logicalIdOf(stack.intake.deadLetterQueue), 'Arn'] },
        { 'Fn::GetAtt': [logicalIdOf(stack.dispatchQueue.queue), 'Arn'] },
      ]),
    );
  });
});
