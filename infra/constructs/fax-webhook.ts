import { Duration } from 'aws-cdk-lib';
import { type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BridgeFunction } from './bridge-function';
import type { ClientStateSecret } from './client-state-secret';
import type { FaxBucket } from './fax-bucket';
import type { Ledger } from './ledger';
import type { NoticeSender } from './notice-sender';

export interface FaxWebhookProps {
  files: FaxBucket;
  ledger: Ledger;
  notices: NoticeSender;
  /** Checks that each event is about the fax the job it names was sent as. */
  clientStateSecret: ClientStateSecret;
  /** Result emails attach the failed document, so the function reads `media/`. */
  attachFailedDocument: boolean;
  /**
   * TRANSMISSION_REPORT: `on` places page 1 of the fax in the delivered email's report, so the
   * function reads `media/` for it too.
   * @default 'on', as the function's own default
   */
  transmissionReport?: 'on' | 'no-image' | 'off';
  /** Concurrent executions reserved, which is also the most it may run at once (default none). */
  reservedConcurrency?: number;
  environment: Record<string, string>;
  logRetentionDays: number;
}

/**
 * Telnyx's signed fax webhooks in: a public Function URL (the function verifies the Ed25519
 * signature itself) whose reserved concurrency caps what a flood of forged requests can cost.
 */
export class FaxWebhook extends Construct {
  readonly fn: BridgeFunction;
  readonly functionUrl: FunctionUrl;

  constructor(scope: Construct, id: string, props: FaxWebhookProps) {
    super(scope, id);
    this.fn = new BridgeFunction(this, 'Webhook', {
      handler: 'fax-webhook',
      description: 'Records Telnyx fax status webhooks and emails each fax result',
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
    props.ledger.grantItemAccess(this.fn.fn);
    props.notices.grantSend(this.fn.fn);
    props.clientStateSecret.grantRead(this.fn.fn);
    const readsDocument = props.attachFailedDocument || (props.transmissionReport ?? 'on') === 'on';
    if (readsDocument) props.files.grantReadMedia(this.fn.fn);
  }

  get url(): string {
    return this.functionUrl.url;
  }
}
