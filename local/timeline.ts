// The few function log lines a person watching the local bridge cares about, as one line each.
import type { LogEntry } from './function-log';

export function timelineLine(entry: LogEntry): string | undefined {
  switch (entry.message) {
    case 'document built':
      return `inbound: document built with ${entry.pages} pages${entry.cover ? ' (cover page included)' : ''}`;
    case 'fax request answered':
      return `inbound: fax to ${entry.recipient} ${entry.result === 'accepted' ? `queued as ${entry.faxId}` : entry.result}`;
    case 'email dropped without reply':
      return `inbound: email dropped without reply (${entry.reason})`;
    case 'email refused':
      return `inbound: email refused (${entry.code}), the sender is told why`;
    case 'result email sent':
      return `webhook: result email sent (${entry.status})`;
    default:
      return entry.level === 'ERROR' || entry.level === 'WARN'
        ? `${entry.level.toLowerCase()}: ${entry.message}`
        : undefined;
  }
}
