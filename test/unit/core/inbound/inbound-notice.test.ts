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

// The advice paragraph, not the facts row above it (whose value is padded into a column).
const lineOf = (result: RecipientResult) =>
  recipientsNotice(context, [result], [])
    ?.text.split('\n\n')
    .find((p) => /^\+1 312-555-1234: \S/.test(p));

const SEND_AGAIN = /send(ing)? the email again|few minutes/i;

describe('recipientsNotice: one sentence and one piece of advice per reason', () => {
  it.each([
    [
      'api_key_refused',
      "not sent, because the fax service refused this bridge's API key. Nothing reached this number. This is for your fax administrator to fix: please forward this email to them.",
    ],
    [
      'api_key_unreadable',
      'not sent, because this bridge could not read its API key for the fax service. Nothing reached this number. This is for your fax administrator to fix: please forward this email to them.',
    ],
    [
      'busy',
      'not sent, because the fax service was too busy to take it. Nothing reached this number. Please send the email again in a few minutes.',
    ],
    [
      'unreachable',
      'not sent, because the fax service could not be reached. Nothing reached this number. Please send the email again in a few minutes.',
    ],
    [
      'unrecorded',
      'not sent, because the fax service did not take it. Nothing reached this number. Please send the email again in a few minutes.',
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
      `+1 312-555-1234: we could not confirm that the fax service took this fax, because ${why}. It may still go through: wait for a result email, or check with the recipient before sending again, so that it is not faxed twice.`,
    );
  });

  it('shows what was seen only where the sender can act on it: a refused number', () => {
    expect(lineOf({ kind: 'refused_by_telnyx', e164: E164, detail: 'Invalid number' })).toBe(
      '+1 312-555-1234: not sent. The fax service refused it, saying "Invalid number". Check the number. Then send the email again.',
    );
    const line = lineOf({ kind: 'not_sent', e164: E164, code: 'busy', reason: 'UND_ERR_X' });
    expect(line).not.toContain('UND_ERR_X');
  });

  it('says the outcome in the subject and the headline, with one facts row per number', () => {
    const notice = recipientsNotice(
      context,
      [
        { kind: 'queued', e164: '+13125551235' },
        { kind: 'not_sent', e164: E164, code: 'busy', reason: 'seen' },
      ],
      [],
    );
    expect(notice?.subject).toBe('Fax not sent to every number: Referral');
    expect(notice?.inReplyTo).toBe('<original-1@example.com>');
    expect(notice?.text.split('\n\n').slice(0, 2)).toEqual([
      'Your fax is being sent to 1 of 2 numbers',
      '+1 312-555-1235:  being sent\n+1 312-555-1234:  not sent',
    ]);
  });

  it('for an email to several numbers, tells how to resend to the failed one alone', () => {
    const notice = recipientsNotice(
      { ...context, faxDomain: 'fax.example.com' },
      [
        { kind: 'queued', e164: '+13125551235' },
        { kind: 'not_sent', e164: E164, code: 'busy', reason: 'seen' },
      ],
      [],
    );
    const line = notice?.text.split('\n\n').find((p) => /^\+1 312-555-1234: \S/.test(p));
    expect(line).toBe(
      '+1 312-555-1234: not sent, because the fax service was too busy to take it. Nothing reached this number. Your other numbers are being faxed, so do not send the same email again: to fax this number alone, send the document in a new email addressed only to +13125551234@fax.example.com.',
    );
  });

  it("shows a number in the sender's national format at home, international abroad", () => {
    const home = recipientsNotice(
      { ...context, defaultCountry: 'US' },
      [
        { kind: 'not_sent', e164: E164, code: 'busy', reason: 'seen' },
        { kind: 'not_sent', e164: '+442071838750', code: 'busy', reason: 'seen' },
      ],
      [],
    );
    expect(home?.text).toContain('(312) 555-1234: not sent');
    expect(home?.text).toContain('+44 20 7183 8750: not sent');
  });

  it('never says "not sent" of a fax that may be on its way', () => {
    const notice = recipientsNotice(
      context,
      [{ kind: 'unknown', e164: E164, code: 'timeout', reason: 'seen' }],
      [],
    );
    expect(notice?.subject).toBe('Fax not confirmed: Referral');
    expect(notice?.text.split('\n\n')[0]).toBe('We could not confirm that your fax was sent');
  });

  it('sends nothing when every fax is on its way and nothing was left out', () => {
    expect(recipientsNotice(context, [{ kind: 'queued', e164: E164 }], [])).toBeUndefined();
  });
});
