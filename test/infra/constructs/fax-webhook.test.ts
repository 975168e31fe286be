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

  it('runs Node 24 on arm64, reserving no concurrency unless asked (new accounts have none to spare)', () => {
    expect(webhookFunction(stack, template)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 30,
    });
    expect(webhookFunction(stack, template)).not.toHaveProperty('ReservedConcurrentExecutions');
    const five = bridgeStack({ webhookConcurrency: 5 });
    expect(webhookFunction(five.stack, five.template)?.ReservedConcurrentExecutions).toBe(5);
  });

  it('may touch the ledger and its leases, queue a retry or a received fax, send notices, read the client_state key, the fax documents and the received faxes: not the API key, not mail', () => {
    const statements = roleStatements(template, stack.webhook.fn.role);
    expect(statements.flatMap(actionsOf).sort()).toEqual([
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
    expect(statementFor(statements, ['secretsmanager:GetSecretValue']).Resource).toEqual({
      Ref: logicalIdOf(stack.clientStateSecret.secret),
    });
    expect(resourcesOf(statementFor(statements, ['sqs:SendMessage']))).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(stack.dispatchQueue.queue), 'Arn'] },
      { 'Fn::GetAtt': [logicalIdOf(stack.faxInQueue.queue), 'Arn'] },
    ]);
  });

  it('reads inbound/ to answer a received fax’s download link, whatever the result email settings', () => {
    for (const context of [{}, { transmissionReport: 'off' }]) {
      const built = bridgeStack(context);
      const reads = roleStatements(built.template, built.stack.webhook.fn.role)
        .filter((s) => actionsOf(s).includes('s3:GetObject'))
        .flatMap(resourcesOf);
      expect(reads).toContainEqual(objectArn(logicalIdOf(built.stack.files.bucket), 'inbound/*'));
    }
  });

  it.each([
    [{}, true],
    [{ transmissionReport: 'on' }, true],
    [{ transmissionReport: 'no-image' }, false],
    [{ transmissionReport: 'off' }, false],
    [{ transmissionReport: 'off', attachFailedDocument: true }, true],
    [{ transmissionReport: 'no-image', attachFailedDocument: true }, true],
  ])(
    'reads media/ only to attach the failed document or place page 1 in the report: %o → %s',
    (context, reads) => {
      const built = bridgeStack(context);
      const statements = roleStatements(built.template, built.stack.webhook.fn.role);
      const media = objectArn(logicalIdOf(built.stack.files.bucket), 'media/*');
      const readsMedia = statements
        .filter((s) => actionsOf(s).includes('s3:GetObject'))
        .flatMap(resourcesOf)
        .some((r) => JSON.stringify(r) === JSON.stringify(media));
      expect(readsMedia).toBe(reads);
      expect(statements.flatMap(actionsOf)).not.toContain('s3:PutObject');
    },
  );
});
