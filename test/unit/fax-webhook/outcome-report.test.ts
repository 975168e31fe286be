import { describe, expect, it } from 'vitest';
import type { Observability } from '../../../functions/adapters/observability';
import type { DownloadOutcome } from '../../../functions/core/webhook/download';
import type { WebhookOutcome } from '../../../functions/core/webhook/handle-fax-webhook';
import { reportDownload, reportWebhook } from '../../../functions/fax-webhook/outcome-report';

/** The metrics `report` counts for `outcome`, one string each. */
function countedBy<T>(report: (outcome: T, observability: Observability) => void, outcome: T) {
  const counts: string[] = [];
  const observability = {
    log: {} as Observability['log'],
    counters: {
      count: (name: string, value = 1, dimension?: { name: string; value: string }) =>
        counts.push(`${name}${dimension ? `[${dimension.name}=${dimension.value}]` : ''}=${value}`),
      flush() {},
    },
  } satisfies Observability;
  report(outcome, observability);
  return counts;
}

const counted = (outcome: WebhookOutcome) => countedBy(reportWebhook, outcome);

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

  it('does not count events of other types as mismatches', () => {
    expect(counted({ kind: 'ignored', reason: 'event_type' })).toEqual([
      'Webhooks[Outcome=ignored]=1',
    ]);
  });

  it.each(['received', 'failed'] as const)(
    'counts a %s inbound fax handed to the receiver',
    (kind) => {
      expect(counted({ kind: 'fax_in_queued', message: kind })).toEqual([
        'Webhooks[Outcome=fax_in_queued]=1',
        `FaxInQueued[Kind=${kind}]=1`,
      ]);
    },
  );

  it('counts an inbound fax the queue did not take, for the alarm', () => {
    expect(counted({ kind: 'fax_in_failed' })).toEqual([
      'Webhooks[Outcome=fax_in_failed]=1',
      'FaxInNotQueued=1',
    ]);
    expect(counted({ kind: 'fax_in_started' })).toEqual(['Webhooks[Outcome=fax_in_started]=1']);
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

describe('reportDownload', () => {
  it.each<[DownloadOutcome, string]>([
    [{ kind: 'served', bytes: 1200 }, 'served'],
    [{ kind: 'refused', reason: 'bad_mac' }, 'refused'],
    [{ kind: 'refused', reason: 'expired' }, 'refused'],
    [{ kind: 'gone' }, 'gone'],
    [{ kind: 'too_large', bytes: 9e6 }, 'too_large'],
  ])('counts a download link answered by its outcome (%o)', (outcome, kind) => {
    expect(countedBy(reportDownload, outcome)).toEqual([`FaxDownloads[Outcome=${kind}]=1`]);
  });
});
