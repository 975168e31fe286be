// The one call the inbound workflow makes for the daily caps, after the document is built and
// before any fax is claimed: it may call the ledger, and decides nothing itself (daily-caps.ts does).
import type { Clock, FaxJob, Ledger } from '../shared/ports';
import { capRefusal, quotaRequest } from './daily-caps';
import type { FaxPlan } from './plan';
import type { InboundSettings } from './process-inbound';
import type { Refusal } from './refusals';

/**
 * Within the caps (the day's count now holds this email's new faxes), or over one: then nothing
 * of the email may be faxed. `bridgePagesToday`, where known, is for the operator's metric.
 */
export type DailyCapCheck =
  | { kind: 'within'; bridgePagesToday?: number }
  | { kind: 'over'; refusal: Refusal; bridgePagesToday?: number };

/** Counts the numbers no earlier delivery of this email claimed, and their pages, against the day. */
export async function reserveDailyCaps(
  plan: Pick<FaxPlan, 'email'>,
  /** The ledger's job for each number, where an earlier delivery claimed one. */
  priorJobs: (FaxJob | undefined)[],
  documentPages: number,
  settings: Pick<InboundSettings, 'dailyCaps' | 'noticeTimeZone'>,
  deps: { ledger: Pick<Ledger, 'reserveDailyQuota'>; clock: Clock },
): Promise<DailyCapCheck> {
  // A redelivery's numbers that were claimed before were counted then; a copy running at the same
  // time sees none claimed yet, and the ledger counts its identity once.
  const newNumbers = priorJobs.filter((job) => job === undefined).length;
  if (newNumbers === 0) return { kind: 'within' };
  const now = deps.clock();
  const timeZone = settings.noticeTimeZone;
  const request = quotaRequest({
    sender: plan.email.context.sender,
    emailId: plan.email.identity,
    newNumbers,
    documentPages,
    now,
    timeZone,
    limits: settings.dailyCaps,
  });
  const reservation = await deps.ledger.reserveDailyQuota(request);
  if (reservation.reserved)
    return { kind: 'within', bridgePagesToday: reservation.bridgePagesAfter };
  return {
    kind: 'over',
    refusal: capRefusal(reservation, request, now, timeZone),
    bridgePagesToday: reservation.cap === 'bridge_pages' ? reservation.used : undefined,
  };
}
