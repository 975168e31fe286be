// What the emulator does with a fax, by the last four digits of its destination (the README's
// "Telnyx emulator" table). Some outcomes depend on what happened before to the same number, so
// the outcomes keep a count of dials and POSTs per number.

/** How a call to the destination ends, once the media was fine. */
export type DialOutcome = { kind: 'delivered' } | { kind: 'failed'; reason: string };

export interface Outcomes {
  /** Whether this POST is answered 422: the destination cannot receive faxes. */
  refuses(to: string): boolean;
  /** Whether this POST is answered 429 (counts the POST). */
  throttles(to: string): boolean;
  /** Whether Telnyx's webhooks for a fax to `to` never arrive (GET still tells). */
  losesWebhooks(to: string): boolean;
  /** How this dial ends (counts the dial). */
  dial(to: string): DialOutcome;
}

const ALWAYS_FAILING: Record<string, string> = {
  '0001': 'user_busy',
  '0002': 'receiver_no_answer',
  '0004': 'receiver_call_dropped',
  '0006': 'user_busy',
  '0009': 'receiver_unallocated_number',
};
const REFUSED = '0003';
const BUSY_ON_FIRST_DIAL = '0005';
const WITHOUT_WEBHOOKS = '0007';
const THROTTLED_ON_FIRST_POST = '0008';

const ending = (to: string) => to.slice(-4);

export function createOutcomes(): Outcomes {
  const dials = new Map<string, number>();
  const posts = new Map<string, number>();
  const count = (counts: Map<string, number>, to: string) => {
    const n = (counts.get(to) ?? 0) + 1;
    counts.set(to, n);
    return n;
  };
  return {
    refuses: (to) => ending(to) === REFUSED,
    throttles: (to) => count(posts, to) === 1 && ending(to) === THROTTLED_ON_FIRST_POST,
    losesWebhooks: (to) => ending(to) === WITHOUT_WEBHOOKS,
    dial(to) {
      const n = count(dials, to);
      const reason = ALWAYS_FAILING[ending(to)];
      if (reason) return { kind: 'failed', reason };
      if (ending(to) === BUSY_ON_FIRST_DIAL && n === 1)
        return { kind: 'failed', reason: 'user_busy' };
      return { kind: 'delivered' };
    },
  };
}

/** Plausible seconds on the line: call set-up plus about 20 s a page. */
export const callDurationFor = (pages: number) => 15 + 20 * pages;
