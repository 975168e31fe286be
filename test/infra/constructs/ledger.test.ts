import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../infra/constructs/ledger';
import { logicalIdOf, roleStatements, testStack } from '../stack-fixture';

function ledgerWithReader(grant: 'grantItemAccess' | 'grantCallLeases' = 'grantItemAccess') {
  const stack = testStack();
  const ledger = new Ledger(stack, 'Ledger');
  const role = new Role(stack, 'Reader', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
  });
  ledger[grant](role);
  return { ledger, role, template: Template.fromStack(stack) };
}

describe('Ledger', () => {
  it('is an on-demand table keyed by pk with TTL on expiresAt, encrypted, with PITR', () => {
    const { template } = ledgerWithReader();
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('grants the four item actions on this table and nothing else', () => {
    const { ledger, role, template } = ledgerWithReader();
    expect(roleStatements(template, role)).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        Resource: { 'Fn::GetAtt': [logicalIdOf(ledger.table), 'Arn'] },
      },
    ]);
  });

  it('adds BatchGetItem for the call leases, on this table alone', () => {
    const { ledger, role, template } = ledgerWithReader('grantCallLeases');
    const table = { 'Fn::GetAtt': [logicalIdOf(ledger.table), 'Arn'] };
    expect(roleStatements(template, role)).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:BatchGetItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        Resource: table,
      },
    ]);
  });
});
