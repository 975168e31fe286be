import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { IReceiptRuleAction } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { MEDIA_PREFIX, RAW_PREFIX } from '../../functions/adapters/storage-layout';
import { acknowledgeWildcardResource } from '../nag';

export interface FaxBucketProps {
  /** Days after which raw mail and fax documents are deleted. */
  retentionDays: number;
  /** Days the server access logs are kept (default 90). */
  accessLogRetentionDays?: number;
}

const privateBucket = {
  encryption: BucketEncryption.S3_MANAGED,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  versioned: false,
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

const expire = (days: number, prefix?: string): LifecycleRule => ({
  prefix,
  expiration: Duration.days(days),
  abortIncompleteMultipartUploadAfter: Duration.days(1),
});

/**
 * The bucket SES writes raw mail into (`raw/`) and the fax documents live in (`media/`): private,
 * encrypted, TLS only, unversioned so expiry really deletes, with server access logs beside it.
 */
export class FaxBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: FaxBucketProps) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...privateBucket,
      lifecycleRules: [expire(props.accessLogRetentionDays ?? 90)],
    });
    this.bucket = new Bucket(this, 'Files', {
      ...privateBucket,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'fax-bucket/',
      lifecycleRules: [RAW_PREFIX, MEDIA_PREFIX].map((prefix) =>
        expire(props.retentionDays, prefix),
      ),
    });
  }

  /** Lets SES, for this one receipt rule only, write raw mail under `raw/`. */
  allowSesToStoreRawMail(receiptRuleArn: string): void {
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${RAW_PREFIX}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 'aws:SourceArn': receiptRuleArn },
        },
      }),
    );
  }

  /** The receipt rule action storing raw mail under `raw/<messageId>`. */
  storeRawMailAction(): IReceiptRuleAction {
    const { bucket } = this;
    return {
      bind: (rule) => {
        // SES tests its write access when the rule is created, so the policy must exist first.
        if (bucket.policy) rule.node.addDependency(bucket.policy);
        return { s3Action: { bucketName: bucket.bucketName, objectKeyPrefix: RAW_PREFIX } };
      },
    };
  }

  /** The inbound function reads the raw mail SES stored under `raw/<SES message id>`. */
  grantReadRawMail(grantee: IGrantable): void {
    this.allow(grantee, ['s3:GetObject'], RAW_PREFIX, 'raw mail is read by SES message id');
  }

  /** Writing the fax document, and reading it back (presigned GET URLs carry the reader's rights). */
  grantReadWriteMedia(grantee: IGrantable): void {
    const why = 'fax documents are written and presigned by job id';
    this.allow(grantee, ['s3:GetObject', 's3:PutObject'], MEDIA_PREFIX, why);
  }

  grantReadMedia(grantee: IGrantable): void {
    const why = 'a failed fax document is read back by job id';
    this.allow(grantee, ['s3:GetObject'], MEDIA_PREFIX, why);
  }

  private allow(grantee: IGrantable, actions: string[], prefix: string, why: string): void {
    const objects = this.bucket.arnForObjects(`${prefix}*`);
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [objects] }));
    if (Construct.isConstruct(principal)) {
      acknowledgeWildcardResource(
        principal,
        objects,
        `Object names are only known at run time (${why}); the wildcard covers the ${prefix} ` +
          `prefix of this one bucket, for ${actions.join(' and ')} only.`,
      );
    }
  }
}
