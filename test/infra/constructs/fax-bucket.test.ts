import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaxBridgeStack } from '../../../infra/fax-bridge-stack';
import { bridgeStack, logicalIdOf, objectArn, type Statement } from '../stack-fixture';

let stack: FaxBridgeStack;
let template: Template;
let bucketId: string;
let logsId: string;

beforeAll(() => {
  ({ stack, template } = bridgeStack());
  bucketId = logicalIdOf(stack.files.bucket);
  logsId = logicalIdOf(stack.files.accessLogs);
});

const bucketPolicy = (id: string): Statement[] =>
  Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
    (p) => p.Properties.Bucket.Ref === id,
  )?.Properties.PolicyDocument.Statement;

describe('FaxBucket', () => {
  it('is private, S3-encrypted, unversioned and logs access to its own log bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: Match.absent(),
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId } },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('deletes raw mail, fax documents and received faxes after the retention days', () => {
    const rules = (days: number) => [
      Match.objectLike({ Prefix: 'raw/', ExpirationInDays: days, Status: 'Enabled' }),
      Match.objectLike({ Prefix: 'media/', ExpirationInDays: days, Status: 'Enabled' }),
      Match.objectLike({ Prefix: 'inbound/', ExpirationInDays: days, Status: 'Enabled' }),
    ];
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: rules(7) },
    });
    bridgeStack({ retentionDays: 30 }).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: rules(30) },
    });
  });

  it('lets SES write raw/ for this receipt rule only, and refuses plain HTTP', () => {
    const statements = bucketPolicy(bucketId);
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: objectArn(bucketId, 'raw/*'),
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': expect.objectContaining({
              'Fn::Join': ['', expect.arrayContaining([':receipt-rule/FaxBridge-fax'])],
            }),
          },
        },
      },
    ]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('keeps its access logs private, encrypted and expiring', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: Match.anyValue(),
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true }),
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
      }),
    });
    const allows = bucketPolicy(logsId).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({ Principal: { Service: 'logging.s3.amazonaws.com' } }),
    ]);
  });
});
