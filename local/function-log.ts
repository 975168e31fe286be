// The functions' log in the local mode: the same entries Powertools writes on Lambda (level,
// message, service, timestamp, keys), handed to the local mode, which keeps them in a file and
// shows the few a person cares about.
import type { EdgeLog } from '../functions/adapters/observability';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

export interface LogEntry extends Record<string, unknown> {
  level: 'INFO' | 'WARN' | 'ERROR';
  message: string;
  service: 'fax-bridge';
  timestamp: string;
}

/** Errors as Powertools writes them: JSON.stringify would make them `{}`. */
const plain = ([key, value]: [string, unknown]): [string, unknown] =>
  value instanceof Error ? [key, { name: value.name, message: value.message }] : [key, value];

const RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, SILENT: 4 };

export function functionLog(level: LogLevel, sink: (entry: LogEntry) => void): EdgeLog {
  let keys: Record<string, unknown> = {};
  const write =
    (entryLevel: LogEntry['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      if (RANK[entryLevel] < RANK[level]) return;
      sink({
        level: entryLevel,
        message,
        service: 'fax-bridge',
        timestamp: new Date().toISOString(),
        ...keys,
        ...Object.fromEntries(Object.entries(Object.assign({}, ...extra)).map(plain)),
      });
    };
  return {
    info: write('INFO'),
    warn: write('WARN'),
    error: write('ERROR'),
    appendKeys(more) {
      keys = { ...keys, ...more };
    },
    removeKeys(names) {
      keys = Object.fromEntries(Object.entries(keys).filter(([name]) => !names.includes(name)));
    },
    addContext() {},
  };
}
