import { describe, expect, it } from 'vitest';
import type { Counters } from '../../../functions/adapters/observability';
import type { DispatchOutcome } from '../../../functions/core/dispatch/dispatch-fax';
import {
  reportDispatch,
  TELNYX_KEY_REFUSED_METRIC,
  TELNYX_KEY_UNREADABLE_METRIC,
} from '../../../functions/fax-dispatch/outcome-report';
import { recordingLog } from '../../support/memory-ports';

function report(outcome: DispatchOutcome) {
  const log = recordingLog();
  const counted: string[] = [];
  const counters: Counters = { count: (name) => counted.push(name), flush() {} };
  const edge = { ...log, appendKeys() {}, removeKeys() {}, addContext() {} };
  reportDispatch(outcome, { log: edge, counters });
  return { entries: log.entries, counted };
}

describe('reportDispatch: the Telnyx API key', () => {
  it.each([
    ['api_key_refused', TELNYX_KEY_REFUSED_METRIC, /^Telnyx refused the bridge's API key/],
    ['api_key_unreadable', TELNYX_KEY_UNREADABLE_METRIC, /could not read its Telnyx API key/],
  ] as const)(
    'logs an ERROR and counts the fax when it failed for the key (%s)',
    (code, metric, message) => {
      const { entries, counted } = report({ kind: 'not_sent', code });
      expect(entries.filter((e) => e.level === 'error')).toEqual([
        { level: 'error', message: expect.stringMatching(message), extra: { code } },
      ]);
      expect(counted.filter((name) => name === metric)).toEqual([metric]);
    },
  );

  it('counts nothing of the kind for a fax Telnyx refused for its number', () => {
    const { entries, counted } = report({ kind: 'not_sent', code: 'invalid_request' });
    expect(entries.filter((e) => e.level === 'error')).toEqual([]);
    expect(counted).not.toContain(TELNYX_KEY_REFUSED_METRIC);
    expect(counted).not.toContain(TELNYX_KEY_UNREADABLE_METRIC);
  });

  it('counts each wait by its reason and each fax sent', () => {
    expect(report({ kind: 'sent', faxId: 'f' }).counted).toContain('FaxesDialled');
    const waited = report({ kind: 'waiting', reason: 'no_channel', delaySeconds: 40 });
    expect(waited.counted).toContain('DispatchWaits');
  });
});
