import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { BridgeFunction } from './bridge-function';
import type { ClientStateSecret } from './client-state-secret';
import type { FaxBucket } from './fax-bucket';
import type { Ledger } from './ledger';
import type { NoticeSender } from './notice-sender';
import type { TelnyxApiKey } from './telnyx-api-key';
import type { WorkQueue } from './work-queue';

export interface FaxDispatchProps {
  queue: WorkQueue;
  files: FaxBucket;
  ledger: Ledger;
  notices: NoticeSender;
  apiKey: TelnyxApiKey;
  /** Signs the client_state of each fax. */
  clientStateSecret: ClientStateSecret;
  /** TELNYX_CHANNELS: the call leases bound the faxes in progress; this bounds the executions. */
  telnyxChannels: number;
  environment: Record<string, string>;
  logRetentionDays: number;
}

/**
 * Long enough for a batch whose every POST waits out the Telnyx client's connect and response
 * timeouts (5 s and 20 s) and then sends a result email; the queue's visibility timeout is six
 * times it, as AWS advises.
 */
export const DISPATCH_TIMEOUT = Duration.seconds(150);
export const DISPATCH_BATCH_SIZE = 5;

/** Lambda's floor for an SQS event source's maximum concurrency. */
const MIN_MAX_CONCURRENCY = 2;

/**
 * Each fax's Telnyx call, from the dispatch queue: one message per attempt, a few at a time, a
 * failed message reported alone so that the rest of its batch is done.
 */
export class FaxDispatch extends Construct {
  readonly fn: BridgeFunction;

  constructor(scope: Construct, id: string, props: FaxDispatchProps) {
    super(scope, id);
    this.fn = new BridgeFunction(this, 'Dispatch', {
      handler: 'fax-dispatch',
      description: 'Sends each queued fax to Telnyx, within the call channels',
      // As the webhook's: a fax Telnyx refuses is reported at once, and its email may carry the
      // document (attachFailedDocument).
      memorySize: 1024,
      timeout: DISPATCH_TIMEOUT,
      environment: props.environment,
      logRetentionDays: props.logRetentionDays,
    });
    this.fn.fn.addEventSource(
      new SqsEventSource(props.queue.queue, {
        batchSize: DISPATCH_BATCH_SIZE,
        reportBatchItemFailures: true,
        // No more executions than channels: a job without a channel only waits again.
        maxConcurrency: Math.max(MIN_MAX_CONCURRENCY, props.telnyxChannels),
      }),
    );
    props.queue.grantSend(this.fn.fn);
    // Always: the presigned GET Telnyx fetches the document with carries this role's rights.
    props.files.grantReadMedia(this.fn.fn);
    props.ledger.grantCallLeases(this.fn.fn);
    props.notices.grantSend(this.fn.fn);
    props.apiKey.grantRead(this.fn.fn);
    props.clientStateSecret.grantRead(this.fn.fn);
  }
}
