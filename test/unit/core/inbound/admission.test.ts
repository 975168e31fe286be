import type Mail from 'nodemailer/lib/mailer';
import { describe, expect, it } from 'vitest';
import {
  type Admission,
  admitEmail,
  admitUnreadHeaders,
  recipientsExpiry,
  replayRefusal,
} from '../../../../functions/core/inbound/admission';
import { emailIdentity } from '../../../../functions/core/inbound/email-identity';
import type { DkimSignature } from '../../../../functions/core/inbound/mail/dkim';
import { headerFields } from '../../../../functions/core/inbound/mail/header-block';
import type { InboundSettings } from '../../../../functions/core/inbound/process-inbound';
import {
  composeMail,
  faxAddress,
  inboundSettings,
  NOTICE_FROM,
  type ReceivedOptions,
  receivedMail,
  SENDER,
} from '../../../support/inbound-harness';

const MESSAGE_ID = '<original-1@example.com>';
const NOW = new Date('2026-11-27T10:00:05Z');
const RELAYED: ReceivedOptions = { source: 'bounce@relay.example.net' };

const fieldsOf = (raw: Buffer) => headerFields(raw.subarray(0, raw.indexOf('\r\n\r\n') + 4));

/** A signature that vouches for example.com and covers `signed` of the message's fields. */
const signature = (
  raw: Buffer,
  signed: string[],
  more: Partial<DkimSignature> = {},
): DkimSignature => ({
  domain: 'example.com',
  result: 'pass',
  partialBody: false,
  signedFields: fieldsOf(raw).filter((field) => signed.includes(field.name)),
  signedAt: new Date('2026-11-27T10:00:00Z'),
  id: 'b'.repeat(64),
  ...more,
});

const ALL_SIGNED = ['from', 'to', 'cc', 'subject', 'date', 'message-id'];

interface Case {
  mail?: Mail.Options;
  /** Prepended to the composed message, as a replayer would. */
  prepend?: string;
  /** Fields taken out of the composed message. */
  without?: string[];
  received?: ReceivedOptions;
  /** Signed fields of one vouching signature, or signatures; absent: not verified. */
  dkim?: string[] | ((raw: Buffer) => DkimSignature[]);
  settings?: Partial<InboundSettings>;
}

async function admit(c: Case = {}): Promise<Admission> {
  const composed = (await composeMail(c.mail ?? {})).toString('latin1');
  const kept = (c.without ?? []).reduce(
    (text, name) => text.replace(new RegExp(`^${name}:.*\r\n`, 'im'), ''),
    composed,
  );
  const raw = Buffer.from(`${c.prepend ?? ''}${kept}`, 'latin1');
  const dkim = typeof c.dkim === 'function' ? c.dkim(raw) : c.dkim && [signature(raw, c.dkim)];
  return admitEmail(
    { received: receivedMail('ses-1', c.received), fields: fieldsOf(raw), dkim, now: NOW },
    inboundSettings(c.settings),
  );
}

const numbers = (...typed: string[]) => ({ recipients: typed.map(faxAddress) });

