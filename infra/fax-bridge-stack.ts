import { Aws, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { INBOUND_VARIABLES } from '../functions/config/inbound-settings';
import { WEBHOOK_VARIABLES } from '../functions/config/webhook-settings';
import type { DeploySettings } from './config';
import { Alarms } from './constructs/alarms';
import { ClientStateSecret } from './constructs/client-state-secret';
import { BridgeDashboard } from './constructs/dashboard';
import { DnsRecords } from './constructs/dns-records';
import { FaxBucket } from './constructs/fax-bucket';
import { FaxWebhook } from './constructs/fax-webhook';
import { Ledger } from './constructs/ledger';
import { MailDomains } from './constructs/mail-domains';
import { MailIntake } from './constructs/mail-intake';
import { NoticeSender } from './constructs/notice-sender';
import { TelnyxApiKey } from './constructs/telnyx-api-key';
import { addRegionGuard } from './ses-receiving-regions';

export interface FaxBridgeStackProps extends StackProps {
  settings: DeploySettings;
}

/** The whole bridge: SES receiving and sending, both functions, storage, ledger and alarms. */
export class FaxBridgeStack extends Stack {
  readonly files: FaxBucket;
  readonly ledger: Ledger;
  readonly apiKey: TelnyxApiKey;
  readonly clientStateSecret: ClientStateSecret;
  readonly mailDomains: MailDomains;
  readonly intake: MailIntake;
  readonly webhook: FaxWebhook;
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

    const environment = {
      ...settings.runtimeEnvironment,
      FAX_BUCKET: files.bucket.bucketName,
      LEDGER_TABLE: ledger.table.tableName,
      TELNYX_API_KEY_SECRET: apiKey.secretId,
      CLIENT_STATE_SECRET_ID: clientStateSecret.secretId,
      REQUIRE_SENDER_AUTH: 'true',
      MEDIA_URL_TTL_SECONDS: '900',
    };
    const webhook = new FaxWebhook(this, 'FaxWebhook', {
      files,
      ledger,
      notices,
      clientStateSecret,
      attachFailedDocument: settings.attachFailedDocument,
      transmissionReport: settings.transmissionReport,
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
      apiKey,
      clientStateSecret,
      environment: only(INBOUND_VARIABLES, { ...environment, WEBHOOK_URL: webhook.url }),
      logRetentionDays: settings.logRetentionDays,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      email: settings.alarmEmail,
      deadLetterQueue: intake.deadLetterQueue,
      functions: { Inbound: intake.fn.fn, Webhook: webhook.fn.fn },
      webhook: webhook.fn.fn,
      maxPagesPerDay: settings.maxPagesPerDay,
    });
    this.dashboard = new BridgeDashboard(this, 'Dashboard', {
      inbound: intake.fn.fn,
      webhook: webhook.fn.fn,
      deadLetterQueue: intake.deadLetterQueue,
    });
    this.files = files;
    this.ledger = ledger;
    this.apiKey = apiKey;
    this.clientStateSecret = clientStateSecret;
    this.intake = intake;
    this.webhook = webhook;

    this.outputs({
      WebhookUrl: [webhook.url, 'Paste into your Telnyx fax application as its webhook URL'],
      FaxBucketName: [files.bucket.bucketName, 'Raw mail (raw/) and fax documents (media/)'],
      AccessLogBucketName: [
        files.accessLogs.bucketName,
        "The fax bucket's access logs (kept when the stack is deleted, as the fax bucket is)",
      ],
      LedgerTableName: [ledger.table.tableName, 'Fax jobs and webhook events'],
      DeadLetterQueueUrl: [
        intake.deadLetterQueue.queueUrl,
        'SES events the inbound function failed on after its retries',
      ],
      InboundFunctionName: [intake.fn.fn.functionName, 'The inbound function (npm run redrive)'],
      InboundLogGroupName: [
        intake.fn.logGroup.logGroupName,
        "The inbound function's logs: aws logs tail <name> --follow",
      ],
      WebhookLogGroupName: [webhook.fn.logGroup.logGroupName, "The webhook function's logs"],
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
      'set WebhookUrl as the webhook URL of your Telnyx fax application',
      settings.alarmEmail && `confirm the alarm subscription sent to ${settings.alarmEmail}`,
      `email a PDF to <fax number>@${settings.faxDomains[0]} from an allowed sender`,
    ].filter((step): step is string => typeof step === 'string');
    return steps.map((step, i) => `${i + 1}) ${step}`).join('; ');
  }
}

/** A function is given only the variables it reads. */
const only = (names: readonly string[], environment: Record<string, string>) =>
  Object.fromEntries(Object.entries(environment).filter(([name]) => names.includes(name)));
