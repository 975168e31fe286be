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
import { INBOUND_PREFIX, MEDIA_PREFIX, RAW_PREFIX } from '../../functions/adapters/storage-layout';
import { acknowledgeWildcardResource } from '../nag';

export interface FaxBucketProps {
  /** Days after which raw mail, fax documents and received faxes are deleted. */
  retentionDays: number;
  /** Days the server access logs are kept (default 90). */
  accessLogRetentionDays?: number;
}

/** The settings that decide whether a result email reads the fax document. */
export interface ResultEmailDocuments {
  /** Result emails attach the failed document. */
  attachFailedDocument: boolean;
  /**
   * TRANSMISSION_REPORT: `on` places page 1 of the fax in the delivered email's report.
   * @default 'on', as the functions' own default
   */
  transmissionReport?: 'on' | 'no-image' | 'off';
}

/** Whether a function that sends result emails reads `media/` for them. */
export const resultEmailsReadDocument = (s: ResultEmailDocuments): boolean =>
  s.attachFailedDocument || (s.transmissionReport ?? 'on') === 'on';

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
 * The bucket SES writes raw mail into (`raw/`), the fax documents live in (`media/`) and the
 * received faxes are kept in (`inbound/`): private, encrypted, TLS only, unversioned so expiry
 * really deletes, with server access logs beside it.
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
      lifecycleRules: [RAW_PREFIX, MEDIA_PREFIX, INBOUND_PREFIX].map((prefix) =>
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

  /** The inbound function writes each fax document; the dispatch function is the one to read it. */
  grantWriteMedia(grantee: IGrantable): void {
    this.allow(grantee, ['s3:PutObject'], MEDIA_PREFIX, 'fax documents are written by job id');
  }

  /** Reading a fax document back, directly or through a presigned GET, which carries the signer's rights. */
  grantReadMedia(grantee: IGrantable): void {
    const why = 'a fax document is presigned or read back by job id';
    this.allow(grantee, ['s3:GetObject'], MEDIA_PREFIX, why);
  }

  /** The receiver stores each received fax by its Telnyx fax id, and reads it back to attach it. */
  grantReadWriteInbound(grantee: IGrantable): void {
    const why = 'a received fax is stored and read back by its fax id';
    this.allow(grantee, ['s3:GetObject', 's3:PutObject'], INBOUND_PREFIX, why);
  }

  /** The webhook function serves a received fax by its signed download link. */
  grantReadInbound(grantee: IGrantable): void {
    const why = 'a received fax is served by the fax id its signed link names';
    this.allow(grantee, ['s3:GetObject'], INBOUND_PREFIX, why);
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
