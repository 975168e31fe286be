import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { BridgeFunction } from './bridge-function';
import type { ClientStateSecret } from './client-state-secret';
import { type FaxBucket, type ResultEmailDocuments, resultEmailsReadDocument } from './fax-bucket';
import type { Ledger } from './ledger';
import type { NoticeSender } from './notice-sender';
import type { TelnyxApiKey } from './telnyx-api-key';
import type { WorkQueue } from './work-queue';

export interface FaxSweeperProps extends ResultEmailDocuments {
  queue: WorkQueue;
  files: FaxBucket;
  ledger: Ledger;
  notices: NoticeSender;
  apiKey: TelnyxApiKey;
  /** Finds a fax whose POST went unanswered by the client_state it was sent with. */
  clientStateSecret: ClientStateSecret;
  /** SWEEP_INTERVAL_SECONDS, a whole number of minutes (config.ts checks it). */
  intervalSeconds: number;
  environment: Record<string, string>;
  logRetentionDays: number;
}

/**
 * Faxes whose webhooks never came: every SWEEP_INTERVAL_SECONDS an EventBridge rule runs the
 * sweeper, which asks Telnyx about each call still held and applies its answer.
 */
export class FaxSweeper extends Construct {
  readonly fn: BridgeFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: FaxSweeperProps) {
    super(scope, id);
    this.fn = new BridgeFunction(this, 'Sweeper', {
      handler: 'fax-sweeper',
      description: 'Looks up the faxes whose Telnyx webhooks never arrived',
      // As the webhook's: it sends the same result emails, report and document included.
      memorySize: 1024,
      // Over before the next sweep starts, so that sweeps never overlap.
      timeout: Duration.seconds(Math.min(300, props.intervalSeconds)),
      environment: props.environment,
      logRetentionDays: props.logRetentionDays,
    });
    // A failed sweep is not retried: the next one, an interval later, looks at the same faxes.
    this.fn.fn.configureAsyncInvoke({ retryAttempts: 0 });
    this.rule = new Rule(this, 'Schedule', {
      description: 'Runs the fax-bridge sweeper',
      schedule: Schedule.rate(Duration.seconds(props.intervalSeconds)),
      targets: [new LambdaFunction(this.fn.fn, { retryAttempts: 0 })],
    });
    props.queue.grantSend(this.fn.fn);
    if (resultEmailsReadDocument(props)) props.files.grantReadMedia(this.fn.fn);
    props.ledger.grantCallLeases(this.fn.fn);
    props.notices.grantSend(this.fn.fn);
    props.apiKey.grantRead(this.fn.fn);
    props.clientStateSecret.grantRead(this.fn.fn);
  }
}
