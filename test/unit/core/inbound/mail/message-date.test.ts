import { describe, expect, it } from 'vitest';
import { dateRefusal, parseDate } from '../../../../../functions/core/inbound/mail/message-date';

const NOW = new Date('2026-11-27T10:00:00Z');
const hours = (h: number) => new Date(NOW.getTime() + h * 3_600_000);

describe('dateRefusal (MAX_EMAIL_AGE_HOURS 72, 2 hours of clock drift)', () => {
  it.each([
    ['just written', hours(0), undefined],
    ['72 hours ago', hours(-72), undefined],
    [
      'a minute more than 72 hours ago',
      hours(-72 - 1 / 60),
      { code: 'email_too_old', limitHours: 72 },
    ],
    ['a year ago', hours(-24 * 365), { code: 'email_too_old', limitHours: 72 }],
    ['2 hours ahead', hours(2), undefined],
    [
      'a minute more than 2 hours ahead',
      hours(2 + 1 / 60),
      { code: 'email_from_future', limitHours: 2 },
    ],
    ['no date the sender vouches for', 'unknown' as const, { code: 'email_date_unsigned' }],
  ])('%s', (_name, written, expected) => {
    expect(dateRefusal(written, NOW, 72)).toEqual(expected);
  });
});

describe('parseDate', () => {
  it.each([
    ['Fri, 27 Nov 2026 10:00:00 +0000', '2026-11-27T10:00:00.000Z'],
    ['Fri, 27 Nov 2026 11:00:00 +0100 (CET)', '2026-11-27T10:00:00.000Z'],
    ['27 Nov 2026 04:00:00 -0600', '2026-11-27T10:00:00.000Z'],
  ])('%s', (value, iso) => {
    expect(parseDate(value)?.toISOString()).toBe(iso);
  });

  it.each([['soon'], [''], [undefined]])('%j is no date', (value) => {
    expect(parseDate(value)).toBeUndefined();
  });
});
