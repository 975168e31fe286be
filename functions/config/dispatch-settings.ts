import type { DispatchSettings } from '../core/dispatch/dispatch-fax';
import { type Env, parseEnv } from './config-error';
import {
  apiKeyRequired,
  FAX_FUNCTION_VARIABLES,
  type FaxFunctionSettings,
  faxFunctionSettings,
  leaseSeconds,
  OUTCOME_VARIABLES,
  outcomeSettings,
} from './fax-settings';
import { clientStateSecretRequired, variablesSchema } from './runtime-variables';

export const DISPATCH_VARIABLES = [
  ...FAX_FUNCTION_VARIABLES,
  'TELNYX_CONNECTION_ID',
  'FAX_FROM_NUMBER',
  'WEBHOOK_URL',
  'MEDIA_URL_TTL_SECONDS',
  'SWEEP_AFTER_SECONDS',
  'SWEEP_INTERVAL_SECONDS',
  'DISPATCH_WAIT_SECONDS',
  ...OUTCOME_VARIABLES,
] as const;

const schema = variablesSchema(DISPATCH_VARIABLES).check(apiKeyRequired, clientStateSecretRequired);

export interface DispatchFunctionSettings extends FaxFunctionSettings {
  flow: DispatchSettings;
}

export function loadDispatchSettings(env: Env): DispatchFunctionSettings {
  const s = parseEnv(schema, env);
  return {
    flow: {
      ...outcomeSettings(s),
      telnyx: {
        connectionId: s.TELNYX_CONNECTION_ID,
        fromNumber: s.FAX_FROM_NUMBER,
        webhookUrl: s.WEBHOOK_URL,
      },
      mediaUrlTtlSeconds: s.MEDIA_URL_TTL_SECONDS,
      leaseSeconds: leaseSeconds(s),
      waitSeconds: s.DISPATCH_WAIT_SECONDS,
    },
    ...faxFunctionSettings(s, env),
  };
}
