import { describe, expect, it } from 'vitest';
import {
  type AutomaticMail,
  automaticMail,
  type Envelope,
} from '../../../../../functions/core/inbound/mail/automatic-mail';
import type { HeaderField } from '../../../../../functions/core/inbound/mail/header-block';

const NOTICE_FROM = 'fax@fax.example.com';
const person: Envelope = {
  source: 'alice@example.com',
  recipients: ['+13125551234@fax.example.com'],
};

const check = (fields: [string, string][], envelope: Partial<Envelope> = {}) =>
  automaticMail(
    fields.map(([name, value]): HeaderField => ({ name, value })),
    { ...person, ...envelope },
    NOTICE_FROM,
  );

describe('automaticMail (RFC 3834)', () => {
  it.each<[string, [string, string][], Partial<Envelope>, AutomaticMail | undefined]>([
    ['a person', [['subject', 'Referral']], {}, undefined],
    ['Auto-Submitted: no', [['auto-submitted', 'No']], {}, undefined],
    ['Auto-Submitted: no (a comment)', [['auto-submitted', 'no (written by hand)']], {}, undefined],
    ['an out-of-office reply', [['auto-submitted', 'auto-replied']], {}, 'auto_submitted'],
    [
      'a reply with parameters',
      [['auto-submitted', 'Auto-Replied; owner-email="a@example.com"']],
      {},
      'auto_submitted',
    ],
    ['a generated report', [['auto-submitted', 'auto-generated']], {}, 'auto_submitted'],
    ['an unknown keyword', [['auto-submitted', 'auto-notified']], {}, 'auto_submitted'],
    ['Precedence: bulk', [['precedence', 'bulk']], {}, 'bulk_mail'],
    ['Precedence: JUNK', [['precedence', 'JUNK']], {}, 'bulk_mail'],
    ['Precedence: list', [['precedence', 'list']], {}, 'bulk_mail'],
    ['Precedence: urgent', [['precedence', 'urgent']], {}, undefined],
    ['a List-Id', [['list-id', 'Clinic staff <staff.clinic.example>']], {}, 'mailing_list'],
    ['a null return path', [], { source: '' }, 'bounce'],
    ['a null return path in brackets', [], { source: '<>' }, 'bounce'],
    ['MAILER-DAEMON', [], { source: 'MAILER-DAEMON@mx.example.com' }, 'bounce'],
    ['a bare MAILER-DAEMON', [], { source: 'mailer-daemon' }, 'bounce'],
    ['a daemon that is someone else', [], { source: 'mailer-daemon-fan@example.com' }, undefined],
    [
      'a reply to a notice',
      [],
      { recipients: ['Fax@Fax.Example.com', '+13125551234@fax.example.com'] },
      'to_notice_address',
    ],
    [
      'the notice address in brackets',
      [],
      { recipients: [`<${NOTICE_FROM}>`] },
      'to_notice_address',
    ],
  ])('%s → %s', (_name, fields, envelope, expected) => {
    expect(check(fields, envelope)).toBe(expected);
  });
});
