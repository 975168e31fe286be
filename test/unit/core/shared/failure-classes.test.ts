import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLASSIFIED_REASONS,
  failureClass,
  t38After,
} from '../../../../functions/core/shared/failure-classes';
import { FAILURE_REASONS } from '../../../../functions/core/shared/failure-reasons';
import { sharedName, sharedPath } from '../../../support/paths';

const retries = sharedPath('telnyx', 'RETRIES.md');

/** The reasons in the table of RETRIES.md §2.4, with the class the table gives each. */
function tableOf(markdown: string): [string, string][] {
  const section = markdown.split('### 2.4')[1]?.split(/\n### /)[0] ?? '';
  const rows = section.split('\n').filter((line) => /^\| `/.test(line));
  return rows.flatMap((row) => {
    const [reasons = '', verdict = ''] = row.split('|').slice(1, 3);
    return [...reasons.matchAll(/`([a-z_]+)`/g)].map((m) => [m[1] as string, verdict.trim()]);
  });
}

describe('failure classes', () => {
  describe.runIf(existsSync(retries))(sharedName('against RETRIES.md §2.4'), () => {
    const table = existsSync(retries) ? tableOf(readFileSync(retries, 'utf8')) : [];

    it('classifies every reason the table lists', () => {
      expect(table.length).toBeGreaterThan(30);
      expect(
        table.map(([reason]) => reason).filter((r) => !CLASSIFIED_REASONS.includes(r)),
      ).toEqual([]);
    });

    it('never retries what the table calls permanent, and requeues capacity uncounted', () => {
      for (const [reason, verdict] of table) {
        if (/^Permanent/.test(verdict)) {
          expect(['permanent', 'configuration', 'document'], reason).toContain(
            failureClass(reason),
          );
        }
        if (/^Capacity/.test(verdict)) expect(failureClass(reason), reason).toBe('capacity');
        if (/^Transient protocol/.test(verdict))
          expect(failureClass(reason), reason).toBe('protocol');
      }
    });
  });

  it('classifies every reason the result email can explain', () => {
    const known = Object.keys(FAILURE_REASONS).filter(
      (code) => !['success', 'received', 'rejected'].includes(code),
    );
    expect(known.filter((code) => !CLASSIFIED_REASONS.includes(code))).toEqual([]);
  });

  it.each([
    ['user_busy', 'transient'],
    ['receiver_no_answer', 'transient'],
    ['receiver_decline', 'once'],
    ['file_download_failed', 'once'],
    ['receiver_invalid_number_format', 'permanent'],
    ['account_disabled', 'configuration'],
    ['page_count_limit_exceeded', 'document'],
    ['user_channel_limit_exceeded', 'capacity'],
    ['sender_canceled', 'cancelled'],
    ['a_reason_telnyx_adds_next_year', 'transient'],
    [undefined, 'transient'],
  ])('%s is %s', (reason, expected) => {
    expect(failureClass(reason)).toBe(expected);
  });

  it('turns T.38 off only after a protocol failure', () => {
    expect(t38After('fax_signaling_error')).toBe(false);
    expect(t38After('user_busy')).toBeUndefined();
  });
});
