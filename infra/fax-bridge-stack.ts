import { Aws, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DISPATCH_VARIABLES } from '../functions/config/dispatch-settings';
import { INBOUND_VARIABLES } from '../functions/config/inbound-settings';
import { RECEIVER_VARIABLES } from '../functions/config/receiver-settings';
import { SWEEPER_VARIABLES } from '../functions/config/sweeper-settings';
import { WEBHOOK_VARIABLES } from '../functions/config/webhook-settings';
import type { DeploySettings } from './config';
import { Alarms } from './constructs/alarms';
import { ClientStateSecret } from './constructs/client-state-secret';
import { BridgeDashboard } from './constructs/dashboard';
import { DnsRecords } from './constructs/dns-records';
import { FaxBucket } from './constructs/fax-bucket';
import { DISPATCH_TIMEOUT, FaxDispatch } from './constructs/fax-dispatch';
import { FaxReceiver, RECEIVER_TIMEOUT } from './constructs/fax-receiver';
import { FaxSweeper } from './constructs/fax-sweeper';
import { FaxWebhook } from './constructs/fax-webhook';
import { Ledger } from './constructs/ledger';
import { MailDomains } from './constructs/mail-domains';
import { MailIntake } from './constructs/mail-intake';
import { NoticeSender } from './constructs/notice-sender';
import { TelnyxApiKey } from './constructs/telnyx-api-key';
import { WorkQueue } from './constructs/work-queue';
import { addRegionGuard } from './ses-receiving-regions';

export interface FaxBridgeStackProps extends StackProps {
  settings: DeploySettings;
}

/**
 * The whole bridge: SES receiving and sending, the functions (inbound, dispatch, webhook, sweeper,
 * receiver) and the dispatch and fax-in queues between them, storage, ledger and alarms.
 */
export class FaxBridgeStack extends Stack {
  readonly files: FaxBucket;
  readonly ledger: Ledger;
  readonly apiKey: TelnyxApiKey;
  readonly clientStateSecret: ClientStateSecret;
  readonly mailDomains: MailDomains;
  readonly dispatchQueue: WorkQueue;
  readonly faxInQueue: WorkQueue;
  readonly intake: MailIntake;
  readonly dispatch: FaxDispatch;
  readonly webhook: FaxWebhook;
  readonly sweeper: FaxSweeper;
  readonly receiver: FaxReceiver;
  readonly alarms: Alarms;
  readonly dashboard: BridgeDashboard;

