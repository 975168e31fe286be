import { describe, expect, it } from 'vitest';
import type { Admitted } from '../../../../functions/core/inbound/admission';
import type { ParsedEmail } from '../../../../functions/core/inbound/mail/parse-email';
import { noticeClaim, planFax, unparseableRefusal } from '../../../../functions/core/inbound/plan';
import { inboundSettings, NOTICE_FROM, SENDER } from '../../../support/inbound-harness';

const parsed = (overrides: Partial<ParsedEmail> = {}): ParsedEmail => ({
  from: [{ address: SENDER, name: 'Alice Doctor' }],
  subject: 'what the parser read',
  messageId: '<original-1@example.com>',
  text: '',
  parts: [],
  encrypted: false,
  ...overrides,
});

const admitted = (subject: string): Admitted => ({
  kind: 'admitted',
  email: {
    identity: 'mid-1',
    sesMessageId: 'ses-1',
    context: { noticeFrom: NOTICE_FROM, sender: SENDER, subject },
  },
  numbers: [{ e164: '+13125551234', typed: '+13125551234' }],
  problems: [],
});

describe('planFax', () => {
  const TEXT = 'Please see the attached.';
  it.each([
    ['Referral', '', 'high', false],
    ['Referral', TEXT, 'high', { subject: 'Referral', text: TEXT }],
    ['Referral [fine]', TEXT, 'very_high', { subject: 'Referral', text: TEXT }],
    ['[photo] [no cover] Scan', TEXT, 'ultra_light', false],
    // Relayed mail whose Subject its signature does not cover shows none.
    ['', TEXT, 'high', { subject: '', text: TEXT }],
  ] as const)('subject %j, body %j: quality %s, cover %o', (subject, text, quality, cover) => {
    expect(planFax(admitted(subject), parsed({ text }), inboundSettings())).toMatchObject({
      kind: 'fax',
      numbers: [{ e164: '+13125551234' }],
      quality,
      document: {
        pageSize: 'letter',
        maxPages: 100,
        cover: cover && {
          ...cover,
          sender: `Alice Doctor <${SENDER}>`,
          recipients: [{ number: '+1 312-555-1234' }],
          timeZone: 'UTC',
        },
      },
    });
  });
});

describe('planFax: the cover sheet', () => {
  it('names each number with the display name it was addressed to, and the settings of the bridge', () => {
    const plan = planFax(
      admitted('Referral'),
      parsed({
        text: 'Hi',
        to: [{ address: '+13125551234@fax.example.com', name: 'Dr. Smith' }],
      }),
      {
        ...inboundSettings(),
        cover: { organisation: 'Example Clinic', phone: '+1 312-555-0000', notice: 'Private.' },
      },
    );
    expect(plan.document.cover).toMatchObject({
      recipients: [{ name: 'Dr. Smith', number: '+1 312-555-1234' }],
      organisation: 'Example Clinic',
      phone: '+1 312-555-0000',
      notice: 'Private.',
    });
  });
});

describe('unparseableRefusal', () => {
  it.each([
    [
      'too many parts',
      Object.assign(new Error('Maximum number of child nodes exceeded'), { code: 'EMAXLEN' }),
      { code: 'too_many_attachments', limit: 1000 },
    ],
    ['huge headers', new Error('Header too long'), { code: 'email_too_complex' }],
    ['anything else', 'odd', { code: 'email_too_complex' }],
  ])('%s', (_name, error, refusal) => {
    expect(unparseableRefusal(error)).toEqual(refusal);
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
