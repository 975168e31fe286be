// The local bridge: the same Lambda handlers, unchanged, with local stand-ins around them
// (SMTP front door for SES receiving, s3rver, dynalite, aws-ses-v2-local, fauxqs for the dispatch
// and fax-in queues, a Function URL stand-in and the Telnyx emulator, which also receives faxes).
// All data lives under the data dir and survives restarts.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { sqsClient } from '../functions/adapters/aws-clients';
import { noCounters } from '../functions/adapters/observability';
import { DOWNLOAD_PATH, rawMailKey } from '../functions/adapters/storage-layout';
import type { Env } from '../functions/config/config-error';
import { loadDispatchSettings } from '../functions/config/dispatch-settings';
import { loadInboundSettings } from '../functions/config/inbound-settings';
import { processEnv } from '../functions/config/process-env';
import { loadReceiverSettings } from '../functions/config/receiver-settings';
import { loadSweeperSettings } from '../functions/config/sweeper-settings';
import { loadWebhookSettings } from '../functions/config/webhook-settings';
import { wireDispatch } from '../functions/fax-dispatch/wiring';
import { wireReceiver } from '../functions/fax-receiver/wiring';
import { wireSweeper } from '../functions/fax-sweeper/wiring';
import { wireWebhook } from '../functions/fax-webhook/wiring';
import { wireInbound } from '../functions/inbound-email/wiring';
import { loadDnsZone, zoneResolver } from './dns-zone';
import { functionLog, type LogEntry } from './function-log';
import { type SesOutbox, startSesOutbox } from './ses-outbox';
import { receiptVerdicts } from './ses-verdicts';
import {
  clientStateKey,
  DISPATCH_DEAD_LETTERS,
  DISPATCH_QUEUE,
  FAX_IN_DEAD_LETTERS,
  FAX_IN_QUEUE,
  handlerEnv,
  LOCAL_HOST,
  type LocalSettings,
  loadLocalSettings,
  WEBHOOK_PATH,
} from './settings';
import { type SmtpFrontDoor, startSmtpFrontDoor } from './smtp-front-door';
import { type SqsPoller, startSqsPoller } from './sqs-poller';
import { localS3Client, type SesStoredEmail, type StandIns, startStandIns } from './stand-ins';
import {
  type EmulatorActivity,
  type EmulatorOptions,
  startTelnyxEmulator,
  type TelnyxEmulator,
} from './telnyx-emulator';
import { type BodyEncoding, startWebhookEndpoint, type WebhookEndpoint } from './webhook-endpoint';

export interface BridgeOptions {
  /** The settings to run with (default: the process environment). */
  env?: Env;
  /** What the start line says of the data dir. Default: kept across restarts. */
  dataNote?: string;
  /** Where the bridge's own lines go. Default: console.log. */
  log?: (line: string) => void;
  onTelnyxActivity?: (activity: EmulatorActivity) => void;
  /** Every line the functions log (also kept in `logFile`, or printed with LOG_FORMAT=json). */
  onLogEntry?: (entry: LogEntry) => void;
  /** Emulator options beyond the settings (tests: faster retries). */
  emulator?: Partial<Omit<EmulatorOptions, 'apiKey' | 'port' | 'host' | 'onActivity'>>;
  webhookBodyEncoding?: BodyEncoding;
}

export interface Bridge {
  settings: LocalSettings;
  smtpPort: number;
  /** An address to send a fax to, e.g. +13125551234@fax.localhost. */
  exampleAddress: string;
  urls: {
    smtp: string;
    webhook: string;
    telnyx: string;
    /** The SES stand-in: web view at /, notices at GET /store. */
    ses: string;
    s3: string;
    dynamodb: string;
  };
  outboxDir: string;
  /** The functions' JSON log lines (LOG_FORMAT=file, the default). */
  logFile: string;
  /** Absent when TELNYX_API_URL points at a real Telnyx. */
  emulator?: TelnyxEmulator;
  standIns: StandIns;
  /** The dispatch function's event source: `idle()` once every queued fax was dispatched. */
  dispatch: SqsPoller;
  /** The receiver function's event source: `idle()` once every received fax was handled. */
  faxIn: SqsPoller;
  /** One sweep now, beside the ones every SWEEP_INTERVAL_SECONDS. */
  sweep(): Promise<void>;
  sentEmails(): Promise<SesStoredEmail[]>;
  stop(): Promise<void>;
}

type WebhookHandler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

