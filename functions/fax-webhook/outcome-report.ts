import type { Observability } from '../adapters/observability';
import type { WebhookOutcome } from '../core/webhook/handle-fax-webhook';

const COUNTED: Partial<Record<WebhookOutcome['kind'], string>> = {
  rejected: 'WebhookRejected',
  result_sent: 'ResultEmailsSent',
  result_failed: 'ResultEmailsFailed',
};

/** The metrics for one webhook delivery. */
export function reportWebhook(outcome: WebhookOutcome, { counters }: Observability): void {
  counters.count('Webhooks', 1, { name: 'Outcome', value: outcome.kind });
  const name = COUNTED[outcome.kind];
  if (name) counters.count(name);
  counters.flush();
}
