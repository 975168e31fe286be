// Settings of the local mode: the LOCAL_* ports and options, and the defaults it gives the
// runtime settings (functions/config.ts) so that `npm start` works with none set.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, type Env } from '../functions/config/config-error';
import { loadDispatchSettings } from '../functions/config/dispatch-settings';
import { loadInboundSettings } from '../functions/config/inbound-settings';
import { processEnv } from '../functions/config/process-env';
import { loadReceiverSettings } from '../functions/config/receiver-settings';
import { loadSweeperSettings } from '../functions/config/sweeper-settings';
import { loadWebhookSettings } from '../functions/config/webhook-settings';

export const LOCAL_DEFAULTS = {
  FAX_DOMAINS: 'fax.localhost',
  ALLOWED_SENDERS: '@example.com',
  NOTICE_FROM: 'fax@fax.localhost',
  TELNYX_CONNECTION_ID: 'local-fax-app',
  FAX_FROM_NUMBER: '+13125550199',
  FAX_BUCKET: 'fax-bridge-local',
  LEDGER_TABLE: 'fax-bridge-local-ledger',
  /** The key the emulator expects; with the emulator any value works if set on both sides. */
  TELNYX_API_KEY: 'KEY-local-emulator',
  // Retries and the sweeper on a scale a person trying the bridge can watch.
  RETRY_DELAY_SECONDS: '10',
  SWEEP_INTERVAL_SECONDS: '10',
  SWEEP_AFTER_SECONDS: '30',
  DISPATCH_WAIT_SECONDS: '3',
  // Every received fax to one inbox, attached, so that `npm run receive` shows a whole fax.
  INBOUND_ROUTES: '{"*": {"to": ["frontdesk@example.com"], "delivery": "attach"}}',
} as const;

/** The dispatch queue of the local mode, and its dead-letter queue. */
export const DISPATCH_QUEUE = 'fax-bridge-local-dispatch';
export const DISPATCH_DEAD_LETTERS = 'fax-bridge-local-dispatch-dlq';
/** The fax-in queue (webhook → receiver) of the local mode, and its dead-letter queue. */
export const FAX_IN_QUEUE = 'fax-bridge-local-fax-in';
export const FAX_IN_DEAD_LETTERS = 'fax-bridge-local-fax-in-dlq';

export const WEBHOOK_PATH = '/webhooks/telnyx';
export const LOCAL_HOST = '127.0.0.1';

const PORT_SETTINGS = {
  smtp: ['LOCAL_SMTP_PORT', 2525],
  s3: ['LOCAL_S3_PORT', 4569],
  dynamodb: ['LOCAL_DYNAMODB_PORT', 4567],
  ses: ['LOCAL_SES_PORT', 8005],
  sqs: ['LOCAL_SQS_PORT', 4576],
  webhook: ['LOCAL_WEBHOOK_PORT', 8787],
  telnyx: ['LOCAL_TELNYX_PORT', 4010],
} as const;

type PortName = keyof typeof PORT_SETTINGS;

/** Every LOCAL_*_PORT set to 0 (any free port): for a bridge beside another, as the demo and tests run. */
export const ANY_FREE_PORTS: Record<string, string> = Object.fromEntries(
  Object.values(PORT_SETTINGS).map(([setting]) => [setting, '0']),
);

export type TelnyxTarget =
  | {
      kind: 'emulator';
      apiKey: string;
      stepDelayMs: number;
      /** LOCAL_TELNYX_CHANNELS: the emulated account's concurrent calls. */
      channels: number;
      duplicateWebhooks: boolean;
      shuffleWebhooks: boolean;
    }
  | { kind: 'external'; apiUrl: string; apiKey: string; publicKey: string };

