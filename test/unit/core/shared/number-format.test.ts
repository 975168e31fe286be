import { describe, expect, it } from 'vitest';
import { formatForPeople, formatNational } from '../../../../functions/core/shared/number-format';

describe('formatForPeople', () => {
  it.each([
    ['+13125551234', '+1 312-555-1234'],
    ['+442071234567', '+44 20 7123 4567'],
    ['+33142685300', '+33 1 42 68 53 00'],
  ])('%s → %s', (e164, expected) => {
    expect(formatForPeople(e164)).toBe(expected);
  });

  it('leaves text it cannot read as it is', () => {
    expect(formatForPeople('not-a-number')).toBe('not-a-number');
  });
});

describe('formatNational', () => {
  it('writes the national form', () => {
    expect(formatNational('+13125551234')).toBe('(312) 555-1234');
    expect(formatNational('+442071234567')).toBe('020 7123 4567');
  });
});
