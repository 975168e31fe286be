// When the sender wrote the email, as far as they vouch for it: an old signed email replayed, or
// one dated ahead to outlive the replay record, is not faxed.
import type { Refusal } from '../refusals';

/** Clocks of mail servers drift, and Date is written when the sender pressed Send. */
export const MAX_FUTURE_HOURS = 2;

const HOUR_MS = 3_600_000;

/** A Date field's value as a time, or undefined when it is not a date. */
export function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `unknown`: no date the sender vouches for (see admission.ts for when that is allowed). */
export function dateRefusal(
  written: Date | 'unknown',
  now: Date,
  maxAgeHours: number,
): Refusal | undefined {
  if (written === 'unknown') return { code: 'email_date_unsigned' };
  if (now.getTime() - written.getTime() > maxAgeHours * HOUR_MS) {
    return { code: 'email_too_old', limitHours: maxAgeHours };
  }
  if (written.getTime() - now.getTime() > MAX_FUTURE_HOURS * HOUR_MS) {
    return { code: 'email_from_future', limitHours: MAX_FUTURE_HOURS };
  }
  return undefined;
}
