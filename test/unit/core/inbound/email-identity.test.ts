import { describe, expect, it } from 'vitest';
import { emailIdentity, noticeId } from '../../../../functions/core/inbound/email-identity';

const ALICE = 'alice@example.com';
type Delivery = [sesMessageId: string, sender: string, messageIdHeader: string | undefined];

const PAIRS: [string, Delivery, Delivery, boolean][] = [
  [
    'the same email delivered under two SES ids',
    ['ses-1', ALICE, '<a@x>'],
    ['ses-2', ALICE, '<a@x>'],
    true,
  ],
  ['two Message-IDs from one sender', ['ses-1', ALICE, '<a@x>'], ['ses-1', ALICE, '<b@x>'], false],
  [
    'one Message-ID from two senders',
    ['ses-1', ALICE, '<a@x>'],
    ['ses-1', 'bob@example.com', '<a@x>'],
    false,
  ],
  ['no Message-ID, two SES ids', ['ses-1', ALICE, undefined], ['ses-2', ALICE, undefined], false],
  ['an unusable Message-ID, two SES ids', ['ses-1', ALICE, 'a@x'], ['ses-2', ALICE, 'a@x'], false],
];

describe('emailIdentity', () => {
  it.each(PAIRS)('%s: one email is %s', (_, a, b, same) => {
    expect(emailIdentity(...a) === emailIdentity(...b)).toBe(same);
  });

  it.each([
    [undefined, 'ses-1'],
    ['', 'ses-1'],
    ['no-brackets@x', 'ses-1'],
    ['<two words@x>', 'ses-1'],
  ])('falls back to the SES id for the Message-ID %j', (header, expected) => {
    expect(emailIdentity('ses-1', ALICE, header)).toBe(expected);
  });

  it('is a short name safe in an S3 key and a ledger key, and says nothing of the sender', () => {
    const identity = emailIdentity('ses-1', ALICE, '<original-1@example.com>');
    expect(identity).toMatch(/^mid-[A-Za-z0-9_-]{32}$/);
    expect(identity).not.toContain('alice');
    expect(noticeId(identity)).toBe(`mail#${identity}`);
  });
});