const NOT_READY: LambdaFunctionURLResult = { statusCode: 503, body: 'starting' };
// Six times the longest dispatch (a POST with its timeouts), as AWS advises for an event source.
const DISPATCH_VISIBILITY_SECONDS = 180;
// Six times the receiver's 120 s timeout, as the stack sets it: a failed receive comes back as late.
const FAX_IN_VISIBILITY_SECONDS = 720;

export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const log = options.log ?? ((line: string) => console.log(line));
  const given = options.env ?? processEnv();
  const settings = loadLocalSettings(given);
  const { ports } = settings;
  const outboxDir = path.join(settings.dataDir, 'outbox');
  await mkdir(settings.dataDir, { recursive: true });

  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };

  try {
    const standIns = await localStandIns(settings);
    stops.push(() => standIns.stop());

    const ses: SesOutbox = await startSesOutbox({
      port: ports.ses,
      upstream: standIns.endpoints.ses,
      outboxDir,
      onNotice: ({ file }) => log(`fax-bridge local: notice sent, copy in ${file}`),
      onError: (error) => log(`fax-bridge local: could not copy a notice to the outbox: ${error}`),
    });
    stops.push(() => ses.stop());

    let webhookHandler: WebhookHandler = async () => NOT_READY;
    const endpoint: WebhookEndpoint = await startWebhookEndpoint({
      port: ports.webhook,
      host: LOCAL_HOST,
      path: WEBHOOK_PATH,
      downloadPath: DOWNLOAD_PATH,
      bodyEncoding: options.webhookBodyEncoding,
      handler: (event) => webhookHandler(event),
      onActivity: (activity) => {
        if (activity.kind === 'handler-failed') {
          log(`fax-bridge local: the webhook handler failed: ${activity.error}`);
        }
      },
    });
    stops.push(() => endpoint.stop());

    const emulator = await localEmulator(settings, endpoint.url, options);
    if (emulator) stops.push(() => emulator.stop());
    const telnyx = settings.telnyx;

    const env = handlerEnv(settings, {
      standIns: { ...standIns.env, AWS_ENDPOINT_URL_SES: ses.url },
      webhookUrl: endpoint.url,
      publicUrl: new URL(endpoint.url).origin,
      telnyxApiUrl: emulator?.url ?? (telnyx.kind === 'external' ? telnyx.apiUrl : ''),
      telnyxPublicKey: emulator?.publicKey ?? (telnyx.kind === 'external' ? telnyx.publicKey : ''),
      clientStateSecret: await clientStateKey(settings.dataDir),
      dispatchQueueUrl: standIns.queueUrl(DISPATCH_QUEUE),
      faxInQueueUrl: standIns.queueUrl(FAX_IN_QUEUE),
    });
    const functions = await localFunctions(settings, { ...given, ...env }, options.onLogEntry);
    stops.push(() => functions.close());
    const { inbound, webhook, resolver, logFile } = functions;
    webhookHandler = (event) => webhook.handle(event);
    const dispatch = await startDispatch(functions, env, log);
    stops.push(() => dispatch.stop());
    const faxIn = await startFaxIn(functions, env, log);
    stops.push(() => faxIn.stop());

    const s3 = localS3Client(standIns.endpoints.s3, env.AWS_REGION);
    stops.push(async () => s3.destroy());
    const smtp = await mailFrontDoor(settings, s3, { inbound, resolver }, log);
    stops.push(() => smtp.stop());

    const bridge: Bridge = {
      settings,
      smtpPort: smtp.port,
      exampleAddress: `+13125551234@${settings.faxDomains[0]}`,
      urls: {
        smtp: `smtp://${LOCAL_HOST}:${smtp.port}`,
        webhook: endpoint.url,
        telnyx: env.TELNYX_API_URL as string,
        ses: ses.url,
        s3: standIns.endpoints.s3,
        dynamodb: standIns.endpoints.dynamodb,
      },
      outboxDir,
      logFile,
      emulator,
      standIns,
      dispatch: dispatch.poller,
      faxIn,
      sweep: () => functions.sweeper.handle(),
      sentEmails: () => standIns.sentEmails(),
      stop: stopAll,
    };
    for (const line of startLines(bridge, options.dataNote ?? 'kept across restarts')) log(line);
    return bridge;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** S3, DynamoDB, SES and SQS, with the dispatch and fax-in queues and their dead letters. */
function localStandIns(settings: LocalSettings): Promise<StandIns> {
  const { ports } = settings;
  return startStandIns({
    dataDir: settings.dataDir,
    ports: { s3: ports.s3, dynamodb: ports.dynamodb, ses: 0, sqs: ports.sqs },
    bucket: settings.bucket,
    table: settings.table,
    queues: [
      {
        name: DISPATCH_QUEUE,
        visibilityTimeoutSeconds: DISPATCH_VISIBILITY_SECONDS,
        deadLetter: { name: DISPATCH_DEAD_LETTERS, maxReceiveCount: 5 },
      },
      {
        name: FAX_IN_QUEUE,
        visibilityTimeoutSeconds: FAX_IN_VISIBILITY_SECONDS,
        deadLetter: { name: FAX_IN_DEAD_LETTERS, maxReceiveCount: 5 },
      },
    ],
  });
}

/** The Telnyx emulator, unless TELNYX_API_URL points at a real Telnyx. */
async function localEmulator(
  settings: LocalSettings,
  endpointUrl: string,
  options: BridgeOptions,
): Promise<TelnyxEmulator | undefined> {
  const telnyx = settings.telnyx;
  if (telnyx.kind !== 'emulator') return undefined;
  return startTelnyxEmulator({
    port: settings.ports.telnyx,
    host: LOCAL_HOST,
    apiKey: telnyx.apiKey,
    stepDelayMs: telnyx.stepDelayMs,
    channels: telnyx.channels,
    duplicateWebhooks: telnyx.duplicateWebhooks,
    shuffleWebhooks: telnyx.shuffleWebhooks,
    // The fax application's webhook URL: where inbound faxes' webhooks go.
    defaultWebhookUrl: settings.webhookUrl ?? endpointUrl,
    connectionId: settings.env.TELNYX_CONNECTION_ID,
    onActivity: options.onTelnyxActivity,
    ...options.emulator,
  });
}

/** SES receiving, as the local mode does it: SMTP in, the raw mail to S3, the inbound handler. */
function mailFrontDoor(
  settings: LocalSettings,
  s3: ReturnType<typeof localS3Client>,
  functions: Pick<LocalFunctions, 'inbound' | 'resolver'>,
  log: (line: string) => void,
): Promise<SmtpFrontDoor> {
  const { inbound, resolver } = functions;
  return startSmtpFrontDoor({
    port: settings.ports.smtp,
    host: LOCAL_HOST,
    domains: settings.faxDomains,
    storeRawMail: async (messageId, raw) => {
      await s3.send(
        new PutObjectCommand({
          Bucket: settings.bucket,
          Key: rawMailKey(messageId),
          Body: raw,
          ContentType: 'message/rfc822',
        }),
      );
    },
    deliver: (event) => inbound.handle(event),
    verdicts: resolver && ((raw, client) => receiptVerdicts(raw, client, resolver)),
    onActivity: (activity) => {
      if (activity.kind === 'received') {
        log(
          `fax-bridge local: mail ${activity.messageId} from ${activity.source || '<>'} ` +
            `for ${activity.recipients.join(', ')}`,
        );
      } else if (activity.kind === 'handler-failed') {
        log(
          `fax-bridge local: the inbound handler failed on ${activity.messageId}: ${activity.error}`,
        );
      }
    },
  });
}

/**
 * Every function, wired as its handler wires it but with the local settings, the local log
 * and, with LOCAL_DNS_ZONE_FILE, the zone the function checks DKIM against (the front door checks
 * SPF and DMARC against the same one).
 */
async function localFunctions(
  settings: LocalSettings,
  functionEnv: Env,
  onLogEntry: BridgeOptions['onLogEntry'],
) {
  const logFile = path.join(settings.dataDir, 'logs', 'functions.jsonl');
  const writeLog = await logWriter(settings.logFormat, logFile);
  const observability = {
    log: functionLog(logLevel(functionEnv), (entry) => {
      writeLog.line(JSON.stringify(entry));
      onLogEntry?.(entry);
    }),
    counters: noCounters,
  };
  const resolver = settings.dnsZoneFile
    ? zoneResolver(await loadDnsZone(settings.dnsZoneFile))
    : undefined;
  return {
    inbound: wireInbound(loadInboundSettings(functionEnv), observability, { resolver }),
    webhook: wireWebhook(loadWebhookSettings(functionEnv), observability),
    dispatch: wireDispatch(loadDispatchSettings(functionEnv), observability),
    sweeper: wireSweeper(loadSweeperSettings(functionEnv), observability),
    receiver: wireReceiver(loadReceiverSettings(functionEnv), observability),
    resolver,
    logFile,
    close: writeLog.close,
  };
}

type LocalFunctions = Awaited<ReturnType<typeof localFunctions>>;

/**
 * The dispatch function behind an SQS event source, as Lambda runs it: at most
 * max(2, TELNYX_CHANNELS) invocations at once; and the sweeper every SWEEP_INTERVAL_SECONDS.
 */
async function startDispatch(functions: LocalFunctions, env: Env, log: (line: string) => void) {
  const settings = loadSweeperSettings(env);
  const poller = await startSqsPoller({
    client: sqsClient(settings.aws),
    queueUrl: settings.dispatchQueueUrl,
    handler: (event) => functions.dispatch.handle(event),
    batchSize: 5,
    maxConcurrency: Math.max(2, settings.flow.channels),
    onError: (error, stage) => log(`fax-bridge local: dispatch ${stage} failed: ${error}`),
  });
  const interval = Number(env.SWEEP_INTERVAL_SECONDS) * 1000;
  const timer = setInterval(() => {
    functions.sweeper.handle().catch((error: unknown) => {
      log(`fax-bridge local: the sweeper failed: ${error}`);
    });
  }, interval);
  timer.unref();
  return {
    poller,
    stop: async () => {
      clearInterval(timer);
      await poller.stop();
    },
  };
}

/** The receiver function behind the fax-in queue's event source: one fax an invocation, as on AWS. */
function startFaxIn(functions: LocalFunctions, env: Env, log: (line: string) => void) {
  const settings = loadWebhookSettings(env);
  return startSqsPoller({
    client: sqsClient(settings.aws),
    queueUrl: settings.faxInQueueUrl,
    handler: (event) => functions.receiver.handle(event),
    batchSize: 1,
    maxConcurrency: 2,
    onError: (error, stage) => log(`fax-bridge local: fax-in ${stage} failed: ${error}`),
  });
}

/** Log lines appended to `file`, or printed (LOG_FORMAT=json). */
async function logWriter(format: 'json' | 'file', file: string) {
  if (format === 'json')
    return { line: (text: string) => console.log(text), close: async () => {} };
  await mkdir(path.dirname(file), { recursive: true });
  const stream = createWriteStream(file, { flags: 'a' });
  return {
    line: (text: string) => stream.write(`${text}\n`),
    close: () => new Promise<void>((resolve) => stream.end(resolve)),
  };
}

/** POWERTOOLS_LOG_LEVEL, as the functions honour it on Lambda. */
function logLevel(env: Env) {
  const level = env.POWERTOOLS_LOG_LEVEL?.toUpperCase();
  return level === 'DEBUG' || level === 'WARN' || level === 'ERROR' || level === 'SILENT'
    ? level
    : 'INFO';
}

function authLine({ dnsZoneFile, requireSenderAuth }: LocalSettings): string {
  const prefix = `fax-bridge local: REQUIRE_SENDER_AUTH=${requireSenderAuth}`;
  if (dnsZoneFile) {
    return `${prefix}: SPF, DKIM and DMARC are checked against the DNS records in ${dnsZoneFile}`;
  }
  return requireSenderAuth
    ? `${prefix}, but without LOCAL_DNS_ZONE_FILE nothing can be authenticated: every message will be dropped`
    : `${prefix}: without LOCAL_DNS_ZONE_FILE the local mode cannot check SPF/DKIM, so it does not ask for them`;
}

function startLines(bridge: Bridge, dataNote: string): string[] {
  const { settings, urls } = bridge;
  const lines = [
    `fax-bridge local: data in ${settings.dataDir} (${dataNote}; notices also go to ${bridge.outboxDir}; function logs in ${settings.logFormat === 'json' ? 'this terminal' : bridge.logFile})`,
    `fax-bridge local: ALLOWED_SENDERS=${settings.allowedSenders.join(',')} (only these may send faxes)`,
    authLine(settings),
    bridge.emulator
      ? 'fax-bridge local: Telnyx emulator: numbers ending 0001 are busy, 0002 do not answer, 0003 are refused, 0004 drop the call, 0005 are busy on the first dial only, 0006 are always busy, 0007 send no webhooks, 0008 answer 429 once, 0009 are not in service; all others are delivered'
      : `fax-bridge local: using the real Telnyx API at ${urls.telnyx}; its webhooks must reach ${settings.webhookUrl ?? urls.webhook}`,
  ];
  lines.push(
    `fax-bridge local: received faxes go by INBOUND_ROUTES=${settings.env.INBOUND_ROUTES ?? '(none: stored only)'}` +
      ` (blocked callers: ${settings.env.INBOUND_BLOCKED_NUMBERS || 'none'})`,
  );
  lines.push(
    `fax-bridge local: ready: send to ${bridge.exampleAddress} at ${urls.smtp}` +
      ` | webhooks ${urls.webhook} | Telnyx ${urls.telnyx} | sent mail ${urls.ses}` +
      ` | S3 ${urls.s3} | DynamoDB ${urls.dynamodb}`,
  );
  return lines;
}
