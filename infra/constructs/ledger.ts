import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The item actions the DynamoDB ledger adapter uses, and nothing else (no scans, no queries). */
const ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/**
 * The table of fax jobs and seen webhook events: one `pk` string key, items expire through the
 * `expiresAt` TTL attribute, on-demand, encrypted with the AWS-managed key, point-in-time recovery.
 */
export class Ledger extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  grantItemAccess(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ITEM_ACTIONS, resources: [this.table.tableArn] }),
    );
  }

  /**
   * The call leases besides the items: the DynamoDB adapter reads every channel's `lease#` item
   * in one BatchGetItem, keys it names itself (still no scans, no queries).
   */
  grantCallLeases(grantee: IGrantable): void {
    this.grantItemAccess(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: [this.table.tableArn] }),
    );
  }
}
