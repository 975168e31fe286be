// SES or Lambda retrying an email, or a replay of it under another envelope, can run while the
// first delivery still runs: neither has claimed a number yet, so both reserve. The day must
// count the email once, or its sender is refused before the caps say.
import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../../fixtures/documents';
import { bridgeQuotaPk, senderQuotaPk } from '../../../../functions/adapters/storage-layout';
import {
  composeMail,
  faxAddress,
  memoryDeps,
  runInbound,
  SENDER,
} from '../../../support/inbound-harness';

/** The harness's clock, in the harness's (UTC) notice time zone. */
const TODAY = '2026-11-27';
const settings = { dailyCaps: { senderFaxes: 6, senderPages: 1000, bridgePages: 3000 } };

async function threeFaxEmail(messageId: string) {
  const to = [`${messageId}1`, `${messageId}2`, `${messageId}3`].map((n) =>
    faxAddress(`+1312555${n}`),
  );
  const pdf = await makePdf(2);
  const raw = await composeMail({
    to,
    messageId: `<${messageId}@example.com>`,
    attachments: [{ filename: 'referral.pdf', content: pdf }],
  });
  return { raw, recipients: to };
}

describe('reserveDailyCaps, for two deliveries of one email at the same time', () => {
  it('counts the email’s faxes and pages once, leaving the sender the rest of the day', async () => {
    const deps = memoryDeps();
    const email = await threeFaxEmail('100');
    await Promise.all([
      runInbound(email.raw, { ...email, settings, deps }),
      runInbound(email.raw, { ...email, settings, deps }),
    ]);
    expect(deps.ledger.jobs.size).toBe(3);
    expect(deps.ledger.quotas.get(senderQuotaPk(SENDER, TODAY))).toMatchObject({
      faxes: 3,
      pages: 6,
    });
    expect(deps.ledger.quotas.get(bridgeQuotaPk(TODAY))).toMatchObject({ pages: 6 });
    // Three of the sender's six faxes a day are left: the next email of three is sent.
    const next = await threeFaxEmail('200');
    const { outcome } = await runInbound(next.raw, { ...next, settings, deps });
    expect(outcome.kind).toBe('faxed');
    expect(deps.ledger.jobs.size).toBe(6);
  });
});
