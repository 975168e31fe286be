import { describe, expect, it } from 'vitest';
import { unsignedRecipients } from '../../../../../functions/core/inbound/mail/signed-recipients';
import { parseRecipients } from '../../../../../functions/core/inbound/recipients/recipients';
import { faxAddress, inboundSettings } from '../../../../support/inbound-harness';

const settings = inboundSettings();

const envelope = (...typed: string[]) => {
  const parsed = parseRecipients(typed.map(faxAddress), settings);
  if (parsed.kind !== 'ok') throw new Error('too many');
  return parsed;
};

describe('unsignedRecipients: envelope numbers the signed To and Cc do not name', () => {
  it.each<[string, string[], string[], string[]]>([
    ['the signed To', ['+13125551234'], [faxAddress('+13125551234')], []],
    ['written another way in the To', ['+13125551234'], ['"(312) 555-1234"@fax.example.com'], []],
    [
      'the signed Cc beside a person',
      ['3125551234'],
      [`Bob <bob@example.org>, Fax <${faxAddress('+13125551234')}>`],
      [],
    ],
    [
      'one of two in the To, the other a Bcc',
      ['+13125551234', '+13125559999'],
      [faxAddress('+13125551234')],
      ['+13125559999'],
    ],
    [
      'a replay to a number of the replayer’s choosing',
      ['+13125559999'],
      [faxAddress('+13125551234')],
      ['+13125559999'],
    ],
    ['no signed To or Cc at all', ['+13125551234'], [], ['+13125551234']],
    [
      'the number on another domain',
      ['+13125551234'],
      ['+13125551234@fax.evil.example'],
      ['+13125551234'],
    ],
    ['an unreadable number the To names too', ['911'], [faxAddress('911')], []],
    [
      'an unreadable number only the envelope names',
      ['911'],
      [faxAddress('+13125551234')],
      ['911'],
    ],
  ])('%s', (_name, inEnvelope, signed, expected) => {
    expect(unsignedRecipients(envelope(...inEnvelope), signed, settings)).toEqual(expected);
  });

  it('reads every signed address, however many the To names', () => {
    const many = Array.from({ length: 50 }, (_, i) => faxAddress(`+1312555${1000 + i}`)).join(', ');
    expect(unsignedRecipients(envelope('+13125551049'), [many], settings)).toEqual([]);
  });
});