export interface LocalSettings {
  /** 0: any free port. */
  ports: Record<PortName, number>;
  /** Where S3 objects, ledger items and the outbox live; survives restarts. */
  dataDir: string;
  /** The functions' JSON log lines: in a file under the data dir, or on the terminal. */
  logFormat: 'json' | 'file';
  /** DNS answers for SPF, DKIM and DMARC; without it, mail is not authenticated locally. */
  dnsZoneFile?: string;
  bucket: string;
  table: string;
  faxDomains: string[];
  allowedSenders: string[];
  requireSenderAuth: boolean;
  /** WEBHOOK_URL when set (a tunnel to the local endpoint, for a real Telnyx). */
  webhookUrl?: string;
  /** PUBLIC_URL when set: where received-fax links point instead of the local endpoint. */
  publicUrl?: string;
  telnyx: TelnyxTarget;
  /** What the local mode sets for the handlers, less what only exists once the bridge runs. */
  env: Record<string, string>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const portNumber = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? String(fallback) : v))
    .pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535')
        .transform(Number)
        .pipe(z.number().max(65_535, 'must be a port number from 0 to 65535')),
    );

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { error: 'must be true or false' })
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const localSchema = z
  .object({
    LOCAL_SMTP_PORT: portNumber(PORT_SETTINGS.smtp[1]),
    LOCAL_S3_PORT: portNumber(PORT_SETTINGS.s3[1]),
    LOCAL_DYNAMODB_PORT: portNumber(PORT_SETTINGS.dynamodb[1]),
    LOCAL_SES_PORT: portNumber(PORT_SETTINGS.ses[1]),
    LOCAL_SQS_PORT: portNumber(PORT_SETTINGS.sqs[1]),
    LOCAL_WEBHOOK_PORT: portNumber(PORT_SETTINGS.webhook[1]),
    LOCAL_TELNYX_PORT: portNumber(PORT_SETTINGS.telnyx[1]),
    LOCAL_DATA_DIR: z.string().optional(),
    LOG_FORMAT: z.enum(['json', 'file', ''], { error: 'must be json or file' }).optional(),
    LOCAL_DNS_ZONE_FILE: z.string().optional(),
    LOCAL_TELNYX_STEP_MS: z
      .string()
      .optional()
      .transform((v) => v || '300')
      .pipe(z.string().regex(/^\d+$/, 'must be a whole number of milliseconds').transform(Number)),
    // A new Telnyx account starts with 2 concurrent calls (RETRIES.md §2.3).
    LOCAL_TELNYX_CHANNELS: z
      .string()
      .optional()
      .transform((v) => v || '2')
      .pipe(
        z
          .string()
          .regex(/^[1-9]\d{0,3}$/, 'must be a whole number of calls from 1 to 9999')
          .transform(Number),
      ),
    LOCAL_TELNYX_DUPLICATE_WEBHOOKS: flag,
    LOCAL_TELNYX_SHUFFLE_WEBHOOKS: flag,
    TELNYX_API_URL: z.url({ error: 'must be a URL' }).optional(),
    TELNYX_API_KEY: z.string().optional(),
    TELNYX_PUBLIC_KEY: z.string().optional(),
  })
  .superRefine((s, context) => {
    if (!s.TELNYX_API_URL) return;
    for (const key of ['TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY'] as const) {
      if (!s[key]) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: 'is missing: a real TELNYX_API_URL needs the key and the webhook public key',
        });
      }
    }
  });

