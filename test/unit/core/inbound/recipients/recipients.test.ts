import { describe, expect, it } from 'vitest';
import {
  parseRecipients,
  type RecipientOptions,
} from '../../../../../functions/core/inbound/recipients/recipients';

const options: RecipientOptions = {
  faxDomains: ['fax.example.com'],
  defaultCountry: 'US',
  // Wide enough for the reading tests; destination-policy.test.ts covers the country list.
  allowedCountries: ['US', 'GB', 'DE', 'FR', 'AU', 'JP', 'RU'],
  maxRecipients: 10,
};

const at = (local: string) => `${local}@fax.example.com`;

function readOne(local: string, settings: Partial<RecipientOptions> = {}) {
  const result = parseRecipients([at(local)], { ...options, ...settings });
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${result.kind}`);
  const [number] = result.numbers;
  const [problem] = result.problems;
  if (number) return number.e164;
  if (problem) return problem.code;
  throw new Error('neither a number nor a problem');
}

describe('parseRecipients: one local part → E.164 or a problem (DEFAULT_COUNTRY=US)', () => {
  it.each([
    // the eight forms people write
    ['+13125551234', '+13125551234'],
    ['13125551234', '+13125551234'],
    ['3125551234', '+13125551234'],
    ['1-312-555-1234', '+13125551234'],
    ['312.555.1234', '+13125551234'],
    ['011442071234567', '+442071234567'],
    ['+442071234567', '+442071234567'],
    ['00442071234567', '+442071234567'],
    // punctuation a local part can carry
    ['(312)555-1234', '+13125551234'],
    ['1(312)555-1234', '+13125551234'],
    ['+1.312.555.1234', '+13125551234'],
    ['+44(0)20-7123-4567', '+442071234567'],
    // international
    ['+4930123456', '+4930123456'],
    ['0049301234567', '+49301234567'],
    ['+33142685300', '+33142685300'],
    ['011-33-1-42-68-53-00', '+33142685300'],
    ['+61298765432', '+61298765432'],
    ['+81312345678', '+81312345678'],
    ['+74951234567', '+74951234567'],
    ['18005551234', '+18005551234'],
    // emergency, N11 and short codes
    ['911', 'special_number'],
    ['112', 'special_number'],
    ['999', 'special_number'],
    ['000', 'special_number'],
    ['211', 'special_number'],
    ['311', 'special_number'],
    ['+1911', 'special_number'],
    ['+44999', 'special_number'],
    ['12345', 'special_number'],
    ['123456', 'special_number'],
    // premium rate and shared cost
    ['+19005551234', 'premium_number'],
    ['19005551234', 'premium_number'],
    ['+19765551234', 'premium_number'],
    ['+449061234567', 'premium_number'],
    ['011449061234567', 'premium_number'],
    ['+4918051234567', 'shared_cost_number'],
    // not a number at all
    ['sip:+13125551234', 'invalid_number'],
    ['tel:+13125551234', 'invalid_number'],
    ['*673125551234', 'invalid_number'],
    ['#31#3125551234', 'invalid_number'],
    ['1-800-FLOWERS', 'invalid_number'],
    ['3125551234x12', 'invalid_number'],
    ['3125551234;ext=12', 'invalid_number'],
    ['fax', 'invalid_number'],
    ['', 'invalid_number'],
    ['+', 'invalid_number'],
    ['---', 'invalid_number'],
    ['12', 'invalid_number'],
    // too short, too long, unassigned
    ['5551234', 'invalid_number'],
    ['312555123', 'invalid_number'],
    ['31255512345', 'invalid_number'],
    ['+1312555123456789', 'invalid_number'],
    ['+15551234567', 'invalid_number'],
    ['+3312', 'invalid_number'],
    ['+13125551234+1', 'invalid_number'],
  ])('%s → %s', (local, expected) => {
    expect(readOne(local)).toBe(expected);
  });

  it.each([
    ['GB', '02071234567', '+442071234567'],
    ['GB', '09061234567', 'premium_number'],
    ['GB', '999', 'special_number'],
    ['GB', '+13125551234', '+13125551234'],
    ['GB', '0013125551234', '+13125551234'],
    ['DE', '030-123456', '+4930123456'],
    ['AU', '0011442071234567', '+442071234567'],
    ['AU', '00442071234567', '+442071234567'],
    ['AU', '000', 'special_number'],
  ])('with DEFAULT_COUNTRY=%s, %s → %s', (defaultCountry, local, expected) => {
    expect(readOne(local, { defaultCountry })).toBe(expected);
  });

  it('reads only full international numbers when the default country is unknown', () => {
    expect(readOne('+13125551234', { defaultCountry: 'XX' })).toBe('+13125551234');
    expect(readOne('3125551234', { defaultCountry: 'XX' })).toBe('invalid_number');
  });
});

describe('parseRecipients: the envelope as a whole', () => {
  it('ignores mailboxes outside the fax domains and matches fax domains whatever their case', () => {
    const result = parseRecipients(
      [
        'bob@other.com',
        '+13125551234@FAX.Example.COM',
        'office@example.com',
        '+442071234567@fax.example.com.',
        '3125551234@sub.fax.example.com',
        'no-at-sign',
      ],
      options,
    );
    expect(result).toEqual({
      kind: 'ok',
      numbers: [
        { e164: '+13125551234', typed: '+13125551234' },
        { e164: '+442071234567', typed: '+442071234567' },
      ],
      problems: [],
    });
  });

  it('accepts any of several fax domains, splits on the last @ and strips <> and quotes', () => {
    const result = parseRecipients(
      [
        '<3125551234@fax.example.com>',
        '"+1 312 555 9876"@fax2.example.net',
        '"x@y"@fax.example.com',
      ],
      { ...options, faxDomains: ['fax.example.com', 'fax2.example.net'] },
    );
    expect(result).toEqual({
      kind: 'ok',
      numbers: [
        { e164: '+13125551234', typed: '3125551234' },
        { e164: '+13125559876', typed: '+1 312 555 9876' },
      ],
      problems: [{ code: 'invalid_number', typed: 'x@y' }],
    });
  });

  it('counts equivalent spellings once, keeps the first spelling and the order', () => {
    const result = parseRecipients(
      [
        at('011442071234567'),
        at('1-312-555-1234'),
        at('+442071234567'),
        at('3125551234'),
        at('00442071234567'),
        '+13125551234@FAX.EXAMPLE.COM',
        at('+4930123456'),
      ],
      { ...options, maxRecipients: 3 },
    );
    expect(result).toEqual({
      kind: 'ok',
      numbers: [
        { e164: '+442071234567', typed: '011442071234567' },
        { e164: '+13125551234', typed: '1-312-555-1234' },
        { e164: '+4930123456', typed: '+4930123456' },
      ],
      problems: [],
    });
  });

  it('reports each refused recipient with the text the sender typed, beside the good numbers', () => {
    const result = parseRecipients(
      [at('911'), at('3125551234'), at('+1-900-555-1234'), at('sip:bob'), at('call-me')],
      options,
    );
    expect(result).toEqual({
      kind: 'ok',
      numbers: [{ e164: '+13125551234', typed: '3125551234' }],
      problems: [
        { code: 'special_number', typed: '911' },
        { code: 'premium_number', typed: '+1-900-555-1234' },
        { code: 'invalid_number', typed: 'sip:bob' },
        { code: 'invalid_number', typed: 'call-me' },
      ],
    });
  });

  it('reports a premium number once however it is written', () => {
    const result = parseRecipients([at('+19005551234'), at('1-900-555-1234')], options);
    expect(result).toEqual({
      kind: 'ok',
      numbers: [],
      problems: [{ code: 'premium_number', typed: '+19005551234' }],
    });
  });

  it('returns nothing to fax when no recipient is in a fax domain', () => {
    expect(parseRecipients(['bob@other.com'], options)).toEqual({
      kind: 'ok',
      numbers: [],
      problems: [],
    });
  });

  it('refuses the whole email when distinct fax recipients, valid or not, exceed the limit', () => {
    const addresses = [
      at('3125551201'),
      at('3125551202'),
      at('+13125551202'),
      at('911'),
      'bob@other.com',
      'carol@other.com',
    ];
    expect(parseRecipients(addresses, { ...options, maxRecipients: 3 })).toMatchObject({
      kind: 'ok',
    });
    expect(parseRecipients(addresses, { ...options, maxRecipients: 2 })).toEqual({
      kind: 'too_many',
      count: 3,
      limit: 2,
    });
  });

  it('counts invalid recipients against the limit', () => {
    const addresses = [at('3125551201'), at('abc'), at('def')];
    expect(parseRecipients(addresses, { ...options, maxRecipients: 2 })).toEqual({
      kind: 'too_many',
      count: 3,
      limit: 2,
    });
  });
});
