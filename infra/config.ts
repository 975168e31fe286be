import type * as z from 'zod/mini';
import { ConfigError, parseEnv } from '../functions/config/config-error';
import { EMAIL, mailboxAddress } from '../functions/config/fields';
import { allowedCountries } from '../functions/config/inbound-settings';
import {
  RUNTIME_VARIABLES,
  type RuntimeVariable,
  variablesSchema,
} from '../functions/config/runtime-variables';
import { regionProblem } from './ses-receiving-regions';

/** How the stack gets its receipt rule into the account's one active SES rule set. */
export type ReceiptRuleSetMode =
  | { kind: 'create-and-activate' }
  | { kind: 'use-active'; ruleSetName: string };

export type DmarcPolicy = 'none' | 'quarantine' | 'reject' | 'off';

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
  /** ARN of the customer-managed KMS key that encrypts that secret, when it is not AWS's own. */
  telnyxApiKeyKmsKey?: string;
  /** CloudFormation stack name; SES rule set and rule names are built from it. */
  stackName: string;
  /** Domains already SES identities in this account and region: the stack creates none for them. */
  existingIdentities: string[];
  /** DMARC record published for the notice domain; `off`: none (the domain has its own). */
  dmarcPolicy: DmarcPolicy;
  /** Custom MAIL FROM domain of the notices (a subdomain of the notice domain); undefined: SES's. */
  mailFromDomain?: string;
  retentionDays: number;
  hostedZone?: HostedZoneSettings;
  alarmEmail?: string;
  receiptRuleSet: ReceiptRuleSetMode;
  attachFailedDocument: boolean;
  /** The delivered email's confirmation report; `on` shows page 1, so the webhook reads `media/`. */
  transmissionReport: 'on' | 'no-image' | 'off';
  /** Reserved concurrency of the webhook function; undefined: none reserved. */
  webhookConcurrency?: number;
  logRetentionDays: number;
  /** The bridge's pages a day (MAX_PAGES_PER_DAY), which its volume alarm watches. */
  maxPagesPerDay: number;
  /** Faxes in progress at once (TELNYX_CHANNELS), which bounds the dispatch function too. */
  telnyxChannels: number;
  /** How often the sweeper runs (SWEEP_INTERVAL_SECONDS), a whole number of minutes. */
  sweepIntervalSeconds: number;
  /** Every address of INBOUND_ROUTES: the receiver may email them, and only them. */
  inboundRecipients: string[];
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
  coverOrganisation: 'COVER_ORGANISATION',
  coverPhone: 'COVER_PHONE',
  coverNotice: 'COVER_NOTICE',
  attachFailedDocument: 'ATTACH_FAILED_DOCUMENT',
  transmissionReport: 'TRANSMISSION_REPORT',
  adminContact: 'ADMIN_CONTACT',
  maxRecipients: 'MAX_RECIPIENTS',
  maxPages: 'MAX_PAGES',
  pageSize: 'PAGE_SIZE',
  retentionDays: 'RETENTION_DAYS',
  maxEmailAgeHours: 'MAX_EMAIL_AGE_HOURS',
  maxFaxesPerSenderPerDay: 'MAX_FAXES_PER_SENDER_PER_DAY',
  maxPagesPerSenderPerDay: 'MAX_PAGES_PER_SENDER_PER_DAY',
  maxPagesPerDay: 'MAX_PAGES_PER_DAY',
  telnyxChannels: 'TELNYX_CHANNELS',
  retryAttempts: 'RETRY_ATTEMPTS',
  retryDelaySeconds: 'RETRY_DELAY_SECONDS',
  sweepIntervalSeconds: 'SWEEP_INTERVAL_SECONDS',
  sweepAfterSeconds: 'SWEEP_AFTER_SECONDS',
  inboundRoutes: 'INBOUND_ROUTES',
  inboundLinkDays: 'INBOUND_LINK_DAYS',
  inboundBlockedNumbers: 'INBOUND_BLOCKED_NUMBERS',
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
  DISPATCH_QUEUE_URL: 'https://queue.invalid/',
  FAX_IN_QUEUE_URL: 'https://queue.invalid/',
  PUBLIC_URL: 'https://webhook.invalid',
};

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const RULE_SET_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/;
const HOSTED_ZONE_ID = /^[A-Z0-9]{1,32}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
// Secrets Manager appends a hyphen and six characters to a secret's name in its ARN; IAM matches
// only the whole ARN, so one without them grants nothing.
const COMPLETE_SECRET_ARN = /-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
// SES limits rule set and rule names to 64 characters; the rule is named `<stack name>-fax`.
const MAX_STACK_NAME = 64 - '-fax'.length;
const DMARC_POLICIES: readonly DmarcPolicy[] = ['none', 'quarantine', 'reject', 'off'];
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