/** Reads and checks every setting the local mode uses; a ConfigError names each wrong one. */
export function loadLocalSettings(env: Env = processEnv()): LocalSettings {
  const parsed = localSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`),
    );
  }
  const s = parsed.data;
  const ports: Record<PortName, number> = {
    smtp: s.LOCAL_SMTP_PORT,
    s3: s.LOCAL_S3_PORT,
    dynamodb: s.LOCAL_DYNAMODB_PORT,
    ses: s.LOCAL_SES_PORT,
    sqs: s.LOCAL_SQS_PORT,
    webhook: s.LOCAL_WEBHOOK_PORT,
    telnyx: s.LOCAL_TELNYX_PORT,
  };
  checkDistinctPorts(ports, Boolean(s.TELNYX_API_URL));

  const dnsZoneFile = s.LOCAL_DNS_ZONE_FILE ? path.resolve(s.LOCAL_DNS_ZONE_FILE) : undefined;
  // With a zone to check against, the local mode asks for authentication as AWS does.
  const merged = withOverrides(
    { ...LOCAL_DEFAULTS, REQUIRE_SENDER_AUTH: dnsZoneFile ? 'true' : 'false' },
    env,
  );
  const telnyx: TelnyxTarget = s.TELNYX_API_URL
    ? {
        kind: 'external',
        apiUrl: s.TELNYX_API_URL,
        apiKey: s.TELNYX_API_KEY as string,
        publicKey: s.TELNYX_PUBLIC_KEY as string,
      }
    : {
        kind: 'emulator',
        apiKey: merged.TELNYX_API_KEY,
        stepDelayMs: s.LOCAL_TELNYX_STEP_MS,
        channels: s.LOCAL_TELNYX_CHANNELS,
        duplicateWebhooks: s.LOCAL_TELNYX_DUPLICATE_WEBHOOKS,
        shuffleWebhooks: s.LOCAL_TELNYX_SHUFFLE_WEBHOOKS,
      };
  const settings = {
    ports,
    dataDir: path.resolve(s.LOCAL_DATA_DIR || path.join(repoRoot, '.local')),
    logFormat: s.LOG_FORMAT === 'json' ? ('json' as const) : ('file' as const),
    dnsZoneFile,
    bucket: merged.FAX_BUCKET,
    table: merged.LEDGER_TABLE,
    webhookUrl: env.WEBHOOK_URL || undefined,
    publicUrl: env.PUBLIC_URL || undefined,
    telnyx,
    env: {
      ...merged,
      // Nothing in the local mode counts Lambda metrics; their JSON lines only hide the logs.
      POWERTOOLS_METRICS_DISABLED: env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    },
  };
  // Check the runtime settings now, before any port is taken, with what the bridge will add.
  const endpoint = `http://${LOCAL_HOST}:${ports.webhook}`;
  const runtimeEnv = {
    ...env,
    ...handlerEnv(settings, {
      standIns: {},
      webhookUrl: `${endpoint}${WEBHOOK_PATH}`,
      publicUrl: endpoint,
      telnyxApiUrl: `http://${LOCAL_HOST}:${ports.telnyx}/v2`,
      telnyxPublicKey: telnyx.kind === 'external' ? telnyx.publicKey : PLACEHOLDER_PUBLIC_KEY,
      clientStateSecret: PLACEHOLDER_CLIENT_STATE_SECRET,
      dispatchQueueUrl: `http://${LOCAL_HOST}:${ports.sqs}/queue/${DISPATCH_QUEUE}`,
      faxInQueueUrl: `http://${LOCAL_HOST}:${ports.sqs}/queue/${FAX_IN_QUEUE}`,
    }),
  };
  const loaders = [
    loadInboundSettings,
    loadWebhookSettings,
    loadDispatchSettings,
    loadSweeperSettings,
    loadReceiverSettings,
  ];
  const problems = loaders.flatMap((load) => {
    try {
      load(runtimeEnv);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  });
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const runtime = loadInboundSettings(runtimeEnv).flow;
  return {
    ...settings,
    faxDomains: runtime.faxDomains,
    allowedSenders: runtime.allowedSenders,
    requireSenderAuth: runtime.requireSenderAuth,
  };
}

export interface LiveEndpoints {
  /** The stand-ins' environment (AWS endpoints, credentials, bucket and table). */
  standIns: Record<string, string>;
  webhookUrl: string;
  /** The local endpoint's origin, where the webhook function serves received-fax links. */
  publicUrl: string;
  telnyxApiUrl: string;
  telnyxPublicKey: string;
  /** From `clientStateKey`. */
  clientStateSecret: string;
  dispatchQueueUrl: string;
  faxInQueueUrl: string;
}

/** The environment the Lambda handlers see in the local mode. */
export function handlerEnv(
  settings: Pick<LocalSettings, 'env' | 'telnyx' | 'webhookUrl' | 'publicUrl'>,
  live: LiveEndpoints,
): Record<string, string> {
  return {
    ...settings.env,
    ...live.standIns,
    TELNYX_API_URL: live.telnyxApiUrl,
    TELNYX_API_KEY: settings.telnyx.apiKey,
    TELNYX_PUBLIC_KEY: live.telnyxPublicKey,
    CLIENT_STATE_SECRET: live.clientStateSecret,
    WEBHOOK_URL: settings.webhookUrl ?? live.webhookUrl,
    DISPATCH_QUEUE_URL: live.dispatchQueueUrl,
    FAX_IN_QUEUE_URL: live.faxInQueueUrl,
    PUBLIC_URL: settings.publicUrl ?? live.publicUrl,
  };
}

/** The setting that names a stand-in's port, for messages. */
export const portSetting = (name: PortName) => PORT_SETTINGS[name][0];

const PLACEHOLDER_PUBLIC_KEY = Buffer.alloc(32).toString('base64');
const PLACEHOLDER_CLIENT_STATE_SECRET = '0'.repeat(64);

/**
 * The key that signs client_state, made once per data dir and kept there: webhooks that arrive
 * after a restart must still verify. Only this user may read it.
 */
export async function clientStateKey(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'client-state.key');
  try {
    // `wx`: of two bridges starting on one data dir, one writes and both read the same key.
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(file, 'utf8')).trim();
}

function checkDistinctPorts(ports: Record<PortName, number>, externalTelnyx: boolean) {
  const seen = new Map<number, PortName>();
  const problems: string[] = [];
  for (const [name, port] of Object.entries(ports) as [PortName, number][]) {
    if (port === 0 || (name === 'telnyx' && externalTelnyx)) continue;
    const other = seen.get(port);
    if (other) problems.push(`${portSetting(name)} ${port} is also ${portSetting(other)}`);
    seen.set(port, name);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Each default, unless the environment sets that key. */
function withOverrides<T extends Record<string, string>>(
  defaults: T,
  env: Record<string, string | undefined>,
): { [K in keyof T]: string } {
  return Object.fromEntries(
    Object.entries(defaults).map(([key, value]) => [key, env[key] ?? value]),
  ) as { [K in keyof T]: string };
}
