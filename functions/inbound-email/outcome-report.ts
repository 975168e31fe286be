import type { Observability } from '../adapters/observability';
import type { InboundOutcome } from '../core/inbound/process-inbound';

/**
 * The bridge's pages counted today once this email was counted (or, refused at the bridge's cap,
 * before it): one value per email, so the volume alarm takes the period's maximum.
 */
export const BRIDGE_PAGES_METRIC = 'BridgePagesToday';

/**
 * Emails whose faxes Telnyx refused because it refuses the bridge's API key, and emails whose
 * faxes could not be sent because the bridge could not read its key (the secret empty or gone):
 * no fax goes out until the operator fixes it, so each is an ERROR, a metric and an alarm.
 */
export const TELNYX_KEY_REFUSED_METRIC = 'TelnyxApiKeyRefused';
export const TELNYX_KEY_UNREADABLE_METRIC = 'TelnyxApiKeyUnreadable';

const KEY_PROBLEMS = {
  api_key_refused: {
    metric: TELNYX_KEY_REFUSED_METRIC,
    message: "Telnyx refused the bridge's API key: store a valid key in the API key secret",
  },
  api_key_unreadable: {
    metric: TELNYX_KEY_UNREADABLE_METRIC,
    message: 'the bridge could not read its Telnyx API key: store it in the API key secret',
  },
} as const;

/** One log line and the metrics for how an email ended. */
export function reportInbound(outcome: InboundOutcome, { log, counters }: Observability): void {
  const refusal = (code: string) => counters.count('Refusals', 1, { name: 'reason', value: code });
  if (outcome.kind !== 'dropped' && outcome.bridgePagesToday !== undefined) {
    counters.count(BRIDGE_PAGES_METRIC, outcome.bridgePagesToday);
  }
  switch (outcome.kind) {
    case 'dropped':
      log.warn('email dropped without reply', { reason: outcome.reason, field: outcome.field });
      counters.count('EmailsDropped');
      counters.count('Drops', 1, { name: 'reason', value: outcome.reason });
      return;
    case 'refused':
      log.info('email refused', { code: outcome.refusal.code, noticeSent: outcome.noticeSent });
      refusal(outcome.refusal.code);
      return;
    case 'faxed': {
      const queued = outcome.results.filter((r) => r.kind === 'queued');
      log.info('email handled', {
        pages: outcome.pages,
        results: outcome.results.map((r) => r.kind),
        faxIds: queued.map((r) => r.faxId),
        noticeSent: outcome.noticeSent,
      });
      counters.count('FaxesRequested', queued.length);
      counters.count('Pages', outcome.pages * queued.length);
      for (const r of outcome.results) if (r.kind === 'problem') refusal(r.problem.code);
      for (const [code, problem] of Object.entries(KEY_PROBLEMS)) {
        const hit = outcome.results.filter((r) => r.kind === 'not_sent' && r.code === code);
        if (hit.length === 0) continue;
        log.error(problem.message, { code, faxesNotSent: hit.length });
        counters.count(problem.metric);
      }
    }
  }
}