type Lookup = (key: string) => unknown;

/** Why a deploy setting is wrong, starting with its key. */
class Problem {
  constructor(readonly message: string) {}
}

/**
 * A context value as text: cdk.json may hold numbers, booleans, lists or objects (inboundRoutes,
 * which the functions read as JSON text); `-c` always gives text.
 */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
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

// None by default: Lambda keeps 100 executions unreserved, so a new account whose quota is
// still 10 cannot reserve any, and the deploy would fail.
function parseWebhookConcurrency(value: string | undefined): number | undefined | Problem {
  if (value === undefined || value === 'none') return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1 && n <= 1000) return n;
  return new Problem('webhookConcurrency must be a whole number from 1 to 1000, or none');
}

function parseSecret(value: string | undefined): string | undefined | Problem {
  if (value === undefined) return undefined;
  if (SECRET_ARN.test(value)) {
    if (COMPLETE_SECRET_ARN.test(value)) return value;
    return new Problem(
      'telnyxApiKeySecret is a partial ARN: a complete secret ARN ends with -XXXXXX (a hyphen ' +
        'and the six characters Secrets Manager adds); copy the whole ARN, or give the name',
    );
  }
  if (SECRET_NAME.test(value) && !value.startsWith('arn:')) return value;
  return new Problem('telnyxApiKeySecret must be a Secrets Manager secret name or complete ARN');
}

function parseKmsKey(value: string | undefined, secret: string | undefined) {
  if (value === undefined) return undefined;
  if (!secret) {
    return new Problem(
      'telnyxApiKeyKmsKey is for an existing secret: set telnyxApiKeySecret too, or leave it out',
    );
  }
  if (KMS_KEY_ARN.test(value)) return value;
  return new Problem(
    'telnyxApiKeyKmsKey must be the ARN of the KMS key (arn:aws:kms:<region>:<account>:key/<id>), not an alias',
  );
}

function parseStackName(value = 'FaxBridge'): string | Problem {
  if (!STACK_NAME.test(value)) {
    return new Problem('stackName must start with a letter and hold only letters, digits and -');
  }
  if (value.length > MAX_STACK_NAME) {
    return new Problem(
      `stackName must be at most ${MAX_STACK_NAME} characters: the SES receipt rule is named ` +
        `${value}-fax, and SES takes at most 64`,
    );
  }
  return value;
}

function parseExistingIdentities(value: string | undefined, domains: string[]) {
  const listed = listOf(value);
  const unknown = listed.filter((d) => !domains.includes(d));
  if (unknown.length === 0) return listed;
  return new Problem(
    `existingIdentities may only name the fax domains and the notice domain (${domains.join(', ')}): ${unknown.join(', ')}`,
  );
}

function parseDmarc(value = 'none'): DmarcPolicy | Problem {
  const policy = DMARC_POLICIES.find((p) => p === value.toLowerCase());
  return policy ?? new Problem(`dmarcPolicy must be one of ${DMARC_POLICIES.join(', ')}`);
}