describe('admitEmail: the sender and the envelope', () => {
  it.each<[string, Case, object]>([
    [
      'a virus',
      { received: { verdicts: { spf: 'PASS', virus: 'FAIL' } } },
      { kind: 'dropped', reason: 'virus' },
    ],
    ['no From', { prepend: '', mail: { from: '' } }, { kind: 'dropped', reason: 'no_from' }],
    [
      'no fax-domain recipient',
      { received: { recipients: ['bob@example.org'] } },
      { kind: 'dropped', reason: 'no_fax_recipient' },
    ],
    [
      'a sender not on the list',
      { mail: { from: 'mallory@example.net' }, received: { source: 'mallory@example.net' } },
      { kind: 'refused', refusal: { code: 'sender_not_allowed', sender: 'mallory@example.net' } },
    ],
    [
      'eleven numbers',
      { received: numbers(...Array.from({ length: 11 }, (_, i) => `+1312555${1200 + i}`)) },
      { kind: 'refused', refusal: { code: 'too_many_recipients', count: 11, limit: 10 } },
    ],
    [
      'only an emergency number',
      { received: numbers('911') },
      {
        kind: 'nothing_to_fax',
        problems: [{ kind: 'problem', problem: { code: 'special_number', typed: '911' } }],
      },
    ],
    [
      'a number and an emergency number',
      { received: numbers('+13125551234', '911') },
      { kind: 'admitted', numbers: [{ e164: '+13125551234' }], problems: [{ kind: 'problem' }] },
    ],
    [
      "a Bcc from the sender's own servers",
      { mail: { to: 'bob@example.org' }, received: numbers('+13125559999') },
      { kind: 'admitted', numbers: [{ e164: '+13125559999' }] },
    ],
    [
      'relayed mail, not verified yet',
      { received: RELAYED },
      { kind: 'needs_dkim', fromDomain: 'example.com' },
    ],
  ])('%s', async (_name, c, expected) => {
    expect(await admit(c)).toMatchObject(expected);
  });

  it('names the email by sender and Message-ID, and addresses the notice to the sender', async () => {
    expect(await admit()).toMatchObject({
      email: {
        identity: emailIdentity('ses-1', SENDER, MESSAGE_ID),
        sesMessageId: 'ses-1',
        context: {
          noticeFrom: NOTICE_FROM,
          sender: SENDER,
          subject: 'Referral',
          emailMessageId: MESSAGE_ID,
        },
      },
    });
  });

  it('decodes the subject for the notice', async () => {
    const admission = await admit({ mail: { subject: 'Überweisung für Frau Müller' } });
    expect(admission).toMatchObject({
      email: { context: { subject: 'Überweisung für Frau Müller' } },
    });
  });
});

describe('admitEmail: one message, one shape', () => {
  it.each([
    ['Message-ID', 'Message-ID: <other@evil.example>\r\n', 'message-id'],
    ['Subject', 'Subject: Call +1 900 555 0100 now\r\n', 'subject'],
    ['From', `From: ${SENDER}\r\n`, 'from'],
    ['To', `To: ${faxAddress('+13125559999')}\r\n`, 'to'],
    ['Date', 'Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n', 'date'],
    ['Content-Type', 'Content-Type: multipart/mixed; boundary=x\r\n', 'content-type'],
  ])(
    'a %s prepended above the original: dropped, naming the field',
    async (_name, prepend, field) => {
      expect(await admit({ prepend })).toEqual({
        kind: 'dropped',
        reason: 'repeated_field',
        field,
      });
    },
  );

  it('eleven DKIM signatures: dropped before any is checked', async () => {
    const prepend = 'DKIM-Signature: v=1; d=example.com; s=s; b=x\r\n'.repeat(11);
    expect(await admit({ prepend })).toEqual({ kind: 'dropped', reason: 'too_many_signatures' });
  });
});

describe('admitEmail: mail a machine sent (no notice, no fax)', () => {
  it.each<[string, Case, string]>([
    [
      'an out-of-office reply',
      { mail: { headers: { 'Auto-Submitted': 'auto-replied' } } },
      'auto_submitted',
    ],
    ['bulk mail', { mail: { headers: { Precedence: 'bulk' } } }, 'bulk_mail'],
    ['a mailing list', { mail: { headers: { 'List-Id': '<staff.example.com>' } } }, 'mailing_list'],
    ['a bounce (null return path)', { received: { source: '' } }, 'bounce'],
    [
      'a bounce from MAILER-DAEMON',
      { received: { source: 'MAILER-DAEMON@mx.example.com' } },
      'bounce',
    ],
    [
      'a reply to a notice',
      { received: { recipients: [NOTICE_FROM, faxAddress('+13125551234')] } },
      'to_notice_address',
    ],
  ])('%s', async (_name, c, reason) => {
    expect(await admit(c)).toEqual({ kind: 'dropped', reason });
  });

  it('is dropped even from a sender who is not allowed, who otherwise hears', async () => {
    const c = {
      mail: { from: 'mallory@example.net', headers: { 'Auto-Submitted': 'auto-replied' } },
      received: { source: 'mallory@example.net' },
    };
    expect(await admit(c)).toEqual({ kind: 'dropped', reason: 'auto_submitted' });
  });
});

