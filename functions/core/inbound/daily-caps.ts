// The daily caps, decided without the ledger: the day a fax counts on (in the notice time zone,
// the office's day, so that "a day" ends when the sender's does), when that day ends, what one
// email asks of it, and the refusal when it asks too much.
import type { DailyLimits, QuotaRequest, QuotaReservation } from '../shared/ports';
import { zonedFormat } from '../shared/zoned-format';
import type { Refusal } from './refusals';

/** A day's counters outlive it a little: a late retry of its last email still finds them. */
const QUOTA_RETENTION_SECONDS = 2 * 86_400;

/** Longer than any local day (25 hours, or 48 where a zone skipped a whole date). */
const LONGEST_DAY_MS = 50 * 3_600_000;

const DAY = { year: 'numeric', month: '2-digit', day: '2-digit' } as const;

/** The date `moment` falls on in `timeZone`, as `YYYY-MM-DD`. */
export function localDay(moment: Date, timeZone: string): string {
  const format = zonedFormat(DAY, timeZone);
  const part = Object.fromEntries(format.formatToParts(moment).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day}`;
}

/**
 * The first moment of the next local day: midnight, or the hour a daylight-saving change that
 * skips midnight starts the day at. Searched for rather than computed from an offset, so every
 * rule of the zone database is the rule used.
 */
export function dayResetsAt(moment: Date, timeZone: string): Date {
  const today = localDay(moment, timeZone);
  let before = moment.getTime();
  let after = before + LONGEST_DAY_MS;
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (localDay(new Date(middle), timeZone) > today) after = middle;
    else before = middle;
  }
  return new Date(after);
}

export interface EmailQuota {
  sender: string;
  /** The email's identity: its copies count once a day, however many deliveries reach the ledger. */
  emailId: string;
  /** Numbers this delivery would fax: those no earlier delivery claimed. */
  newNumbers: number;
  /** Pages of the one document every number is sent. */
  documentPages: number;
  now: Date;
  timeZone: string;
  limits: DailyLimits;
}

/** What one email takes from the day: a fax per new number, the document's pages for each. */
export function quotaRequest(email: EmailQuota): QuotaRequest {
  const resetsAt = dayResetsAt(email.now, email.timeZone);
  return {
    day: localDay(email.now, email.timeZone),
    sender: email.sender,
    emailId: email.emailId,
    faxes: email.newNumbers,
    pages: email.newNumbers * email.documentPages,
    limits: email.limits,
    expiresAt: Math.floor(resetsAt.getTime() / 1000) + QUOTA_RETENTION_SECONDS,
  };
}

type Refused = Extract<QuotaReservation, { reserved: false }>;

/** The whole email is refused: the cap it would pass, and when the count starts again. */
export function capRefusal(
  reservation: Refused,
  request: QuotaRequest,
  now: Date,
  timeZone: string,
): Refusal {
  const { cap, limit, used } = reservation;
  return {
    code: 'daily_cap_reached',
    cap,
    limit,
    used,
    requested: cap === 'sender_faxes' ? request.faxes : request.pages,
    resetsAt: dayResetsAt(now, timeZone).toISOString(),
    timeZone,
  };
}