function parseMailFrom(value: string | undefined, noticeDomain: string | undefined) {
  if (!noticeDomain) return undefined;
  if (value?.toLowerCase() === 'none') return undefined;
  const domain = (value ?? `bounce.${noticeDomain}`).toLowerCase();
  if (DOMAIN.test(domain) && domain.endsWith(`.${noticeDomain}`)) return domain;
  return new Problem(
    `mailFromDomain must be a subdomain of ${noticeDomain} (the notice domain), like bounce.${noticeDomain}, or none`,
  );
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
    ...(s.ADMIN_CONTACT ? { ADMIN_CONTACT: s.ADMIN_CONTACT } : {}),
    TRANSMISSION_REPORT: s.TRANSMISSION_REPORT,
    ...(s.COVER_ORGANISATION ? { COVER_ORGANISATION: s.COVER_ORGANISATION } : {}),
    ...(s.COVER_PHONE ? { COVER_PHONE: s.COVER_PHONE } : {}),
    ...(s.COVER_NOTICE ? { COVER_NOTICE: s.COVER_NOTICE } : {}),
    ATTACH_FAILED_DOCUMENT: String(s.ATTACH_FAILED_DOCUMENT),
    MAX_RECIPIENTS: String(s.MAX_RECIPIENTS),
    MAX_PAGES: String(s.MAX_PAGES),
    PAGE_SIZE: s.PAGE_SIZE,
    RETENTION_DAYS: String(s.RETENTION_DAYS),
    MAX_EMAIL_AGE_HOURS: String(s.MAX_EMAIL_AGE_HOURS),
    MAX_FAXES_PER_SENDER_PER_DAY: String(s.MAX_FAXES_PER_SENDER_PER_DAY),
    MAX_PAGES_PER_SENDER_PER_DAY: String(s.MAX_PAGES_PER_SENDER_PER_DAY),
    MAX_PAGES_PER_DAY: String(s.MAX_PAGES_PER_DAY),
    TELNYX_CHANNELS: String(s.TELNYX_CHANNELS),
    RETRY_ATTEMPTS: String(s.RETRY_ATTEMPTS),
    RETRY_DELAY_SECONDS: String(s.RETRY_DELAY_SECONDS),
    SWEEP_INTERVAL_SECONDS: String(s.SWEEP_INTERVAL_SECONDS),
    SWEEP_AFTER_SECONDS: String(s.SWEEP_AFTER_SECONDS),
    // Compact JSON, as the functions read it back: a route's addresses once each, in lower case.
    INBOUND_ROUTES: JSON.stringify(s.INBOUND_ROUTES),
    INBOUND_LINK_DAYS: String(s.INBOUND_LINK_DAYS ?? s.RETENTION_DAYS),
    ...(s.INBOUND_BLOCKED_NUMBERS.length > 0
      ? { INBOUND_BLOCKED_NUMBERS: s.INBOUND_BLOCKED_NUMBERS.join(',') }
      : {}),
  };
}

/** Each address some route emails, once. */
const inboundRecipients = (s: Runtime): string[] => [
  ...new Set(Object.values(s.INBOUND_ROUTES).flatMap((route) => route.to)),
];

/** What a runtime setting must also be on AWS, once the functions' own checks passed. */
function deployProblems(s: Runtime): string[] {
  const problems: string[] = [];
  // An EventBridge rate is written in minutes; a sweep at another pace than the functions assume
  // would let their call leases lapse before the sweeper has looked twice.
  if (s.SWEEP_INTERVAL_SECONDS % 60 !== 0) {
    problems.push(
      'sweepIntervalSeconds must be a whole number of minutes (60, 120, 600…) on AWS: EventBridge schedules in minutes',
    );
  }
  // The bucket's lifecycle rule deletes the fax itself after retentionDays.
  if (s.INBOUND_LINK_DAYS !== undefined && s.INBOUND_LINK_DAYS > s.RETENTION_DAYS) {
    problems.push(
      `inboundLinkDays must be at most retentionDays (${s.RETENTION_DAYS}): a received fax is deleted after retentionDays, and a link that outlived it would only answer 404`,
    );
  }
  return problems;
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
  'telnyxApiKeyKmsKey',
  'stackName',
  'existingIdentities',
  'dmarcPolicy',
  'mailFromDomain',
];

