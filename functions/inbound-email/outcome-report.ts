import type { Observability } from '../adapters/observability';
import type { InboundOutcome } from '../core/inbound/process-inbound';

/**
 * The bridge's pages counted today once this email was counted (or, refused at the bridge's cap,
 * before it): one value per email, so the volume alarm takes the period's maximum.
 */
export const BRIDGE_PAGES_METRIC = 'BridgePagesToday';

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
    }
  }
}
