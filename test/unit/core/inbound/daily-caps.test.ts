import { describe, expect, it } from 'vitest';
import {
  capRefusal,
  dayResetsAt,
  localDay,
  quotaRequest,
} from '../../../../functions/core/inbound/daily-caps';
import { explainRefusal } from '../../../../functions/core/inbound/refusals';
import type { QuotaReservation } from '../../../../functions/core/shared/ports';

const LIMITS = { senderFaxes: 100, senderPages: 1000, bridgePages: 3000 };

describe('localDay', () => {
  it.each([
    ['2026-11-27T05:59:59.999Z', 'America/Chicago', '2026-11-26'],
    ['2026-11-27T06:00:00.000Z', 'America/Chicago', '2026-11-27'],
    ['2026-11-27T23:59:59.999Z', 'UTC', '2026-11-27'],
    ['2026-11-27T18:29:59.999Z', 'Asia/Kolkata', '2026-11-27'],
    ['2026-11-27T18:30:00.000Z', 'Asia/Kolkata', '2026-11-28'],
    ['2026-11-27T10:00:00.000Z', 'Pacific/Kiritimati', '2026-11-28'],
    ['2026-11-27T10:00:00.000Z', 'Pacific/Pago_Pago', '2026-11-26'],
    ['2026-03-08T08:30:00.000Z', 'America/Chicago', '2026-03-08'],
  ])('%s in %s is %s', (moment, zone, day) => {
    expect(localDay(new Date(moment), zone)).toBe(day);
  });
});

describe('dayResetsAt', () => {
  it.each([
    ['an ordinary day', '2026-11-27T10:00:05Z', 'America/Chicago', '2026-11-28T06:00:00.000Z'],
    [
      'the last millisecond of a day',
      '2026-11-28T05:59:59.999Z',
      'America/Chicago',
      '2026-11-28T06:00:00.000Z',
    ],
    [
      'the first millisecond of a day',
      '2026-11-28T06:00:00.000Z',
      'America/Chicago',
      '2026-11-29T06:00:00.000Z',
    ],
    [
      'the eve of the clocks going forward',
      '2026-03-07T12:00:00Z',
      'America/Chicago',
      '2026-03-08T06:00:00.000Z',
    ],
    ['a 23-hour day', '2026-03-08T12:00:00Z', 'America/Chicago', '2026-03-09T05:00:00.000Z'],
    ['a 25-hour day', '2026-11-01T12:00:00Z', 'America/Chicago', '2026-11-02T06:00:00.000Z'],
    // Chile goes forward at midnight: that Sunday starts at 1:00 AM, an hour after Saturday ends.
    [
      'a day that starts at 1 AM',
      '2026-09-05T12:00:00Z',
      'America/Santiago',
      '2026-09-06T04:00:00.000Z',
    ],
    ['UTC', '2026-11-27T00:00:00.000Z', 'UTC', '2026-11-28T00:00:00.000Z'],
    ['a half-hour zone', '2026-11-27T10:00:00Z', 'Asia/Kolkata', '2026-11-27T18:30:00.000Z'],
  ])('%s: from %s in %s, at %s', (_name, moment, zone, reset) => {
    expect(dayResetsAt(new Date(moment), zone).toISOString()).toBe(reset);
  });

  it('is always the first moment of the next local day', () => {
    for (let hour = 0; hour < 24 * 400; hour += 7) {
      const moment = new Date(Date.UTC(2026, 0, 1) + hour * 3_600_000);
      const reset = dayResetsAt(moment, 'Europe/London');
      expect(localDay(reset, 'Europe/London')).not.toBe(localDay(moment, 'Europe/London'));
      expect(localDay(new Date(reset.getTime() - 1), 'Europe/London')).toBe(
        localDay(moment, 'Europe/London'),
      );
    }
  });
});

describe('quotaRequest', () => {
  const now = new Date('2026-11-27T10:00:05Z');
  const email = {
    sender: 'alice@example.com',
    emailId: 'mid-1',
    documentPages: 4,
    now,
    timeZone: 'America/Chicago',
    limits: LIMITS,
  };

  it.each([
    [1, 1, 4],
    [3, 3, 12],
    [10, 10, 40],
  ])(
    '%i new numbers of a 4-page document take %i faxes and %i pages',
    (newNumbers, faxes, pages) => {
      expect(quotaRequest({ ...email, newNumbers })).toMatchObject({ faxes, pages });
    },
  );

  it('counts on the local day, kept two days past its end', () => {
    expect(quotaRequest({ ...email, newNumbers: 1 })).toEqual({
      day: '2026-11-27',
      sender: 'alice@example.com',
      emailId: 'mid-1',
      faxes: 1,
      pages: 4,
      limits: LIMITS,
      expiresAt: Date.parse('2026-11-28T06:00:00Z') / 1000 + 2 * 86_400,
    });
  });
});

describe('capRefusal, as the sender reads it', () => {
  const now = new Date('2026-11-27T10:00:05Z');
  const request = quotaRequest({
    sender: 'alice@example.com',
    emailId: 'mid-1',
    newNumbers: 5,
    documentPages: 3,
    now,
    timeZone: 'America/Chicago',
    limits: LIMITS,
  });
  const over = (
    cap: 'sender_faxes' | 'sender_pages' | 'bridge_pages',
    limit: number,
    used: number,
  ) =>
    capRefusal(
      { reserved: false, cap, limit, used } satisfies QuotaReservation,
      request,
      now,
      'America/Chicago',
    );

  it('names the cap, the count so far and what the email needed, and when the count resets', () => {
    expect(over('sender_faxes', 100, 98)).toEqual({
      code: 'daily_cap_reached',
      cap: 'sender_faxes',
      limit: 100,
      used: 98,
      requested: 5,
      resetsAt: '2026-11-28T06:00:00.000Z',
      timeZone: 'America/Chicago',
    });
    expect(over('sender_pages', 1000, 990)).toMatchObject({ requested: 15 });
  });

  it.each([
    [
      'sender_faxes',
      100,
      98,
      'This email would go over your 100 faxes a day. You have sent 98 faxes today and it needs 5 more, so none of its faxes were sent.',
    ],
    [
      'sender_pages',
      1000,
      990,
      'This email would go over your 1,000 pages a day. You have sent 990 pages today and it needs 15 more, so none of its faxes were sent.',
    ],
    [
      'bridge_pages',
      3000,
      2990,
      "This email would go over this fax service's 3,000 pages a day, shared by everyone who uses it. 2,990 pages have been sent today and it needs 15 more, so none of its faxes were sent.",
    ],
  ] as const)('%s: says which cap, in plain words', (cap, limit, used, problem) => {
    const explained = explainRefusal(over(cap, limit, used));
    expect(explained.problem).toBe(problem);
    expect(explained.fix).toContain(
      'The count starts again after midnight, 12:00 AM America/Chicago on Saturday, November 28',
    );
  });

  it('tells the sender to send again after the reset, or to ask the administrator when the whole service is full', () => {
    expect(explainRefusal(over('sender_faxes', 100, 98)).fix).toMatch(
      /send the email again then\.$/,
    );
    expect(explainRefusal(over('bridge_pages', 3000, 2990)).fix).toMatch(
      /send the email again then\. If it cannot wait, ask your fax administrator\.$/,
    );
  });

  it('tells the sender to split an email that no day could take', () => {
    const fix = explainRefusal(over('sender_pages', 10, 0)).fix;
    expect(fix).toMatch(/^One email can never take more than 10 pages: split the fax numbers/);
    expect(fix).not.toContain('send the email again then');
  });
});