type Parsed<T> = { [K in keyof T]: Exclude<T[K], Problem> };
const allParsed = <T extends object>(values: T): values is Parsed<T> =>
  !Object.values(values).some((v) => v instanceof Problem);

/** The settings only the stack uses, each either parsed or a problem naming its key. */
function infraSettings(raw: Record<string, string | undefined>) {
  const faxDomains = listOf(raw.faxDomains);
  const noticeDomain = mailboxAddress(raw.noticeFrom ?? '')
    ?.toLowerCase()
    .split('@')[1];
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
    telnyxApiKeySecret: parseSecret(raw.telnyxApiKeySecret),
    telnyxApiKeyKmsKey: parseKmsKey(raw.telnyxApiKeyKmsKey, raw.telnyxApiKeySecret),
    stackName: parseStackName(raw.stackName),
    existingIdentities: parseExistingIdentities(
      raw.existingIdentities,
      noticeDomain ? [...new Set([...faxDomains, noticeDomain])] : faxDomains,
    ),
    dmarcPolicy: parseDmarc(raw.dmarcPolicy),
    mailFromDomain: parseMailFrom(raw.mailFromDomain, noticeDomain),
    webhookConcurrency: parseWebhookConcurrency(raw.webhookConcurrency),
    logRetentionDays: parseLogRetention(raw.logRetentionDays),
  };
}

/**
 * Reads and checks every deploy setting; throws one DeployConfigError naming each bad key.
 * `region`, when known before the deploy, is checked too (see ses-receiving-regions.ts).
 */
export function readDeploySettings(
  lookup: Lookup,
  target: { region?: string } = {},
): DeploySettings {
  const raw = Object.fromEntries(KEYS.map((key) => [key, text(lookup(key))]));
  const missing = REQUIRED_KEYS.filter((key) => raw[key] === undefined);
  const problems = missing.map((key) => `${key} is missing (${HINTS[key]})`);
  const wrongRegion = target.region && regionProblem(target.region);
  if (wrongRegion) problems.unshift(wrongRegion);
  const runtime = checkRuntime(raw);
  if (Array.isArray(runtime)) {
    const isMissing = (p: string) => missing.some((key) => p.startsWith(`${key} `));
    problems.push(...runtime.filter((p) => !isMissing(p)));
  } else {
    problems.push(...deployProblems(runtime));
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
    // The SES identity and the ses:FromAddress condition take the bare address.
    noticeFrom: mailboxAddress(runtime.NOTICE_FROM) ?? runtime.NOTICE_FROM,
    allowedSenders: runtime.ALLOWED_SENDERS,
    telnyxApiKeySecret: infra.telnyxApiKeySecret,
    telnyxApiKeyKmsKey: infra.telnyxApiKeyKmsKey,
    stackName: infra.stackName,
    existingIdentities: infra.existingIdentities,
    dmarcPolicy: infra.dmarcPolicy,
    mailFromDomain: infra.mailFromDomain,
    retentionDays: runtime.RETENTION_DAYS,
    hostedZone: infra.hostedZone,
    alarmEmail: infra.alarmEmail,
    receiptRuleSet,
    attachFailedDocument: runtime.ATTACH_FAILED_DOCUMENT,
    transmissionReport: runtime.TRANSMISSION_REPORT,
    webhookConcurrency: infra.webhookConcurrency,
    logRetentionDays: infra.logRetentionDays,
    maxPagesPerDay: runtime.MAX_PAGES_PER_DAY,
    telnyxChannels: runtime.TELNYX_CHANNELS,
    sweepIntervalSeconds: runtime.SWEEP_INTERVAL_SECONDS,
    inboundRecipients: inboundRecipients(runtime),
    runtimeEnvironment: runtimeEnvironment(runtime),
  };
}
