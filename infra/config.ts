import type * as z from 'zod/mini';
import { ConfigError, parseEnv } from '../functions/config/config-error';
import { EMAIL } from '../functions/config/fields';
import { allowedCountries } from '../functions/config/inbound-settings';
import {
  RUNTIME_VARIABLES,
  type RuntimeVariable,
  variablesSchema,
} from '../functions/config/runtime-variables';

/** How the stack gets its receipt rule into the account's one active SES rule set. */
export type ReceiptRuleSetMode =
  | { kind: 'create-and-activate' }
  | { kind: 'use-active'; ruleSetName: string };

export interface HostedZoneSettings {
  id: string;
  name: string;
}

/** Deploy-time settings, read from CDK context and validated before any construct is built. */
export interface DeploySettings {
  faxDomains: string[];
  noticeFrom: string;
  allowedSenders: string[];
  /** Name or ARN of an existing Secrets Manager secret; undefined: the stack creates one. */
  telnyxApiKeySecret?: string;
  retentionDays: number;
  hostedZone?: HostedZoneSettings;
  alarmEmail?: string;
  receiptRuleSet: ReceiptRuleSetMode;
  attachFailedDocument: boolean;
  /** Reserved concurrency of the webhook function; undefined: none reserved. */
  webhookConcurrency?: number;
  logRetentionDays: number;
  /** Runtime variables that come from these settings, as the functions will read them. */
  runtimeEnvironment: Record<string, string>;
}

