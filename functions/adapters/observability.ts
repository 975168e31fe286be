import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Log } from '../core/shared/ports';

/** The counts a function reports; CloudWatch metrics on AWS, nothing in the local mode and tests. */
export interface Counters {
  count(name: string, value?: number, dimension?: { name: string; value: string }): void;
  /** Writes what was counted since the last flush. */
  flush(): void;
}

/** What a function's edge logs with: core's Log, plus keys carried on every line of an event. */
export interface EdgeLog extends Log {
  appendKeys(keys: Record<string, unknown>): void;
  removeKeys(keys: string[]): void;
  addContext(context: Context): void;
}

export interface Observability {
  log: EdgeLog;
  counters: Counters;
}

function powertoolsCounters(metrics: Metrics): Counters {
  return {
    count(name, value = 1, dimension) {
      if (!dimension) return metrics.addMetric(name, MetricUnit.Count, value);
      const single = metrics.singleMetric();
      single.addDimension(dimension.name, dimension.value);
      single.addMetric(name, MetricUnit.Count, value);
    },
    flush() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

let lambda: Observability | undefined;

/** One logger and one metrics instance per Lambda instance, as Powertools recommends. */
export function lambdaObservability(): Observability {
  lambda ??= {
    log: new Logger({ serviceName: 'fax-bridge' }),
    counters: powertoolsCounters(
      new Metrics({ namespace: 'FaxBridge', serviceName: 'fax-bridge' }),
    ),
  };
  return lambda;
}

export const noCounters: Counters = { count() {}, flush() {} };

/** JSON log lines at `level` and above, no metrics: the local mode and the tests. */
export const localObservability = (
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' = 'INFO',
): Observability => ({
  log: new Logger({ serviceName: 'fax-bridge', logLevel: level }),
  counters: noCounters,
});
