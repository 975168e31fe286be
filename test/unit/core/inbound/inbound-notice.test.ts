import { describe, expect, it } from 'vitest';
import {
  type NoticeContext,
  type RecipientResult,
  recipientsNotice,
} from '../../../../functions/core/inbound/inbound-notice';

const context: NoticeContext = {
  noticeFrom: 'fax@fax.example.com',
  sender: 'alice@example.com',
  subject: 'Referral',
  emailMessageId: '<original-1@example.com>',
};
const E164 = '+13125551234';

const lineOf = (result: RecipientResult) =>
  recipientsNotice(context, [result], [])
    ?.text.split('\n\n')
    .find((p) => p.startsWith('+1 312-555-1234:'));

const SEND_AGAIN = /send(ing)? the email again|few minutes/i;

describe('recipientsNotice: one sentence and one piece of advice per reason', () => {
  it.each([
    [
      'api_key_refused',
      "not sent (the fax service refused this bridge's API key). Nothing was sent to this number. This is for your fax administrator to fix: please forward this email to them.",
    ],
    [
      'api_key_unreadable',
      'not sent (this bridge could not read its API key for the fax service). Nothing was sent to this number. This is for your fax administrator to fix: please forward this email to them.',
    ],
    [
      'busy',
      'not sent (the fax service was too busy to take it). Nothing was sent to this number. Please send the email again in a few minutes.',
    ],
    [
      'unreachable',
      'not sent (the fax service could not be reached). Nothing was sent to this number. Please send the email again in a few minutes.',
    ],
    [
      'unrecorded',
      'not sent (the fax service did not take it). Nothing was sent to this number. Please send the email again in a few minutes.',
    ],
  ] as const)('not sent, %s', (code, line) => {
    expect(lineOf({ kind: 'not_sent', e164: E164, code, reason: 'seen' })).toBe(
      `+1 312-555-1234: ${line}`,
    );
  });

  it.each([
    ['api_key_refused', false],
    ['api_key_unreadable', false],
    ['busy', true],
    ['unreachable', true],
  ] as const)('%s: tells the sender to send again: %s', (code, sendAgain) => {
    const line = lineOf({ kind: 'not_sent', e164: E164, code, reason: '401 Unauthorized' });
    expect(SEND_AGAIN.test(line ?? '')).toBe(sendAgain);
    expect(line?.includes('administrator')).toBe(!sendAgain);
  });

  it.each([
    ['timeout', 'the fax service did not answer in time'],
    ['connection_broken', 'the connection to the fax service broke'],
    ['server_error', 'the fax service reported an error of its own'],
    ['no_fax_id', 'the fax service answered without a fax id'],
    ['request_failed', 'the request to the fax service failed'],
    ['interrupted', 'an earlier attempt was interrupted before the fax service answered'],
    ['unrecorded', 'no answer from the fax service was recorded'],
  ] as const)('fate unknown, %s: says why, and warns against faxing twice', (code, why) => {
    expect(lineOf({ kind: 'unknown', e164: E164, code, reason: 'seen' })).toBe(
      `+1 312-555-1234: we could not confirm that the fax service took this fax (${why}). It may still go through: wait for a result email, or check with the recipient before sending again, so that it is not faxed twice.`,
    );
  });

  it('shows what was seen only where the sender can act on it: a refused number', () => {
    expect(lineOf({ kind: 'refused_by_telnyx', e164: E164, detail: 'Invalid number' })).toBe(
      '+1 312-555-1234: not sent. The fax service refused it: Invalid number. Check the number and send the email again.',
    );
    const line = lineOf({ kind: 'not_sent', e164: E164, code: 'busy', reason: 'UND_ERR_X' });
    expect(line).not.toContain('UND_ERR_X');
  });

  it('sends nothing when every fax is on its way and nothing was left out', () => {
    expect(recipientsNotice(context, [{ kind: 'queued', e164: E164 }], [])).toBeUndefined();
  });
});
