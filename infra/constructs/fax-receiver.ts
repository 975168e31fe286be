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

export interface FaxReceiverProps {
  /** The fax-in queue the webhook function puts each received or failed inbound fax on. */
  queue: WorkQueue;
  files: FaxBucket;
  ledger: Ledger;
  /** Sends the received-fax emails to the routes' addresses. */
  notices: NoticeSender;
  /** Asks Telnyx for a fresh media link when the webhook's has expired. */
  apiKey: TelnyxApiKey;
  /** Signs the download links of the `link` delivery mode. */
  clientStateSecret: ClientStateSecret;
  /**
   * Executions at once: each holds a whole fax in memory.
   * @default 5
   */
  maxConcurrency?: number;
  environment: Record<string, string>;
  logRetentionDays: number;
}

/**
 * Long enough to download a 50 MB fax, refresh its link and download it again, turn a 350-page
 * TIFF into a PDF and email each address of its route; the queue's visibility timeout is six
 * times it, as AWS advises.
 */
export const RECEIVER_TIMEOUT = Duration.seconds(120);
/** One fax an execution: a large TIFF takes most of the timeout on its own. */
export const RECEIVER_BATCH_SIZE = 1;

/**
 * Faxes in: each message of the fax-in queue is one received fax to fetch, store under
 * `inbound/` and email to its route (or one failed fax to tell the route about), a failed
 * message reported alone so that SQS retries it and then dead-letters it.
 */
export class FaxReceiver extends Construct {
  readonly fn: BridgeFunction;

  constructor(scope: Construct, id: string, props: FaxReceiverProps) {
    super(scope, id);
    this.fn = new BridgeFunction(this, 'Receiver', {
      handler: 'fax-receiver',
      description: 'Stores each received fax and emails it to its route',
      // A 350-page TIFF is decoded page by page into a PDF held in memory beside the TIFF (50 MB
      // at most) and its base64 attachment; 1 GB leaves room and buys CPU for the decoding.
      memorySize: 1024,
      timeout: RECEIVER_TIMEOUT,
      environment: props.environment,
      logRetentionDays: props.logRetentionDays,
    });
    this.fn.fn.addEventSource(
      new SqsEventSource(props.queue.queue, {
        batchSize: RECEIVER_BATCH_SIZE,
        reportBatchItemFailures: true,
        // Faxes arrive one call at a time; a burst waits in the queue rather than fan out.
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );
    // Stores the fax, and reads it back when a retried message finds it already stored.
    props.files.grantReadWriteInbound(this.fn.fn);
    props.ledger.grantItemAccess(this.fn.fn);
    props.notices.grantSend(this.fn.fn);
    props.apiKey.grantRead(this.fn.fn);
    props.clientStateSecret.grantRead(this.fn.fn);
  }
}
