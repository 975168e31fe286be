// The few function log lines a person watching the local bridge cares about, as one line each.
import type { LogEntry } from './function-log';

export function timelineLine(entry: LogEntry): string | undefined {
  switch (entry.message) {
    case 'document built':
      return `inbound: document built with ${entry.pages} pages${entry.cover ? ' (cover page included)' : ''}`;
    case 'faxes queued':
      return `inbound: ${entry.faxes} fax${entry.faxes === 1 ? '' : 'es'} queued for the dispatch`;
    case 'fax request answered':
      return `dispatch: attempt ${entry.attempt} to ${entry.recipient} ${entry.result === 'accepted' ? `taken by Telnyx as ${entry.faxId}` : entry.result}`;
    case 'fax waits':
      return `dispatch: fax to ${entry.recipient} waits ${entry.delaySeconds} s (${entry.reason})`;
    case 'fax to be dialled again':
      return `webhook: ${entry.failureReason}: attempt ${entry.attempt} in ${entry.delaySeconds} s`;
    case 'email dropped without reply':
      return `inbound: email dropped without reply (${entry.reason})`;
    case 'email refused':
      return `inbound: email refused (${entry.code}), the sender is told why`;
    case 'received fax stored':
      return `receiver: received fax stored (${entry.from === 'tiff' ? 'a TIFF, now a PDF' : 'a PDF'})`;
    case 'received fax emailed':
      return `receiver: received fax emailed (${entry.mode}) to ${entry.sent} address${entry.sent === 1 ? '' : 'es'}`;
    case 'received fax from a blocked number: stored, not emailed':
      return 'receiver: received fax from a blocked number: stored, not emailed';
    case 'fax that did not arrive notified':
      return `receiver: a fax that did not arrive, told to ${entry.sent} address${entry.sent === 1 ? '' : 'es'}`;
    case 'result email sent':
      return `result email sent (${entry.status})`;
    default:
      return entry.level === 'ERROR' || entry.level === 'WARN'
        ? `${entry.level.toLowerCase()}: ${entry.message}`
        : undefined;
  }
}
