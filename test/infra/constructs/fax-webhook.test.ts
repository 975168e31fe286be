import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaxBridgeStack } from '../../../infra/fax-bridge-stack';
import {
  actionsOf,
  bridgeStack,
  logicalIdOf,
  objectArn,
  roleStatements,
  statementFor,
} from '../stack-fixture';

let stack: FaxBridgeStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = bridgeStack());
});

const webhookFunction = (s: FaxBridgeStack, t: Template) =>
  t.findResources('AWS::Lambda::Function')[logicalIdOf(s.webhook.fn.fn)]?.Properties;

describe('FaxWebhook', () => {
  it('answers on a public Function URL; the function checks the signature itself', () => {
    const fnArn = { 'Fn::GetAtt': [logicalIdOf(stack.webhook.fn.fn), 'Arn'] };
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
      TargetFunctionArn: fnArn,
    });
    const publicPermissions = Object.values(
      template.findResources('AWS::Lambda::Permission', { Properties: { Principal: '*' } }),
    ).map((p) => p.Properties);
    expect(publicPermissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'lambda:InvokeFunctionUrl',
          FunctionUrlAuthType: 'NONE',
          FunctionName: fnArn,
        }),
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          InvokedViaFunctionUrl: true,
          FunctionName: fnArn,
        }),
      ]),
    );
    expect(publicPermissions).toHaveLength(2);
  });

  it('runs Node 24 on arm64 with reserved concurrency as its throttle', () => {
    expect(webhookFunction(stack, template)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 10,
      Timeout: 30,
    });
    const five = bridgeStack({ webhookConcurrency: 5 });
    expect(webhookFunction(five.stack, five.template)?.ReservedConcurrentExecutions).toBe(5);
    const none = bridgeStack({ webhookConcurrency: 'none' });
    expect(webhookFunction(none.stack, none.template)).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
  });

  it('may touch the ledger and send notices, and reads no secret and no mail', () => {
    const statements = roleStatements(template, stack.webhook.fn.role);
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'ses:SendRawEmail',
    ]);
  });

  it('reads media/ only when result emails attach the failed document', () => {
    const attaching = bridgeStack({ attachFailedDocument: true });
    const statements = roleStatements(attaching.template, attaching.stack.webhook.fn.role);
    expect(statementFor(statements, ['s3:GetObject']).Resource).toEqual(
      objectArn(logicalIdOf(attaching.stack.files.bucket), 'media/*'),
    );
    expect(statements.flatMap(actionsOf)).not.toContain('s3:PutObject');
  });
});
