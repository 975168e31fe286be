import type { FaxStatus, JobKey } from './ports';

const RANK: Record<FaxStatus, number> = {
  claimed: 0,
  unknown: 1,
  queued: 2,
  'media.processed': 3,
  sending: 4,
  delivered: 5,
  failed: 5,
  not_sent: 9,
};

/** Statuses only move to a higher rank; delivered, failed and not_sent are final. */
export const statusRank = (status: FaxStatus): number => RANK[status];

/** Names one fax job, e.g. in the id of its result notice; the ledger builds its key from it. */
export const jobName = (key: JobKey): string => `${key.messageId}#${key.recipient}`;

/** client_state sent to Telnyx and echoed in every webhook: names the ledger job. */
export function encodeClientState(key: JobKey): string {
  return Buffer.from(JSON.stringify({ m: key.messageId, r: key.recipient })).toString('base64');
}

export function decodeClientState(clientState: unknown): JobKey | undefined {
  if (typeof clientState !== 'string' || clientState.length > 1024) return undefined;
  try {
    const value = JSON.parse(Buffer.from(clientState, 'base64').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { m, r } = value as Record<string, unknown>;
    return typeof m === 'string' && typeof r === 'string'
      ? { messageId: m, recipient: r }
      : undefined;
  } catch {
    return undefined;
  }
}
