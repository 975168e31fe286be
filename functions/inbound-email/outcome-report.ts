import type { Observability } from '../adapters/observability';
import type { InboundOutcome } from '../core/inbound/process-inbound';

/** One log line and the metrics for how an email ended. */
export function reportInbound(outcome: InboundOutcome, { log, counters }: Observability): void {
  const refusal = (code: string) => counters.count('Refusals', 1, { name: 'reason', value: code });
  switch (outcome.kind) {
    case 'dropped':
      log.warn('email dropped without reply', { reason: outcome.reason });
      counters.count('EmailsDropped');
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
