// The sweeper's composition root: run on a schedule, once over every held call channel.
import { faxCollaborators } from '../adapters/fax-collaborators';
import { lambdaObservability, type Observability } from '../adapters/observability';
import type { TelnyxClient } from '../adapters/telnyx-client';
import type { SweeperFunctionSettings } from '../config/sweeper-settings';
import { type SweepDeps, sweepFaxes } from '../core/webhook/sweep-faxes';

export interface SweeperFunction {
  handle(): Promise<void>;
  deps: SweepDeps & { fax: TelnyxClient };
}

export function wireSweeper(
  settings: SweeperFunctionSettings,
  observability: Observability = lambdaObservability(),
): SweeperFunction {
  const deps = faxCollaborators(settings, observability);
  return {
    deps,
    async handle() {
      const counts = await sweepFaxes(settings.flow, deps);
      for (const [result, n] of Object.entries(counts)) {
        if (n > 0) observability.counters.count('SweptFaxes', n, { name: 'result', value: result });
      }
      observability.counters.flush();
    },
  };
}
