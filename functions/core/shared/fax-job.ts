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

/**
 * The rank the ledger stores: each attempt ranks above every status of the one before, so a
 * retry moves forward and a late event about an earlier attempt does not. Attempt 1 ranks as
 * jobs did before retries.
 */
export const attemptRank = (status: FaxStatus, attempt = 1): number =>
  (attempt - 1) * 10 + RANK[status];

export const attemptOf = (job: { attempt?: number }): number => job.attempt ?? 1;

export const isFinal = (status: FaxStatus): boolean =>
  status === 'delivered' || status === 'failed' || status === 'not_sent';

/** Names one fax job, e.g. in the id of its result notice; the ledger builds its key from it. */
export const jobName = (key: JobKey): string => `${key.messageId}#${key.recipient}`;
