import { describe, expect, it } from 'vitest';
import { faxJob } from '../../../../functions/core/inbound/fax-plan';
import type { EmailFacts } from '../../../../functions/core/inbound/plan';

const email: EmailFacts = {
  identity: 'mid-abc',
  sesMessageId: 'ses-2',
  context: {
    noticeFrom: 'fax@fax.example.com',
    sender: 'alice@example.com',
    subject: 'Referral',
    emailMessageId: '<original-1@example.com>',
  },
};
const number = { e164: '+13125551234', typed: '(312) 555-1234' };

describe('faxJob', () => {
  it('names the job and its document after the email, not the delivery', () => {
    const now = new Date('2026-11-27T10:00:05Z');
    expect(faxJob(email, number, 3, now, 7)).toEqual({
      messageId: 'mid-abc',
      recipient: '+13125551234',
      typed: '(312) 555-1234',
      recipientDisplay: { international: '+1 312-555-1234', national: '(312) 555-1234' },
      sender: 'alice@example.com',
      subject: 'Referral',
      emailMessageId: '<original-1@example.com>',
      mediaKey: 'mid-abc',
      documentPages: 3,
      createdAt: '2026-11-27T10:00:05.000Z',
      expiresAt: now.getTime() / 1000 + 7 * 86_400,
    });
  });
});
