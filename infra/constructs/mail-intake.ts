import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IReceiptRuleSet, ReceiptRule, ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda, LambdaInvocationType, Stop } from 'aws-cdk-lib/aws-ses-actions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ReceiptRuleSetMode } from '../config';
import { BridgeFunction } from './bridge-function';
import type { FaxBucket } from './fax-bucket';
import type { Ledger } from './ledger';
import type { NoticeSender } from './notice-sender';
import { RuleSetActivation } from './rule-set-activation';
import type { WorkQueue } from './work-queue';

export interface MailIntakeProps {
  faxDomains: string[];
  receiptRuleSet: ReceiptRuleSetMode;
  files: FaxBucket;
  ledger: Ledger;
  notices: NoticeSender;
  /** Where each fax of an email is queued for the dispatch function. */
  queue: WorkQueue;
  environment: Record<string, string>;
  logRetentionDays: number;
}

/**
 * Email in: an SES receipt rule for the fax domains (TLS required, spam and virus scanning on)
 * stores the raw message under `raw/` and then invokes the inbound function asynchronously, which
 * queues each fax for the dispatch function.
 * Invocations that still fail after Lambda's retries land in an encrypted dead-letter queue.
 */
export class MailIntake extends Construct {
  readonly fn: BridgeFunction;
  readonly deadLetterQueue: Queue;
  readonly rule: ReceiptRule;
  /** With create-and-activate only. */
  readonly activation?: RuleSetActivation;

  constructor(scope: Construct, id: string, props: MailIntakeProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.fn = this.inboundFunction(props);
    const ruleSet = this.ruleSet(props.receiptRuleSet);
    this.rule = this.receiptRule(ruleSet, props);
    if (props.receiptRuleSet.kind === 'create-and-activate') {
      this.activation = new RuleSetActivation(this, 'Activation', {
        ruleSetName: ruleSet.receiptRuleSetName,
        logRetentionDays: props.logRetentionDays,
      });
      // Active only once it holds the rule; on delete, deactivated before the rule goes.
      this.activation.node.addDependency(this.rule);
    }
  }

  private inboundFunction(props: MailIntakeProps): BridgeFunction {
    const inbound = new BridgeFunction(this, 'Inbound', {
      handler: 'inbound-email',
      description: 'Turns an email received by SES into fax jobs on the dispatch queue',
      // A message of up to 40 MB (SES's limit) is parsed in memory, its attachments rendered into
      // one PDF. bench/: a 30 MB email peaks near 210 MB; 1 GB leaves room for hostile mail and
      // buys CPU.
      memorySize: 1024,
      timeout: Duration.minutes(2),
      environment: props.environment,
      logRetentionDays: props.logRetentionDays,
      deadLetterQueue: this.deadLetterQueue,
    });
    inbound.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
    props.files.grantReadRawMail(inbound.fn);
    props.files.grantWriteMedia(inbound.fn);
    props.ledger.grantItemAccess(inbound.fn);
    props.notices.grantSend(inbound.fn);
    props.queue.grantSend(inbound.fn);
    return inbound;
  }

  private receiptRule(ruleSet: IReceiptRuleSet, props: MailIntakeProps): ReceiptRule {
    const receiptRuleName = `${Stack.of(this).stackName}-fax`;
    const ruleArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${ruleSet.receiptRuleSetName}:receipt-rule/${receiptRuleName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    props.files.allowSesToStoreRawMail(ruleArn);
    // Named AllowSes so the Lambda action reuses it instead of adding one without the rule ARN.
    this.fn.fn.addPermission('AllowSes', {
      principal: new ServicePrincipal('ses.amazonaws.com'),
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: ruleArn,
    });
    return new ReceiptRule(this, 'Rule', {
      ruleSet,
      receiptRuleName,
      recipients: props.faxDomains,
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        props.files.storeRawMailAction(),
        new Lambda({ function: this.fn.fn, invocationType: LambdaInvocationType.EVENT }),
        // In a shared rule set (use-active:), later rules (a catch-all that bounces, say) would
        // act on fax mail too; in our own set it keeps a rule added later off it alike.
        new Stop(),
      ],
    });
  }

  private ruleSet(mode: ReceiptRuleSetMode): IReceiptRuleSet {
    if (mode.kind === 'use-active') {
      return ReceiptRuleSet.fromReceiptRuleSetName(this, 'RuleSet', mode.ruleSetName);
    }
    return new ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: Stack.of(this).stackName });
  }
}
