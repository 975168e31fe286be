// Finding 5 of issue 11: one sender got 200 faxes (1,000 pages) accepted in 11 s. Now a day
// (in the notice time zone) allows each sender 100 faxes and 1,000 pages and the bridge 3,000
// pages; an email that would pass a cap is refused whole, with a notice naming the cap and when
// it resets, and nothing of it is faxed.
import { describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import type { InboundOutcome } from '../../functions/core/inbound/process-inbound';
import type { OutgoingEmail } from '../../functions/core/shared/ports';
import {
  composeMail,
  faxAddress,
  type MemoryDeps,
  memoryDeps,
  runInbound,
  SENDER,
} from '../support/inbound-harness';

const settings = { noticeTimeZone: 'America/Chicago' };
/** The harness's clock: 4:00 AM in Chicago on Friday, November 27. */
const AFTER_MIDNIGHT = new Date('2026-11-28T06:00:01Z');

let emails = 0;

/** One email from `sender` to `count` fax numbers of its own, carrying a PDF of `pages` pages. */
async function faxEmail(sender: string, count: number, pdf: Buffer, messageId?: string) {
  const n = ++emails;
  const to = Array.from({ length: count }, (_, i) =>
    faxAddress(`+1312555${String(1000 + ((n * count + i) % 9000))}`),
  );
  const raw = await composeMail({
    from: sender,
    to,
    messageId: messageId ?? `<caps-${n}@${sender.split('@')[1]}>`,
    attachments: [{ filename: 'referral.pdf', content: pdf }],
  });
  return { raw, options: { recipients: to, source: sender, commonHeaders: { from: [sender] } } };
}

async function deliver(
  deps: MemoryDeps,
  sender: string,
  count: number,
  pdf: Buffer,
  messageId?: string,
) {
  const { raw, options } = await faxEmail(sender, count, pdf, messageId);
  const { outcome } = await runInbound(raw, { ...options, settings, deps });
  return outcome;
}

const refusalsOf = (outcomes: InboundOutcome[]) =>
  outcomes.flatMap((o) => (o.kind === 'refused' ? [o.refusal] : []));
const faxedOf = (outcomes: InboundOutcome[]) => outcomes.filter((o) => o.kind === 'faxed');
const noticesTo = (deps: MemoryDeps, address: string) =>
  deps.mailer.sent.filter((notice: OutgoingEmail) => notice.to === address);

describe('daily caps', () => {
  it('200 faxes from one sender in one burst: the first 100 are sent, the rest refused with the cap notice', async () => {
    const deps = memoryDeps();
    const pdf = await makePdf(5);
    // 20 emails of 10 numbers each, 5 pages: 200 faxes, 1,000 pages, as in the review.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => deliver(deps, SENDER, 10, pdf)),
    );
    expect(faxedOf(outcomes)).toHaveLength(10);
    expect(deps.fax.requests).toHaveLength(100);
    const refusals = refusalsOf(outcomes);
    expect(refusals).toHaveLength(10);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ code: 'daily_cap_reached', cap: 'sender_faxes', limit: 100 });
    }
    // Nothing of a refused email was stored for Telnyx to fetch.
    expect(deps.media.documents.size).toBe(10);
    const notices = noticesTo(deps, SENDER).filter((n) => n.text.includes('daily_cap_reached'));
    expect(notices).toHaveLength(10);
    for (const notice of notices) {
      expect(notice.text).toContain('your 100 faxes a day');
      expect(notice.text).toContain('none of its faxes were sent');
      expect(notice.text).toContain(
        'The count starts again after midnight, 12:00 AM America/Chicago on Saturday, November 28',
      );
    }
  });

  it('refuses at the sender’s 1,000 pages a day before its 100 faxes', async () => {
    const deps = memoryDeps();
    const pdf = await makePdf(30);
    const outcomes: InboundOutcome[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await deliver(deps, SENDER, 10, pdf));
    expect(outcomes.map((o) => o.kind)).toEqual(['faxed', 'faxed', 'faxed', 'refused']);
    expect(refusalsOf(outcomes)).toEqual([
      expect.objectContaining({ cap: 'sender_pages', limit: 1000, used: 900, requested: 300 }),
    ]);
    expect(deps.fax.requests).toHaveLength(30);
    expect(noticesTo(deps, SENDER).at(-1)?.text).toContain('your 1,000 pages a day');
  });

  it('stops the whole bridge at 3,000 pages a day, whoever sends, and reports the day’s pages', async () => {
    const deps = memoryDeps();
    const pdf = await makePdf(10);
    const senders = [SENDER, 'bob@clinic.example', 'carol@clinic.example', 'dan@clinic.example'];
    // Each sender's 10 emails of 10 faxes × 10 pages fit its own caps exactly: 4,000 pages in all.
    const outcomes = await Promise.all(
      senders.flatMap((sender) => Array.from({ length: 10 }, () => deliver(deps, sender, 10, pdf))),
    );
    expect(faxedOf(outcomes)).toHaveLength(30);
    expect(deps.fax.requests).toHaveLength(300);
    const refusals = refusalsOf(outcomes);
    expect(refusals).toHaveLength(10);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ cap: 'bridge_pages', limit: 3000, used: 3000 });
    }
    const capNotices = deps.mailer.sent.filter((n) => n.text.includes('daily_cap_reached'));
    expect(capNotices).toHaveLength(10);
    for (const notice of capNotices) {
      expect(notice.text).toContain("this fax service's 3,000 pages a day");
    }
    // What the inbound function publishes for the 80% alarm.
    const reported = faxedOf(outcomes).map(
      (o) => (o as InboundOutcome & { bridgePagesToday?: number }).bridgePagesToday,
    );
    expect(reported.sort((a = 0, b = 0) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => 100 * (i + 1)),
    );
  });

  it('counts a new day from local midnight', async () => {
    const deps = memoryDeps();
    const pdf = await makePdf(1);
    for (let i = 0; i < 10; i++) await deliver(deps, SENDER, 10, pdf);
    expect((await deliver(deps, SENDER, 1, pdf)).kind).toBe('refused');
    deps.clock = () => AFTER_MIDNIGHT;
    expect(await deliver(deps, SENDER, 10, pdf)).toMatchObject({ kind: 'faxed' });
    expect(deps.fax.requests).toHaveLength(110);
  });

  it('does not count again the numbers an earlier delivery of the same email claimed', async () => {
    const deps = memoryDeps();
    const pdf = await makePdf(1);
    const first = await faxEmail(SENDER, 10, pdf, '<redelivered@example.com>');
    await runInbound(first.raw, { ...first.options, settings, deps });
    for (let i = 0; i < 9; i++) await deliver(deps, SENDER, 10, pdf);
    expect(deps.fax.requests).toHaveLength(100);
    // The sending server never saw SES's answer and sends the same email again, under a new id.
    const { outcome } = await runInbound(first.raw, { ...first.options, settings, deps });
    expect(outcome.kind).toBe('faxed');
    expect(deps.fax.requests).toHaveLength(100);
  });
});
