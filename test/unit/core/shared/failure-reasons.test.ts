import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainFailure, FAILURE_REASONS } from '../../../../functions/core/shared/failure-reasons';
import { sharedName, sharedPath } from '../../../support/paths';

const faxApi = sharedPath('telnyx', 'FAX_API.md');

/** The backticked codes in the table of FAX_API.md §5.3. */
function documentedCodes(markdown: string): string[] {
  const section = markdown.split('### 5.3')[1]?.split(/\n### /)[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.includes('---'));
  return rows.slice(1).flatMap((row) => {
    const values = row.split('|')[2] ?? '';
    return [...values.matchAll(/`([a-z_]+)`/g)].map((match) => match[1] as string);
  });
}

describe('failure reasons', () => {
  // runIf still runs this callback to collect the tests, so the read waits for the folder too.
  describe.runIf(existsSync(faxApi))(sharedName('against FAX_API.md §5.3'), () => {
    const codes = existsSync(faxApi) ? documentedCodes(readFileSync(faxApi, 'utf8')) : [];

    it('reads the documented list', () => {
      expect(codes).toContain('user_busy');
      expect(codes.length).toBeGreaterThan(35);
    });

    it('explains every documented code in its own words', () => {
      const unexplained = codes.filter((code) => !Object.hasOwn(FAILURE_REASONS, code));
      expect(unexplained).toEqual([]);
      for (const code of codes) {
        const { summary, sentence } = explainFailure(code);
        expect(summary).not.toBe(code);
        expect(sentence).toMatch(/^[A-Z].+\.$/);
      }
    });
  });

  it.each([
    ['user_busy', 'try_again_later', 'the line was busy'],
    ['carrier_lost', 'try_again_later', 'the connection was lost'],
    ['receiver_unallocated_number', 'check_number', 'the number is not in service'],
    ['receiver_incompatible_destination', 'check_number', 'the number is not a fax line'],
    ['receiver_no_answer', 'recipient_machine', 'nobody answered'],
    ['fax_signaling_error', 'recipient_machine', 'the fax machines could not agree how to send'],
    ['account_disabled', 'contact_administrator', "the fax service's account is disabled"],
    [
      'file_download_failed',
      'contact_administrator',
      'the fax provider could not fetch the document',
    ],
  ])('%s: %s, "%s"', (code, advice, summary) => {
    const explanation = explainFailure(code);
    expect(explanation).toMatchObject({ code, advice, summary });
  });

  it('tells the sender what to do for each group', () => {
    expect(explainFailure('user_busy').nextStep).toMatch(/in a while, send your email again\./);
    expect(explainFailure('destination_invalid').nextStep).toMatch(/Check the fax number/);
    expect(explainFailure('receiver_decline').nextStep).toMatch(/Ask the recipient/);
    expect(explainFailure('no_outbound_profile').nextStep).toMatch(/fax administrator/);
  });

  it('falls back to the code itself for a code it does not know', () => {
    const explanation = explainFailure('quantum_flux');
    expect(explanation).toMatchObject({
      code: 'quantum_flux',
      summary: 'quantum_flux',
      advice: 'contact_administrator',
    });
    expect(explanation.sentence).toContain('"quantum_flux"');
  });

  it('does not mistake object built-ins for codes, and keeps odd codes plain', () => {
    expect(explainFailure('constructor').summary).toBe('constructor');
    expect(explainFailure('bad\r\nBcc: x@y.z <b>').code).toBe('badBcc:xy.zb');
    expect(explainFailure('x'.repeat(500)).code).toHaveLength(80);
  });

  it('says so when Telnyx gives no reason', () => {
    expect(explainFailure(undefined)).toMatchObject({
      code: 'none',
      summary: 'no reason was given',
      advice: 'contact_administrator',
    });
  });
});
