import { describe, expect, it } from 'vitest';
import {
  type NoticeContext,
  recipientsNotice,
} from '../../../../functions/core/inbound/inbound-notice';

const context: NoticeContext = {
  noticeFrom: 'fax@fax.example.com',
  sender: 'alice@example.com',
  subject: 'Referral',
  emailMessageId: '<original-1@example.com>',
};
const E164 = '+13125551234';
const badNumber = { kind: 'problem', problem: { code: 'invalid_number', typed: '555' } } as const;

describe('recipientsNotice: what the sender hears when the faxes are queued', () => {
  it('says the outcome in the subject and the headline, with one facts row per number', () => {
    const notice = recipientsNotice(context, [{ kind: 'queued', e164: E164 }, badNumber], []);
    expect(notice?.subject).toBe('Fax not sent to every number: Referral');
    expect(notice?.inReplyTo).toBe('<original-1@example.com>');
    expect(notice?.text.split('\n\n').slice(0, 2)).toEqual([
      'Your fax is being sent to 1 of 2 numbers',
      '+1 312-555-1234:  being sent\n"555":            not sent',
    ]);
  });

  it('promises a separate result email for each number being sent', () => {
    const notice = recipientsNotice(context, [{ kind: 'queued', e164: E164 }, badNumber], []);
    expect(notice?.text).toContain(
      'For each number being sent you will get a separate email when it is delivered or if it fails.',
    );
  });

  it("shows a number in the sender's national format at home, international abroad", () => {
    const notice = recipientsNotice(
      { ...context, defaultCountry: 'US' },
      [{ kind: 'queued', e164: E164 }, { kind: 'queued', e164: '+442071838750' }, badNumber],
      [],
    );
    expect(notice?.text).toContain('(312) 555-1234:');
    expect(notice?.text).toContain('+44 20 7183 8750:');
  });

  it('says nothing was sent when no number could be', () => {
    const notice = recipientsNotice(context, [badNumber], []);
    expect(notice?.text.split('\n\n')[0]).toBe('Your fax was not sent to any number');
  });

  it('sends nothing when every fax is on its way and nothing was left out', () => {
    expect(recipientsNotice(context, [{ kind: 'queued', e164: E164 }], [])).toBeUndefined();
  });
});
