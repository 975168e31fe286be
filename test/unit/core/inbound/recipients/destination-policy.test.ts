import { getCountries, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../../../fixtures/documents';
import { refusedDestination } from '../../../../../functions/core/inbound/recipients/destination-policy';
import {
  parseRecipients,
  type RecipientOptions,
} from '../../../../../functions/core/inbound/recipients/recipients';
import {
  explainRecipientProblem,
  type RecipientProblem,
} from '../../../../../functions/core/inbound/refusals';
import { composeMail, faxAddress, runInbound } from '../../../../support/inbound-harness';

const US: RecipientOptions = {
  faxDomains: ['fax.example.com'],
  defaultCountry: 'US',
  allowedCountries: ['US'],
  maxRecipients: 10,
};
const US_GB: RecipientOptions = { ...US, allowedCountries: ['US', 'GB'] };
const with_ = (allowedCountries: string[], defaultCountry = 'US'): RecipientOptions => ({
  ...US,
  allowedCountries,
  defaultCountry,
});

/** What the sender would be told about `typed`, or the number it is faxed to. */
function fate(typed: string, options: RecipientOptions): string | RecipientProblem {
  const result = parseRecipients([faxAddress(typed)], options);
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${result.kind}`);
  const [number] = result.numbers;
  const [problem] = result.problems;
  if (number) return number.e164;
  if (problem) return problem;
  throw new Error('neither a number nor a problem');
}

describe('destinations that are refused, each with its reason', () => {
  it.each<[string, string, RecipientOptions, RecipientProblem, RegExp]>([
    // Satellite and other networks of no country: never in a country list.
    [
      'Iridium satellite (+881)',
      '+881631234567',
      US,
      { code: 'international_network', typed: '+881631234567', e164: '+881631234567' },
      /^"\+881631234567" \(\+881 6 312 34567\) is a satellite or international network number/,
    ],
    [
      'Inmarsat satellite (+870)',
      '+870773111632',
      US,
      { code: 'international_network', typed: '+870773111632', e164: '+870773111632' },
      /\(\+870 773 111 632\) is a satellite or international network number/,
    ],
    [
      'an international network (+882)',
      '+8823421234',
      US,
      { code: 'international_network', typed: '+8823421234', e164: '+8823421234' },
      /satellite or international network/,
    ],
    [
      'an international network (+883), written with 011',
      '011883140000000',
      US,
      { code: 'international_network', typed: '011883140000000', e164: '+883140000000' },
      /^"011883140000000" \(\+883 140 000 000\) is a satellite/,
    ],
    // Costly types, whatever the country list says.
    [
      'a UK 070 personal number',
      '+447012345678',
      US_GB,
      { code: 'personal_number', typed: '+447012345678', e164: '+447012345678' },
      /\(\+44 70 1234 5678\) is a personal forwarding number/,
    ],
    // libphonenumber classes UK 084 and 087 ("service charge") as premium rate, not shared cost.
    [
      'a UK 084 number',
      '+448431234567',
      US_GB,
      { code: 'premium_number', typed: '+448431234567' },
      /is a premium-rate number/,
    ],
    [
      'a UK 087 number',
      '011448712345678',
      US_GB,
      { code: 'premium_number', typed: '011448712345678' },
      /is a premium-rate number/,
    ],
    [
      'a German 0180 shared-cost number',
      '+4918051234567',
      with_(['US', 'DE']),
      { code: 'shared_cost_number', typed: '+4918051234567', e164: '+4918051234567' },
      /\(\+49 180 5 1234567\) is a shared-cost service number/,
    ],
    [
      'a Spanish 902 shared-cost number',
      '+34902123456',
      with_(['US', 'ES']),
      { code: 'shared_cost_number', typed: '+34902123456', e164: '+34902123456' },
      /is a shared-cost service number/,
    ],
    [
      'a UK 09 premium-rate number',
      '+449061234567',
      US_GB,
      { code: 'premium_number', typed: '+449061234567' },
      /^"\+449061234567" is a premium-rate number/,
    ],
    [
      'a US 900 premium-rate number',
      '9005550100',
      US,
      { code: 'premium_number', typed: '9005550100' },
      /^"9005550100" is a premium-rate number/,
    ],
    // Caribbean area codes dialled like a US number: outside the country list.
    [
      'Jamaica (876), as a US sender types it',
      '8765550100',
      US,
      { code: 'country_not_allowed', typed: '8765550100', e164: '+18765550100', country: 'JM' },
      /^"8765550100" \(\+1 876-555-0100\) is in Jamaica, which this fax service is not set up to dial\. Ask your fax administrator to add JM to ALLOWED_COUNTRIES/,
    ],
    [
      'Jamaica (876), with +1',
      '+1 876 555 0100',
      US,
      {
        code: 'country_not_allowed',
        typed: '+1 876 555 0100',
        e164: '+18765550100',
        country: 'JM',
      },
      /\(\+1 876-555-0100\) is in Jamaica/,
    ],
    [
      'the Dominican Republic (809), as a US sender types it',
      '8095550100',
      US,
      { code: 'country_not_allowed', typed: '8095550100', e164: '+18095550100', country: 'DO' },
      /\(\+1 809-555-0100\) is in the Dominican Republic, .* add DO to ALLOWED_COUNTRIES/,
    ],
    [
      'the Dominican Republic (809), with +1',
      '+18095550100',
      US,
      { code: 'country_not_allowed', typed: '+18095550100', e164: '+18095550100', country: 'DO' },
      /is in the Dominican Republic/,
    ],
    [
      'a UK number when only the US is allowed',
      '+442079460000',
      US,
      { code: 'country_not_allowed', typed: '+442079460000', e164: '+442079460000', country: 'GB' },
      /\(\+44 20 7946 0000\) is in the United Kingdom, .* add GB to ALLOWED_COUNTRIES/,
    ],
    [
      'Canada when only the US is allowed',
      '6472345678',
      US,
      { code: 'country_not_allowed', typed: '6472345678', e164: '+16472345678', country: 'CA' },
      /is in Canada/,
    ],
    // Freephone abroad: free only inside its own country.
    [
      'a UK 0800 freephone number from a US default',
      '+448001234567',
      US_GB,
      { code: 'foreign_toll_free', typed: '+448001234567', e164: '+448001234567', country: 'GB' },
      /\(\+44 800 123 4567\) is a freephone number in the United Kingdom\. Freephone numbers are free only from inside their own country/,
    ],
  ])('%s: %s is refused', (_, typed, options, problem, reason) => {
    expect(fate(typed, options)).toEqual(problem);
    const { problem: sentence, fix } = explainRecipientProblem(problem);
    expect(`${sentence} ${fix}`).toMatch(reason);
  });

  it('refuses satellite numbers even when every country is allowed', () => {
    const everywhere = with_(getCountries());
    expect(fate('+881631234567', everywhere)).toMatchObject({ code: 'international_network' });
    expect(fate('+870773111632', everywhere)).toMatchObject({ code: 'international_network' });
  });

  it('tells the sender what to do about each reason', () => {
    const advice = (problem: RecipientProblem) => explainRecipientProblem(problem).fix;
    expect(advice(fate('8765550100', US) as RecipientProblem)).toBe(
      'Ask your fax administrator to add JM to ALLOWED_COUNTRIES if you need to fax there.',
    );
    expect(advice(fate('+881631234567', US) as RecipientProblem)).toBe(
      'Ask the recipient for a fax number in their country.',
    );
    expect(advice(fate('+447012345678', US_GB) as RecipientProblem)).toMatch(/fax number itself/);
    expect(advice(fate('+448001234567', US_GB) as RecipientProblem)).toMatch(/area code/);
  });
});

describe('destinations that are dialled', () => {
  it.each<[string, string, RecipientOptions, string]>([
    ['a US 800 freephone number', '18005550100', US, '+18005550100'],
    ['a US geographic number', '3125550100', US, '+13125550100'],
    ['a UK geographic number with US,GB allowed', '011442079460000', US_GB, '+442079460000'],
    ['a UK 03 number (UAN, charged as geographic)', '+443001234567', US_GB, '+443001234567'],
    ['Jamaica once JM is allowed', '8765550100', with_(['US', 'JM']), '+18765550100'],
    ['a UK 0800 number from a GB default', '08001234567', with_(['GB'], 'GB'), '+448001234567'],
    ['1-800 from a Canadian default', '18005550100', with_(['CA'], 'CA'), '+18005550100'],
  ])('%s: %s is faxed', (_, typed, options, e164) => {
    expect(fate(typed, options)).toBe(e164);
  });
});

describe('refusedDestination on its own', () => {
  const phone = (e164: string) => {
    const parsed = parsePhoneNumberFromString(e164);
    if (!parsed) throw new Error(`unparsable ${e164}`);
    return parsed;
  };
  const policy = { allowedCountries: ['US'], defaultCountry: 'US' };

  it('names the country of a number outside the list, and nothing for one inside', () => {
    expect(refusedDestination(phone('+18765550100'), policy)).toEqual({
      code: 'country_not_allowed',
      country: 'JM',
    });
    expect(refusedDestination(phone('+13125550100'), policy)).toBeUndefined();
  });

  it('leaves numbers that do not exist to the reader, so they are told apart from costly ones', () => {
    expect(refusedDestination(phone('+15551234567'), policy)).toBeUndefined();
  });

  it('names a costly type before the country, since allowing the country would not help', () => {
    expect(refusedDestination(phone('+449061234567'), policy)).toEqual({ code: 'premium_number' });
    expect(refusedDestination(phone('+448001234567'), policy)).toEqual({
      code: 'foreign_toll_free',
      country: 'GB',
    });
  });
});

describe('an email to an allowed and a Jamaican number (through processInbound)', () => {
  it('faxes only the allowed number and the notice names the Jamaican one with its reason', async () => {
    const recipients = [faxAddress('3125550100'), faxAddress('8765550100')];
    const raw = await composeMail({
      to: recipients,
      attachments: [{ filename: 'referral.pdf', content: await makePdf(1) }],
    });
    const { outcome, deps } = await runInbound(raw, { recipients });

    expect(deps.fax.requests.map((request) => request.to)).toEqual(['+13125550100']);
    expect(outcome).toMatchObject({ kind: 'faxed', noticeSent: true });
    expect(deps.mailer.sent).toHaveLength(1);
    const text = deps.mailer.sent[0]?.text.replace(/\s+/g, ' ');
    expect(text).toContain('Your fax is being sent to 1 of 2 numbers');
    expect(text).toContain(
      '"8765550100" (+1 876-555-0100) is in Jamaica, which this fax service is not set up to dial. Ask your fax administrator to add JM to ALLOWED_COUNTRIES if you need to fax there.',
    );
  });
});
