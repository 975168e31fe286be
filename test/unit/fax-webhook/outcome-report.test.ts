import { describe, expect, it } from 'vitest';
import type { Observability } from '../../../functions/adapters/observability';
import type { WebhookOutcome } from '../../../functions/core/webhook/handle-fax-webhook';
import { reportWebhook } from '../../../functions/fax-webhook/outcome-report';

function counted(outcome: WebhookOutcome) {
  const counts: string[] = [];
  const observability = {
    log: {} as Observability['log'],
    counters: {
      count: (name: string, value = 1, dimension?: { name: string; value: string }) =>
        counts.push(`${name}${dimension ? `[${dimension.name}=${dimension.value}]` : ''}=${value}`),
      flush() {},
    },
  } satisfies Observability;
  reportWebhook(outcome, observability);
  return counts;
}

describe('reportWebhook', () => {
  it.each(['forged_client_state', 'other_fax', 'other_number'] as const)(
    'counts a signed event about another fax (%s) by its reason',
    (reason) => {
      expect(counted({ kind: 'ignored', reason })).toEqual([
        'Webhooks[Outcome=ignored]=1',
        `WebhookMismatched[Reason=${reason}]=1`,
      ]);
    },
  );

  it('does not count events of other types or about received faxes as mismatches', () => {
    expect(counted({ kind: 'ignored', reason: 'event_type' })).toEqual([
      'Webhooks[Outcome=ignored]=1',
    ]);
    expect(counted({ kind: 'ignored', reason: 'inbound_fax' })).toEqual([
      'Webhooks[Outcome=ignored]=1',
    ]);
  });

  it.each([
    ['delivered', 'FaxesDelivered'],
    ['failed', 'FaxesFailed'],
  ] as const)('counts a fax %s once, when its result email goes out', (status, metric) => {
    expect(counted({ kind: 'result_sent', status })).toEqual([
      'Webhooks[Outcome=result_sent]=1',
      'ResultEmailsSent=1',
      `${metric}=1`,
    ]);
    expect(counted({ kind: 'result_already_sent' })).not.toContain(`${metric}=1`);
  });

  it('counts a failed fax by its Telnyx reason too, for the failures-by-reason graph', () => {
    expect(
      counted({ kind: 'result_sent', status: 'failed', failureReason: 'user_busy' }),
    ).toContain('FaxFailures[reason=user_busy]=1');
  });
});
