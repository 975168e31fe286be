import { describe, expect, it } from 'vitest';
import type { Counters, Observability } from '../../../functions/adapters/observability';
import type { InboundOutcome } from '../../../functions/core/inbound/process-inbound';
import {
  BRIDGE_PAGES_METRIC,
  reportInbound,
} from '../../../functions/inbound-email/outcome-report';
import { recordingLog } from '../../support/memory-ports';

function recording() {
  const counted: { name: string; value: number }[] = [];
  const counters: Counters = {
    count: (name, value = 1) => counted.push({ name, value }),
    flush() {},
  };
  const log = { ...recordingLog(), appendKeys() {}, removeKeys() {}, addContext() {} };
  return { counted, observability: { log, counters } as Observability };
}

const capRefusal = {
  code: 'daily_cap_reached',
  cap: 'bridge_pages',
  limit: 3000,
  used: 2990,
  requested: 15,
  resetsAt: '2026-11-28T06:00:00.000Z',
  timeZone: 'America/Chicago',
} as const;

describe('reportInbound: the bridge’s pages today', () => {
  it.each<[string, InboundOutcome, number]>([
    [
      'a faxed email',
      { kind: 'faxed', pages: 3, results: [], noticeSent: false, bridgePagesToday: 2412 },
      2412,
    ],
    [
      'an email refused at the bridge’s cap',
      { kind: 'refused', refusal: capRefusal, noticeSent: true, bridgePagesToday: 2990 },
      2990,
    ],
  ])('publishes the count after %s', (_name, outcome, pages) => {
    const { counted, observability } = recording();
    reportInbound(outcome, observability);
    expect(counted.filter((c) => c.name === BRIDGE_PAGES_METRIC)).toEqual([
      { name: BRIDGE_PAGES_METRIC, value: pages },
    ]);
  });

  it('publishes nothing where the caps were not consulted', () => {
    const { counted, observability } = recording();
    reportInbound({ kind: 'dropped', reason: 'no_fax_recipient' }, observability);
    reportInbound({ kind: 'faxed', pages: 3, results: [], noticeSent: false }, observability);
    expect(counted.map((c) => c.name)).not.toContain(BRIDGE_PAGES_METRIC);
  });
});
