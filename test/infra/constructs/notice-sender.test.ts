import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { NoticeSender } from '../../../infra/constructs/notice-sender';
import { roleStatements, testStack } from '../stack-fixture';

const identity = (name: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ses:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:identity/${name}`,
    ],
  ],
});

describe('NoticeSender', () => {
  it('may send raw email from the notice address only, through the named identities', () => {
    const stack = testStack();
    const role = new Role(stack, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    new NoticeSender(stack, 'Notices', {
      noticeFrom: 'Fax@fax.example.com',
      recipients: ['alice@example.com', '@example.org'],
    }).grantSend(role);
    expect(roleStatements(Template.fromStack(stack), role)).toEqual([
      {
        Effect: 'Allow',
        Action: 'ses:SendRawEmail',
        Resource: [
          identity('alice@example.com'),
          identity('example.com'),
          identity('example.org'),
          identity('fax.example.com'),
        ],
        Condition: { StringEqualsIgnoreCase: { 'ses:FromAddress': 'Fax@fax.example.com' } },
      },
    ]);
  });
});