export class DeployConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      'fax-bridge deploy settings are wrong (set them under "context" in cdk.json or with ' +
        `-c key=value):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'DeployConfigError';
  }
}

/** Context keys the functions read at run time, each with the variable that carries it. */
const RUNTIME_KEYS = {
  faxDomains: 'FAX_DOMAINS',
  allowedSenders: 'ALLOWED_SENDERS',
  noticeFrom: 'NOTICE_FROM',
  telnyxConnectionId: 'TELNYX_CONNECTION_ID',
  faxFromNumber: 'FAX_FROM_NUMBER',
  telnyxPublicKey: 'TELNYX_PUBLIC_KEY',
  defaultCountry: 'DEFAULT_COUNTRY',
  allowedCountries: 'ALLOWED_COUNTRIES',
  noticeTimeZone: 'NOTICE_TIME_ZONE',
  attachFailedDocument: 'ATTACH_FAILED_DOCUMENT',
  maxRecipients: 'MAX_RECIPIENTS',
  maxPages: 'MAX_PAGES',
  pageSize: 'PAGE_SIZE',
  retentionDays: 'RETENTION_DAYS',
} as const;

const REQUIRED_KEYS = [
  'faxDomains',
  'noticeFrom',
  'allowedSenders',
  'telnyxConnectionId',
  'faxFromNumber',
  'telnyxPublicKey',
  'receiptRuleSet',
] as const;

const HINTS: Record<(typeof REQUIRED_KEYS)[number], string> = {
  faxDomains: 'the domain people email faxes to, e.g. -c faxDomains=fax.example.com',
  noticeFrom: 'the From address of notices, e.g. -c noticeFrom=fax@fax.example.com',
  allowedSenders: 'who may send faxes, e.g. -c allowedSenders=alice@example.com,@example.org',
  telnyxConnectionId: 'the id of your Telnyx fax application',
  faxFromNumber: 'your Telnyx fax number, e.g. -c faxFromNumber=+13125551234',
  telnyxPublicKey: 'the base64 public key from the Telnyx portal',
  receiptRuleSet: 'create-and-activate or use-active:<name>; see the deploy guide',
};

/** Values the stack fills in; stand-ins here only so the runtime checks can run on the rest. */
const DEPLOYED_PLACEHOLDERS = {
  FAX_BUCKET: 'bucket',
  LEDGER_TABLE: 'table',
  TELNYX_API_KEY_SECRET: 'secret',
  WEBHOOK_URL: 'https://webhook.invalid/',
};

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const RULE_SET_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/;
const HOSTED_ZONE_ID = /^[A-Z0-9]{1,32}$/;
const SECRET_ID =
  /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|[A-Za-z0-9/_+=.@-]{1,512})$/;
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

type Lookup = (key: string) => unknown;

/** Why a deploy setting is wrong, starting with its key. */
class Problem {
  constructor(readonly message: string) {}
}

/** A context value as text: cdk.json may hold numbers, booleans or lists; `-c` always gives text. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

const runtimeSchema = variablesSchema(Object.keys(RUNTIME_VARIABLES) as RuntimeVariable[]);
type Runtime = z.output<typeof runtimeSchema>;

/** Runs the functions' own checks on the runtime settings, so both sides agree on what is valid. */
function checkRuntime(raw: Record<string, string | undefined>): Runtime | string[] {
  const env: Record<string, string> = { ...DEPLOYED_PLACEHOLDERS };
  for (const [key, name] of Object.entries(RUNTIME_KEYS)) {
    const value = raw[key];
    if (value !== undefined) env[name] = value;
  }
  try {
    return parseEnv(runtimeSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const keyOf: Record<string, string> = Object.fromEntries(
      Object.entries(RUNTIME_KEYS).map(([key, name]) => [name, key]),
    );
    return error.problems.map((problem) => {
      const [name = '', ...rest] = problem.split(' ');
      return [keyOf[name] ?? name, ...rest].join(' ');
    });
  }
}

function parseRuleSet(value: string | undefined): ReceiptRuleSetMode | Problem {
  if (value === 'create-and-activate') return { kind: 'create-and-activate' };
  const name = value?.match(/^use-active:(.+)$/)?.[1];
  if (name && RULE_SET_NAME.test(name)) return { kind: 'use-active', ruleSetName: name };
  return new Problem(
    'receiptRuleSet must be create-and-activate or use-active:<name of the active rule set>',
  );
}

function parseHostedZone(
  raw: Record<string, string | undefined>,
  domains: string[],
): HostedZoneSettings | Problem | undefined {
  const { hostedZoneId: id, hostedZoneName } = raw;
  if (!id && !hostedZoneName) return undefined;
  if (!id) {
    return new Problem('hostedZoneId is missing (hostedZoneName was given; set both or neither)');
  }
  if (!HOSTED_ZONE_ID.test(id)) {
    return new Problem('hostedZoneId must be a Route 53 zone id like Z0123456789ABC');
  }
  const name = hostedZoneName?.toLowerCase().replace(/\.$/, '');
  if (!name) {
    return new Problem('hostedZoneName is missing (hostedZoneId was given; set both or neither)');
  }
  if (!DOMAIN.test(name)) {
    return new Problem('hostedZoneName must be the domain of the hosted zone, like example.com');
  }
  const outside = domains.filter((d) => d !== name && !d.endsWith(`.${name}`));
  if (outside.length > 0) {
    return new Problem(`hostedZoneName ${name} does not contain ${outside.join(', ')}`);
  }
  return { id, name };
}

function parseWebhookConcurrency(value: string | undefined): number | undefined | Problem {
  if (value === 'none') return undefined;
  const n = Number(value ?? '10');
  if (Number.isInteger(n) && n >= 1 && n <= 1000) return n;
  return new Problem('webhookConcurrency must be a whole number from 1 to 1000, or none');
}

function parseLogRetention(value: string | undefined): number | Problem {
  const n = Number(value ?? '30');
  if (LOG_RETENTION_DAYS.includes(n)) return n;
  return new Problem(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
}

/** Every runtime variable the settings decide, defaults included, so nothing is left implicit. */
function runtimeEnvironment(s: Runtime): Record<string, string> {
  return {
    FAX_DOMAINS: s.FAX_DOMAINS.join(','),
    ALLOWED_SENDERS: s.ALLOWED_SENDERS.join(','),
    DEFAULT_COUNTRY: s.DEFAULT_COUNTRY,
    ALLOWED_COUNTRIES: allowedCountries(s).join(','),
    TELNYX_CONNECTION_ID: s.TELNYX_CONNECTION_ID,
    FAX_FROM_NUMBER: s.FAX_FROM_NUMBER,
    TELNYX_PUBLIC_KEY: s.TELNYX_PUBLIC_KEY,
    NOTICE_FROM: s.NOTICE_FROM,
    NOTICE_TIME_ZONE: s.NOTICE_TIME_ZONE,
    ATTACH_FAILED_DOCUMENT: String(s.ATTACH_FAILED_DOCUMENT),
    MAX_RECIPIENTS: String(s.MAX_RECIPIENTS),
    MAX_PAGES: String(s.MAX_PAGES),
    PAGE_SIZE: s.PAGE_SIZE,
    RETENTION_DAYS: String(s.RETENTION_DAYS),
  };
}

const KEYS = [
  ...Object.keys(RUNTIME_KEYS),
  'receiptRuleSet',
  'telnyxApiKeySecret',
  'hostedZoneId',
  'hostedZoneName',
  'alarmEmail',
  'webhookConcurrency',
  'logRetentionDays',
];

type Parsed<T> = { [K in keyof T]: Exclude<T[K], Problem> };
const allParsed = <T extends object>(values: T): values is Parsed<T> =>
  !Object.values(values).some((v) => v instanceof Problem);

/** The settings only the stack uses, each either parsed or a problem naming its key. */
function infraSettings(raw: Record<string, string | undefined>) {
  const faxDomains = listOf(raw.faxDomains);
  const noticeDomain = raw.noticeFrom?.toLowerCase().split('@')[1];
  const badDomains = faxDomains.filter((d) => !DOMAIN.test(d));
  return {
    faxDomains:
      badDomains.length > 0
        ? new Problem(
            `faxDomains must be domain names like fax.example.com: ${badDomains.join(', ')}`,
          )
        : faxDomains,
    receiptRuleSet: raw.receiptRuleSet === undefined ? undefined : parseRuleSet(raw.receiptRuleSet),
    hostedZone: parseHostedZone(raw, noticeDomain ? [...faxDomains, noticeDomain] : faxDomains),
    alarmEmail:
      raw.alarmEmail && !EMAIL.test(raw.alarmEmail)
        ? new Problem('alarmEmail must be an email address like ops@example.com')
        : raw.alarmEmail,
    telnyxApiKeySecret:
      raw.telnyxApiKeySecret && !SECRET_ID.test(raw.telnyxApiKeySecret)
        ? new Problem('telnyxApiKeySecret must be a Secrets Manager secret name or complete ARN')
        : raw.telnyxApiKeySecret,
    webhookConcurrency: parseWebhookConcurrency(raw.webhookConcurrency),
    logRetentionDays: parseLogRetention(raw.logRetentionDays),
  };
}

/** Reads and checks every deploy setting; throws one DeployConfigError naming each bad key. */
export function readDeploySettings(lookup: Lookup): DeploySettings {
  const raw = Object.fromEntries(KEYS.map((key) => [key, text(lookup(key))]));
  const missing = REQUIRED_KEYS.filter((key) => raw[key] === undefined);
  const problems = missing.map((key) => `${key} is missing (${HINTS[key]})`);
  const runtime = checkRuntime(raw);
  if (Array.isArray(runtime)) {
    const isMissing = (p: string) => missing.some((key) => p.startsWith(`${key} `));
    problems.push(...runtime.filter((p) => !isMissing(p)));
  }
  const infra = infraSettings(raw);
  for (const value of Object.values(infra)) {
    if (value instanceof Problem) problems.push(value.message);
  }
  if (problems.length > 0 || Array.isArray(runtime) || !allParsed(infra)) {
    throw new DeployConfigError(problems);
  }
  const { receiptRuleSet } = infra;
  if (!receiptRuleSet) throw new DeployConfigError(problems);
  return {
    faxDomains: runtime.FAX_DOMAINS,
    noticeFrom: runtime.NOTICE_FROM,
    allowedSenders: runtime.ALLOWED_SENDERS,
    telnyxApiKeySecret: infra.telnyxApiKeySecret,
    retentionDays: runtime.RETENTION_DAYS,
    hostedZone: infra.hostedZone,
    alarmEmail: infra.alarmEmail,
    receiptRuleSet,
    attachFailedDocument: runtime.ATTACH_FAILED_DOCUMENT,
    webhookConcurrency: infra.webhookConcurrency,
    logRetentionDays: infra.logRetentionDays,
    runtimeEnvironment: runtimeEnvironment(runtime),
  };
}
