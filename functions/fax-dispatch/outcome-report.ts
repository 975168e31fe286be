import type { Observability } from '../adapters/observability';
import type { DispatchOutcome } from '../core/dispatch/dispatch-fax';

/**
 * Faxes Telnyx refused because it refuses the bridge's API key, and faxes that could not be sent
 * because the bridge could not read its key (the secret empty or gone): no fax goes out until the
 * operator fixes it, so each is an ERROR, a metric and an alarm.
 */
export const TELNYX_KEY_REFUSED_METRIC = 'TelnyxApiKeyRefused';
export const TELNYX_KEY_UNREADABLE_METRIC = 'TelnyxApiKeyUnreadable';

const KEY_PROBLEMS: Record<string, { metric: string; message: string }> = {
  api_key_refused: {
    metric: TELNYX_KEY_REFUSED_METRIC,
    message: "Telnyx refused the bridge's API key: store a valid key in the API key secret",
  },
  api_key_unreadable: {
    metric: TELNYX_KEY_UNREADABLE_METRIC,
    message: 'the bridge could not read its Telnyx API key: store it in the API key secret',
  },
};

/** The metrics for one dispatch of one queue message. */
export function reportDispatch(outcome: DispatchOutcome, { log, counters }: Observability): void {
  counters.count('Dispatches', 1, { name: 'Outcome', value: outcome.kind });
  switch (outcome.kind) {
    case 'sent':
      counters.count('FaxesDialled');
      return;
    case 'waiting':
      counters.count('DispatchWaits', 1, { name: 'reason', value: outcome.reason });
      return;
    case 'not_sent': {
      const problem = KEY_PROBLEMS[outcome.code];
      if (problem) {
        log.error(problem.message, { code: outcome.code });
        counters.count(problem.metric);
      }
      return;
    }
    case 'unknown':
      log.warn('fax request of unknown fate: the sweeper will look it up', { code: outcome.code });
      return;
    case 'dropped':
      return;
  }
}
