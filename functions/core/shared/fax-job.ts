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
