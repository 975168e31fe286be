// The settings the dispatch, the webhook and the sweeper share: how a fax's end is told, how
// Telnyx is reached, and how long a call channel is held.
import * as z from 'zod/mini';
import type { OutcomeSettings } from '../core/shared/fax-outcome';
import type { StatusSettings } from '../core/webhook/apply-report';
import type { AwsSettings } from './aws-settings';
import { awsSettings } from './aws-settings';
import type { Env } from './config-error';
import { clientStateSecret, type SecretSetting } from './runtime-variables';

/** The API key comes from Secrets Manager on AWS, or is given itself in the local mode. */
export type ApiKeySetting = { secretId: string } | { key: string };

export const OUTCOME_VARIABLES = [
  'NOTICE_FROM',
  'NOTICE_TIME_ZONE',
  'ATTACH_FAILED_DOCUMENT',
  'TRANSMISSION_REPORT',
  'ADMIN_CONTACT',
  'RETENTION_DAYS',
  'TELNYX_CHANNELS',
] as const;

export const TELNYX_API_VARIABLES = [
  'TELNYX_API_URL',
  'TELNYX_API_KEY_SECRET',
  'TELNYX_API_KEY',
] as const;

export const apiKeyRequired = z.refine<{ TELNYX_API_KEY_SECRET?: string; TELNYX_API_KEY?: string }>(
  (s) => Boolean(s.TELNYX_API_KEY_SECRET || s.TELNYX_API_KEY),
  {
    path: ['TELNYX_API_KEY_SECRET'],
    message: 'is missing (or set TELNYX_API_KEY in the local mode)',
  },
);

export function outcomeSettings(s: {
  NOTICE_FROM: string;
  NOTICE_TIME_ZONE: string;
  ATTACH_FAILED_DOCUMENT: boolean;
  TRANSMISSION_REPORT: OutcomeSettings['transmissionReport'];
  ADMIN_CONTACT?: string;
  RETENTION_DAYS: number;
  TELNYX_CHANNELS: number;
}): OutcomeSettings {
  return {
    noticeFrom: s.NOTICE_FROM,
    noticeTimeZone: s.NOTICE_TIME_ZONE,
    attachFailedDocument: s.ATTACH_FAILED_DOCUMENT,
    transmissionReport: s.TRANSMISSION_REPORT,
    adminContact: s.ADMIN_CONTACT,
    retentionDays: s.RETENTION_DAYS,
    channels: s.TELNYX_CHANNELS,
  };
}

export const telnyxApi = (s: {
  TELNYX_API_URL: string;
  TELNYX_API_KEY?: string;
  TELNYX_API_KEY_SECRET?: string;
}): { url: string; apiKey: ApiKeySetting } => ({
  url: s.TELNYX_API_URL,
  apiKey: s.TELNYX_API_KEY
    ? { key: s.TELNYX_API_KEY }
    : { secretId: s.TELNYX_API_KEY_SECRET as string },
});

/**
 * A call channel is held until the fax ends; should its end never be heard, until the sweeper
 * has had two chances to look it up after SWEEP_AFTER_SECONDS.
 */
export const leaseSeconds = (s: { SWEEP_AFTER_SECONDS: number; SWEEP_INTERVAL_SECONDS: number }) =>
  s.SWEEP_AFTER_SECONDS + 2 * s.SWEEP_INTERVAL_SECONDS;

/** What the webhook and the sweeper apply to a fax's status: the outcome settings and the retries. */
export const retrySettings = (
  s: Parameters<typeof outcomeSettings>[0] & {
    RETRY_ATTEMPTS: number;
    RETRY_DELAY_SECONDS: number;
  },
): StatusSettings => ({
  ...outcomeSettings(s),
  retry: { attempts: s.RETRY_ATTEMPTS, delaySeconds: s.RETRY_DELAY_SECONDS },
});

/** What `faxFunctionSettings` reads. */
export const FAX_FUNCTION_VARIABLES = [
  'FAX_BUCKET',
  'LEDGER_TABLE',
  'DISPATCH_QUEUE_URL',
  ...TELNYX_API_VARIABLES,
  'CLIENT_STATE_SECRET_ID',
  'CLIENT_STATE_SECRET',
] as const;

/** Where the dispatch and the sweeper find their collaborators. */
export interface FaxFunctionSettings {
  faxBucket: string;
  ledgerTable: string;
  dispatchQueueUrl: string;
  telnyxApi: { url: string; apiKey: ApiKeySetting };
  /** Signs (and finds faxes by) the client_state of each fax. */
  clientStateSecret: SecretSetting;
  aws: AwsSettings;
}

export const faxFunctionSettings = (
  s: Parameters<typeof telnyxApi>[0] &
    Parameters<typeof clientStateSecret>[0] & {
      FAX_BUCKET: string;
      LEDGER_TABLE: string;
      DISPATCH_QUEUE_URL: string;
    },
  env: Env,
): FaxFunctionSettings => ({
  faxBucket: s.FAX_BUCKET,
  ledgerTable: s.LEDGER_TABLE,
  dispatchQueueUrl: s.DISPATCH_QUEUE_URL,
  telnyxApi: telnyxApi(s),
  clientStateSecret: clientStateSecret(s),
  aws: awsSettings(env),
});
