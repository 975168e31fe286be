import type { SweepSettings } from '../core/webhook/sweep-faxes';
import { type Env, parseEnv } from './config-error';
import {
  apiKeyRequired,
  FAX_FUNCTION_VARIABLES,
  type FaxFunctionSettings,
  faxFunctionSettings,
  leaseSeconds,
  OUTCOME_VARIABLES,
  retrySettings,
} from './fax-settings';
import { clientStateSecretRequired, variablesSchema } from './runtime-variables';

export const SWEEPER_VARIABLES = [
  ...FAX_FUNCTION_VARIABLES,
  'RETRY_ATTEMPTS',
  'RETRY_DELAY_SECONDS',
  'SWEEP_AFTER_SECONDS',
  'SWEEP_INTERVAL_SECONDS',
  ...OUTCOME_VARIABLES,
] as const;

const schema = variablesSchema(SWEEPER_VARIABLES).check(apiKeyRequired, clientStateSecretRequired);

export interface SweeperFunctionSettings extends FaxFunctionSettings {
  flow: SweepSettings;
}

export function loadSweeperSettings(env: Env): SweeperFunctionSettings {
  const s = parseEnv(schema, env);
  return {
    flow: {
      ...retrySettings(s),
      sweepAfterSeconds: s.SWEEP_AFTER_SECONDS,
      leaseSeconds: leaseSeconds(s),
    },
    ...faxFunctionSettings(s, env),
  };
}
