import { Duration } from 'aws-cdk-lib';
import { type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BridgeFunction } from './bridge-function';
import type { ClientStateSecret } from './client-state-secret';
import { type FaxBucket, type ResultEmailDocuments, resultEmailsReadDocument } from './fax-bucket';
import type { Ledger } from './ledger';
import type { NoticeSender } from './notice-sender';
import type { WorkQueue } from './work-queue';

export interface FaxWebhookProps extends ResultEmailDocuments {
  files: FaxBucket;
  ledger: Ledger;
  notices: NoticeSender;
  /** Where a failed fax's next attempt is queued. */
  queue: WorkQueue;
  /** Where each received (or failed) inbound fax is handed to the receiver function. */
  faxInQueue: WorkQueue;
  /** Checks that each event is about the fax the job it names was sent as. */
  clientStateSecret: ClientStateSecret;
  /** Concurrent executions reserved, which is also the most it may run at once (default none). */
  reservedConcurrency?: number;
  environment: Record<string, string>;
  logRetentionDays: number;
}

/**
 * Telnyx's signed fax webhooks in, for faxes sent and received: a public Function URL (the
 * function verifies the Ed25519 signature itself) whose reserved concurrency caps what a flood of
 * forged requests can cost. The same URL serves received faxes by signed download link.
 */
export class FaxWebhook extends Construct {
  readonly fn: BridgeFunction;
  readonly functionUrl: FunctionUrl;

  constructor(scope: Construct, id: string, props: FaxWebhookProps) {
    super(scope, id);
    this.fn = new BridgeFunction(this, 'Webhook', {
      handler: 'fax-webhook',
      description:
        'Records Telnyx fax webhooks, emails each sent fax result, queues received faxes and serves their links',
      memorySize: 1024,
      timeout: Duration.seconds(30),
      environment: props.environment,
      logRetentionDays: props.logRetentionDays,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    this.functionUrl = this.fn.fn.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    // A fax's last webhook gives its call leases back.
    props.ledger.grantCallLeases(this.fn.fn);
    props.queue.grantSend(this.fn.fn);
    props.faxInQueue.grantSend(this.fn.fn);
    // The download link of a received fax is answered with the document itself.
    props.files.grantReadInbound(this.fn.fn);
    props.notices.grantSend(this.fn.fn);
    props.clientStateSecret.grantRead(this.fn.fn);
    if (resultEmailsReadDocument(props)) props.files.grantReadMedia(this.fn.fn);
  }

  get url(): string {
    return this.functionUrl.url;
  }
}
