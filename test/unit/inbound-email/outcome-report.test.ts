import { describe, expect, it } from 'vitest';
import type { Counters, Observability } from '../../../functions/adapters/observability';
import type { InboundOutcome } from '../../../functions/core/inbound/process-inbound';
import {
  BRIDGE_PAGES_METRIC,
  reportInbound,
  TELNYX_KEY_REFUSED_METRIC,
  TELNYX_KEY_UNREADABLE_METRIC,
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

describe('reportInbound: the Telnyx API key', () => {
  const notSent = (code: 'api_key_refused' | 'api_key_unreadable' | 'busy', e164: string) =>
    ({ kind: 'not_sent', e164, code, reason: 'HTTP 401' }) as const;

  function report(outcome: InboundOutcome) {
    const log = recordingLog();
    const counted: string[] = [];
    const counters: Counters = { count: (name) => counted.push(name), flush() {} };
    const edge = { ...log, appendKeys() {}, removeKeys() {}, addContext() {} };
    reportInbound(outcome, { log: edge, counters });
    return { entries: log.entries, counted };
  }

  it.each([
    ['api_key_refused', TELNYX_KEY_REFUSED_METRIC, /^Telnyx refused the bridge's API key/],
    ['api_key_unreadable', TELNYX_KEY_UNREADABLE_METRIC, /could not read its Telnyx API key/],
  ] as const)(
    'logs an ERROR and counts the email once when its faxes failed for the key (%s)',
    (code, metric, message) => {
      const { entries, counted } = report({
        kind: 'faxed',
        pages: 2,
        noticeSent: true,
        results: [notSent(code, '+13125550100'), notSent(code, '+13125550101')],
      });
      expect(entries.filter((e) => e.level === 'error')).toEqual([
        {
          level: 'error',
          message: expect.stringMatching(message),
          extra: { code, faxesNotSent: 2 },
        },
      ]);
      expect(counted.filter((name) => name === metric)).toEqual([metric]);
    },
  );

  it('counts nothing of the kind for a fax the service was too busy to take', () => {
    const { entries, counted } = report({
      kind: 'faxed',
      pages: 2,
      noticeSent: true,
      results: [notSent('busy', '+13125550100')],
    });
    expect(entries.filter((e) => e.level === 'error')).toEqual([]);
    expect(counted).not.toContain(TELNYX_KEY_REFUSED_METRIC);
    expect(counted).not.toContain(TELNYX_KEY_UNREADABLE_METRIC);
  });
});