describe('admitEmail: relayed mail is believed only as far as its signature goes', () => {
  it.each<[string, Case, object]>([
    [
      'the numbers in the signed To',
      { received: { ...RELAYED, ...numbers('+13125551234') }, dkim: ALL_SIGNED },
      { kind: 'admitted', numbers: [{ e164: '+13125551234' }] },
    ],
    [
      'the number in the signed Cc',
      {
        mail: { to: 'bob@example.org', cc: faxAddress('+13125551234') },
        received: { ...RELAYED, ...numbers('+13125551234') },
        dkim: ALL_SIGNED,
      },
      { kind: 'admitted' },
    ],
    [
      'a replay to another number (the envelope names it, the signed To does not)',
      { received: { ...RELAYED, ...numbers('+13125559999') }, dkim: ALL_SIGNED },
      { kind: 'refused', refusal: { code: 'recipients_not_signed' } },
    ],
    [
      'a Bcc through a relay',
      {
        mail: { to: 'bob@example.org' },
        received: { ...RELAYED, ...numbers('+13125551234') },
        dkim: ALL_SIGNED,
      },
      { kind: 'refused', refusal: { code: 'recipients_not_signed' } },
    ],
    [
      'a To the signature does not cover',
      {
        received: { ...RELAYED, ...numbers('+13125551234') },
        dkim: ['from', 'subject', 'date', 'message-id'],
      },
      { kind: 'refused', refusal: { code: 'recipients_not_signed' } },
    ],
    [
      'no signature that vouches',
      { received: RELAYED, dkim: (raw) => [signature(raw, ALL_SIGNED, { result: 'fail' })] },
      { kind: 'dropped', reason: 'not_authenticated' },
    ],
    [
      "the From domain's key not found for now",
      { received: RELAYED, dkim: (raw) => [signature(raw, ALL_SIGNED, { result: 'temperror' })] },
      { kind: 'retry' },
    ],
  ])('%s', async (_name, c, expected) => {
    expect(await admit(c)).toMatchObject(expected);
  });

  it('shows no subject the signature does not cover', async () => {
    const admission = await admit({
      received: RELAYED,
      dkim: ['from', 'to', 'date', 'message-id'],
    });
    expect(admission).toMatchObject({
      kind: 'admitted',
      email: { context: { subject: '', emailMessageId: MESSAGE_ID } },
    });
  });

  it('refuses relayed mail whose Message-ID the signature does not cover, naming it after the signature', async () => {
    // A copy sent on with another unsigned Message-ID would otherwise be a new email, faxed again.
    const admission = await admit({ received: RELAYED, dkim: ['from', 'to', 'date'] });
    expect(admission).toMatchObject({
      kind: 'refused',
      refusal: { code: 'message_id_unsigned' },
      email: {
        identity: emailIdentity('ses-1', SENDER, `<${'b'.repeat(64)}@dkim.invalid>`),
        context: { emailMessageId: undefined },
      },
    });
  });

  it('names relayed mail by its signed Message-ID, as any other', async () => {
    const admission = await admit({ received: RELAYED, dkim: ALL_SIGNED });
    expect(admission).toMatchObject({
      email: {
        identity: emailIdentity('ses-1', SENDER, MESSAGE_ID),
        context: { subject: 'Referral' },
      },
    });
  });
});

