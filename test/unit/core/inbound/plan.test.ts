import { describe, expect, it } from 'vitest';
import { emailIdentity } from '../../../../functions/core/inbound/email-identity';
import type { ParsedEmail } from '../../../../functions/core/inbound/mail/parse-email';
import { noticeClaim, planEmail, planUnparseable } from '../../../../functions/core/inbound/plan';
import {
  faxAddress,
  inboundSettings,
  NOTICE_FROM,
  type ReceivedOptions,
  receivedMail,
  SENDER,
} from '../../../support/inbound-harness';

const MESSAGE_ID = '<original-1@example.com>';
const IDENTITY = emailIdentity('ses-1', SENDER, MESSAGE_ID);

const parsed = (overrides: Partial<ParsedEmail> = {}): ParsedEmail => ({
  from: [{ address: SENDER, name: 'Alice Doctor' }],
  subject: 'Referral',
  messageId: MESSAGE_ID,
  text: '',
  parts: [],
  encrypted: false,
  ...overrides,
});

const plan = (email: Partial<ParsedEmail> = {}, received: ReceivedOptions = {}) =>
  planEmail(receivedMail('ses-1', received), parsed(email), inboundSettings());

const numbers = (...typed: string[]) => ({ recipients: typed.map(faxAddress) });

describe('planEmail', () => {
  it.each([
    [
      'a virus',
      {},
      { verdicts: { spf: 'PASS', dkim: 'PASS', virus: 'FAIL' } },
      { kind: 'dropped', reason: 'virus' },
    ],
    ['no From', { from: [] }, {}, { kind: 'dropped', reason: 'no_from' }],
    [
      'no fax-domain recipient',
      {},
      { recipients: ['bob@example.org'] },
      { kind: 'dropped', reason: 'no recipient on a fax domain' },
    ],
    [
      'a sender not on the list',
      { from: [{ address: 'mallory@example.net' }] },
      { source: 'mallory@example.net' },
      { kind: 'refused', refusal: { code: 'sender_not_allowed', sender: 'mallory@example.net' } },
    ],
    [
      'eleven numbers',
      {},
      numbers(...Array.from({ length: 11 }, (_, i) => `+1312555${1200 + i}`)),
      { kind: 'refused', refusal: { code: 'too_many_recipients', count: 11, limit: 10 } },
    ],
    [
      'only an emergency number',
      {},
      numbers('911'),
      {
        kind: 'nothing_to_fax',
        problems: [{ kind: 'problem', problem: { code: 'special_number', typed: '911' } }],
      },
    ],
    [
      'a number and an emergency number',
      {},
      numbers('+13125551234', '911'),
      { kind: 'fax', numbers: [{ e164: '+13125551234' }], problems: [{ kind: 'problem' }] },
    ],
  ] satisfies [string, Partial<ParsedEmail>, ReceivedOptions, object][])(
    '%s → %o',
    (_, email, received, expected) => {
      expect(plan(email, received)).toMatchObject(expected);
    },
  );

  it('names the email by sender and Message-ID, and addresses the notice to the sender', () => {
    expect(plan()).toMatchObject({
      email: {
        identity: IDENTITY,
        sesMessageId: 'ses-1',
        context: {
          noticeFrom: NOTICE_FROM,
          sender: SENDER,
          subject: 'Referral',
          emailMessageId: MESSAGE_ID,
        },
      },
    });
    expect(plan({ messageId: undefined })).toMatchObject({ email: { identity: 'ses-1' } });
  });

  const TEXT = 'Please see the attached.';
  it.each([
    ['Referral', '', 'high', false],
    ['Referral', TEXT, 'high', { subject: 'Referral', text: TEXT }],
    ['Referral [fine]', TEXT, 'very_high', { subject: 'Referral', text: TEXT }],
    ['[photo] [no cover] Scan', TEXT, 'ultra_light', false],
  ] as const)('subject %j, body %j: quality %s, cover %o', (subject, text, quality, cover) => {
    expect(plan({ subject, text })).toMatchObject({
      kind: 'fax',
      quality,
      document: {
        pageSize: 'letter',
        maxPages: 100,
        cover: cover && { ...cover, sender: SENDER, timeZone: 'UTC' },
      },
    });
  });
});

describe('planUnparseable: judged by what SES read', () => {
  const tooManyParts = Object.assign(new Error('Maximum number of child nodes exceeded'), {
    code: 'EMAXLEN',
  });
  const headers = (from: string) => ({ commonHeaders: { from: [from], messageId: MESSAGE_ID } });

  it.each([
    [
      'too many parts',
      tooManyParts,
      headers(SENDER),
      {
        kind: 'refused',
        refusal: { code: 'too_many_attachments', limit: 1000 },
        email: { identity: IDENTITY },
      },
    ],
    [
      'huge headers',
      new Error('Header too long'),
      headers(SENDER),
      {
        kind: 'refused',
        refusal: { code: 'email_too_complex' },
        parseError: 'unparseable message: Header too long',
      },
    ],
    [
      'a sender not on the list',
      tooManyParts,
      { ...headers('mallory@example.net'), source: 'mallory@example.net' },
      { kind: 'refused', refusal: { code: 'sender_not_allowed' } },
    ],
    [
      'no From at all',
      tooManyParts,
      { commonHeaders: {} },
      {
        kind: 'dropped',
        reason: 'unparseable message: Maximum number of child nodes exceeded (no_from)',
      },
    ],
    [
      'no fax-domain recipient',
      tooManyParts,
      { ...headers(SENDER), recipients: ['bob@example.org'] },
      {
        kind: 'dropped',
        reason:
          'unparseable message: Maximum number of child nodes exceeded (no recipient on a fax domain)',
      },
    ],
  ] as const)('%s → %o', (_, error, received, expected) => {
    const mail = receivedMail('ses-1', received as ReceivedOptions);
    expect(planUnparseable(mail, error, inboundSettings())).toMatchObject(expected);
  });
});

describe('noticeClaim', () => {
  it('holds a notice for less than the minute Lambda waits to retry, and keeps it 30 days', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    expect(noticeClaim(now)).toEqual({
      leaseSeconds: 45,
      expiresAt: now.getTime() / 1000 + 30 * 86_400,
    });
  });
});