  constructor(scope: Construct, id: string, props: FaxBridgeStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const noticeDomain = settings.noticeFrom.split('@')[1] ?? '';
    addRegionGuard(this);

    const files = new FaxBucket(this, 'FaxBucket', { retentionDays: settings.retentionDays });
    const ledger = new Ledger(this, 'Ledger');
    const apiKey = new TelnyxApiKey(this, 'TelnyxApiKey', {
      existingSecret: settings.telnyxApiKeySecret,
      kmsKey: settings.telnyxApiKeyKmsKey,
    });
    const clientStateSecret = new ClientStateSecret(this, 'ClientStateSecret');
    const dns = new DnsRecords(this, 'Dns', { hostedZone: settings.hostedZone });
    this.mailDomains = new MailDomains(this, 'MailDomains', {
      faxDomains: settings.faxDomains,
      noticeDomain,
      dns,
      existingIdentities: settings.existingIdentities,
      dmarcPolicy: settings.dmarcPolicy,
      mailFromDomain: settings.mailFromDomain,
    });
    const notices = new NoticeSender(this, 'NoticeSender', {
      noticeFrom: settings.noticeFrom,
      recipients: settings.allowedSenders,
    });

    const queue = new WorkQueue(this, 'DispatchQueue', { consumerTimeout: DISPATCH_TIMEOUT });
    // Its own construct, so that the webhook (which sends to it) and the receiver (which needs
    // the webhook's URL for its links) depend on it and not on each other.
    const faxInQueue = new WorkQueue(this, 'FaxInQueue', { consumerTimeout: RECEIVER_TIMEOUT });
    const environment = {
      ...settings.runtimeEnvironment,
      FAX_BUCKET: files.bucket.bucketName,
      LEDGER_TABLE: ledger.table.tableName,
      DISPATCH_QUEUE_URL: queue.queueUrl,
      FAX_IN_QUEUE_URL: faxInQueue.queueUrl,
      TELNYX_API_KEY_SECRET: apiKey.secretId,
      CLIENT_STATE_SECRET_ID: clientStateSecret.secretId,
      REQUIRE_SENDER_AUTH: 'true',
      MEDIA_URL_TTL_SECONDS: '900',
      // A fax without a free channel comes back after 30 to 60 s (the local mode waits less).
      DISPATCH_WAIT_SECONDS: '30',
    };
    const resultEmails = {
      attachFailedDocument: settings.attachFailedDocument,
      transmissionReport: settings.transmissionReport,
    };
    const webhook = new FaxWebhook(this, 'FaxWebhook', {
      ...resultEmails,
      files,
      ledger,
      notices,
      queue,
      faxInQueue,
      clientStateSecret,
      reservedConcurrency: settings.webhookConcurrency,
      environment: only(WEBHOOK_VARIABLES, environment),
      logRetentionDays: settings.logRetentionDays,
    });
    const intake = new MailIntake(this, 'MailIntake', {
      faxDomains: settings.faxDomains,
      receiptRuleSet: settings.receiptRuleSet,
      files,
      ledger,
      notices,
      queue,
      environment: only(INBOUND_VARIABLES, environment),
      logRetentionDays: settings.logRetentionDays,
    });
    const dispatch = new FaxDispatch(this, 'FaxDispatch', {
      queue,
      files,
      ledger,
      notices,
      apiKey,
      clientStateSecret,
      telnyxChannels: settings.telnyxChannels,
      environment: only(DISPATCH_VARIABLES, { ...environment, WEBHOOK_URL: webhook.url }),
      logRetentionDays: settings.logRetentionDays,
    });
    const sweeper = new FaxSweeper(this, 'FaxSweeper', {
      ...resultEmails,
      queue,
      files,
      ledger,
      notices,
      apiKey,
      clientStateSecret,
      intervalSeconds: settings.sweepIntervalSeconds,
      environment: only(SWEEPER_VARIABLES, environment),
      logRetentionDays: settings.logRetentionDays,
    });
    const receiver = new FaxReceiver(this, 'FaxReceiver', {
      queue: faxInQueue,
      files,
      ledger,
      // Its own grant: received faxes go to the routes' addresses, not to the allowed senders.
      notices: new NoticeSender(this, 'ReceivedFaxSender', {
        noticeFrom: settings.noticeFrom,
        recipients: settings.inboundRecipients,
      }),
      apiKey,
      clientStateSecret,
      environment: only(RECEIVER_VARIABLES, { ...environment, PUBLIC_URL: webhook.url }),
      logRetentionDays: settings.logRetentionDays,
    });
    const functions = {
      Inbound: intake.fn.fn,
      Dispatch: dispatch.fn.fn,
      Webhook: webhook.fn.fn,
      Sweeper: sweeper.fn.fn,
      Receiver: receiver.fn.fn,
    };
    this.alarms = new Alarms(this, 'Alarms', {
      email: settings.alarmEmail,
      deadLetterQueue: intake.deadLetterQueue,
      dispatchQueue: queue,
      faxInQueue,
      functions,
      webhook: webhook.fn.fn,
      maxPagesPerDay: settings.maxPagesPerDay,
    });
    this.dashboard = new BridgeDashboard(this, 'Dashboard', {
      functions,
      webhook: webhook.fn.fn,
      deadLetterQueue: intake.deadLetterQueue,
      dispatchQueue: queue,
      faxInQueue,
    });
    this.files = files;
    this.ledger = ledger;
    this.apiKey = apiKey;
    this.clientStateSecret = clientStateSecret;
    this.dispatchQueue = queue;
    this.faxInQueue = faxInQueue;
    this.intake = intake;
    this.dispatch = dispatch;
    this.webhook = webhook;
    this.sweeper = sweeper;
    this.receiver = receiver;

    this.outputs({
      WebhookUrl: [
        webhook.url,
        'Paste into your Telnyx fax application as its webhook URL (for faxes sent and received)',
      ],
      FaxBucketName: [
        files.bucket.bucketName,
        'Raw mail (raw/), fax documents (media/) and received faxes (inbound/)',
      ],
      AccessLogBucketName: [
        files.accessLogs.bucketName,
        "The fax bucket's access logs (kept when the stack is deleted, as the fax bucket is)",
      ],
      LedgerTableName: [ledger.table.tableName, 'Fax jobs and webhook events'],
      DeadLetterQueueUrl: [
        intake.deadLetterQueue.queueUrl,
        'SES events the inbound function failed on after its retries',
      ],
      DispatchDeadLetterQueueUrl: [
        queue.deadLetterQueue.queueUrl,
        'Fax attempts the dispatch function failed on after five receives',
      ],
      FaxInDeadLetterQueueUrl: [
        faxInQueue.deadLetterQueue.queueUrl,
        'Received faxes the receiver function failed on after five receives',
      ],
      InboundFunctionName: [intake.fn.fn.functionName, 'The inbound function (npm run redrive)'],
      InboundLogGroupName: [
        intake.fn.logGroup.logGroupName,
        "The inbound function's logs: aws logs tail <name> --follow",
      ],
      DispatchLogGroupName: [dispatch.fn.logGroup.logGroupName, "The dispatch function's logs"],
      WebhookLogGroupName: [webhook.fn.logGroup.logGroupName, "The webhook function's logs"],
      SweeperLogGroupName: [sweeper.fn.logGroup.logGroupName, "The sweeper function's logs"],
      ReceiverLogGroupName: [receiver.fn.logGroup.logGroupName, "The receiver function's logs"],
      ...(intake.activation && {
        ActivationLogGroupName: [
          intake.activation.logGroup.logGroupName,
          "The receipt rule set activation's logs (written at deploy and delete)",
        ] as [string, string],
      }),
      DashboardUrl: [
        Fn.join('', [
          `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}`,
          `#dashboards/dashboard/${this.dashboard.dashboard.dashboardName}`,
        ]),
        'What the bridge did: faxes, pages, refusals, drops, dead letters, errors',
      ],
      NextSteps: [this.nextSteps(settings), 'What to do after the first deploy'],
    });
  }

  private outputs(values: Record<string, [value: string, description: string]>): void {
    for (const [id, [value, description]] of Object.entries(values)) {
      new CfnOutput(this, id, { value, description });
    }
  }

  private nextSteps(settings: DeploySettings): string {
    const steps = [
      !settings.telnyxApiKeySecret && 'run SetTelnyxApiKeyCommand',
      !settings.hostedZone && 'add every Dns* record to your DNS',
      'set WebhookUrl as the webhook URL of your Telnyx fax application, and assign your fax number to that application to receive faxes',
      settings.alarmEmail && `confirm the alarm subscription sent to ${settings.alarmEmail}`,
      `email a PDF to <fax number>@${settings.faxDomains[0]} from an allowed sender`,
    ].filter((step): step is string => typeof step === 'string');
    return steps.map((step, i) => `${i + 1}) ${step}`).join('; ');
  }
}

/** A function is given only the variables it reads. */
const only = (names: readonly string[], environment: Record<string, string>) =>
  Object.fromEntries(Object.entries(environment).filter(([name]) => names.includes(name)));