describe('admitEmail: the date (MAX_EMAIL_AGE_HOURS 72, 2 hours ahead at most)', () => {
  const dated = (date: string): Mail.Options => ({ date: new Date(date) });
  const TOO_OLD = { kind: 'refused', refusal: { code: 'email_too_old', limitHours: 72 } };
  it.each<[string, Case, object]>([
    ['written 71 hours ago', { mail: dated('2026-11-24T11:00:00Z') }, { kind: 'admitted' }],
    ['written 73 hours ago', { mail: dated('2026-11-24T09:00:00Z') }, TOO_OLD],
    [
      'dated three hours ahead',
      { mail: dated('2026-11-27T13:00:06Z') },
      { kind: 'refused', refusal: { code: 'email_from_future', limitHours: 2 } },
    ],
    [
      'a longer MAX_EMAIL_AGE_HOURS',
      { mail: dated('2026-11-24T09:00:00Z'), settings: { maxEmailAgeHours: 96 } },
      { kind: 'admitted' },
    ],
    ["no Date, from the sender's own servers", { without: ['Date'] }, { kind: 'admitted' }],
    [
      'relayed, the signed Date 73 hours old',
      { mail: dated('2026-11-24T09:00:00Z'), received: RELAYED, dkim: ALL_SIGNED },
      TOO_OLD,
    ],
    [
      'relayed, an unsigned Date rewritten to now, signed 73 hours ago (t=)',
      {
        received: RELAYED,
        dkim: (raw) => [
          signature(raw, ['from', 'to', 'message-id'], {
            signedAt: new Date('2026-11-24T09:00:00Z'),
          }),
        ],
      },
      TOO_OLD,
    ],
    [
      'relayed, an unsigned Date, signed just now (t=)',
      { received: RELAYED, dkim: ['from', 'to', 'message-id'] },
      { kind: 'admitted' },
    ],
    [
      'relayed, neither the Date nor the time of signing signed',
      {
        received: RELAYED,
        dkim: (raw) => [signature(raw, ['from', 'to', 'message-id'], { signedAt: undefined })],
      },
      { kind: 'refused', refusal: { code: 'email_date_unsigned' } },
    ],
    [
      'relayed, no Date at all, signed just now (t=)',
      { without: ['Date'], received: RELAYED, dkim: ALL_SIGNED },
      { kind: 'admitted' },
    ],
    [
      'relayed, no Date and no time of signing',
      {
        without: ['Date'],
        received: RELAYED,
        dkim: (raw) => [signature(raw, ALL_SIGNED, { signedAt: undefined })],
      },
      { kind: 'refused', refusal: { code: 'email_date_unsigned' } },
    ],
  ])('%s', async (_name, c, expected) => {
    expect(await admit(c)).toMatchObject(expected);
  });
});

describe('admitUnreadHeaders: judged by what SES read', () => {
  const unread = (received: ReceivedOptions = {}) =>
    admitUnreadHeaders(
      receivedMail('ses-1', {
        commonHeaders: {
          from: [`"Alice Doctor" <${SENDER}>`],
          subject: 'Referral',
          messageId: MESSAGE_ID,
        },
        ...received,
      }),
      inboundSettings(),
    );

  it.each<[string, ReceivedOptions, object]>([
    [
      "the sender's own servers",
      {},
      {
        kind: 'refused',
        refusal: { code: 'email_too_complex' },
        email: {
          identity: emailIdentity('ses-1', SENDER, MESSAGE_ID),
          context: { subject: 'Referral', emailMessageId: MESSAGE_ID },
        },
      },
    ],
    [
      'a sender not on the list',
      { source: 'mallory@example.net', commonHeaders: { from: ['mallory@example.net'] } },
      { kind: 'refused', refusal: { code: 'sender_not_allowed' } },
    ],
    [
      'relayed: no signature can be checked',
      RELAYED,
      { kind: 'dropped', reason: 'not_authenticated' },
    ],
    ['no From at all', { commonHeaders: {} }, { kind: 'dropped', reason: 'no_from' }],
    ['a bounce', { source: '' }, { kind: 'dropped', reason: 'bounce' }],
    [
      'no fax-domain recipient',
      { recipients: ['bob@example.org'] },
      { kind: 'dropped', reason: 'no_fax_recipient' },
    ],
  ])('%s', (_name, received, expected) => {
    expect(unread(received)).toMatchObject(expected);
  });
});

describe('the numbers an email was first faxed to', () => {
  const number = (e164: string) => ({ e164, typed: e164 });

  it.each<[string, string[], string[], object | undefined]>([
    ['the same numbers again', ['+13125551234'], ['+13125551234'], undefined],
    ['fewer of them', ['+13125551234'], ['+13125551234', '+13125551299'], undefined],
    ['another number', ['+13125559999'], ['+13125551234'], { code: 'recipients_changed' }],
    [
      'one more',
      ['+13125551234', '+13125559999'],
      ['+13125551234'],
      { code: 'recipients_changed' },
    ],
  ])('%s', (_name, now, first, expected) => {
    expect(replayRefusal(now.map(number), first)).toEqual(expected);
  });

  it('are kept longer than an email may be old, its Date up to 2 hours ahead', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    const expiry = recipientsExpiry(now, { maxEmailAgeHours: 72 });
    expect(expiry - now.getTime() / 1000).toBeGreaterThan((72 + 2) * 3600);
  });
});
