import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../../fixtures/documents';
import { processInbound } from '../../../../functions/core/inbound/process-inbound';
import { FaultPlan } from '../../../support/faulty';
import {
  composeMail,
  faxAddress,
  inboundSettings,
  memoryDeps,
  receivedMail,
  runInbound,
} from '../../../support/inbound-harness';
import { MemoryMailStore } from '../../../support/memory-ports';

/** A bucket whose object arrives in small pieces, or breaks off after `failAfter` bytes. */
class TricklingMailStore extends MemoryMailStore {
  constructor(
    private readonly raw: Buffer,
    private readonly failAfter?: number,
  ) {
    super();
  }

  override async openRawMail(): Promise<Readable> {
    const { raw, failAfter } = this;
    let at = 0;
    return new Readable({
      read() {
        if (failAfter !== undefined && at >= failAfter) {
          this.destroy(new Error('socket hang up'));
        } else if (at >= raw.length) {
          this.push(null);
        } else {
          this.push(raw.subarray(at, at + 777));
          at += 777;
        }
      },
    });
  }
}

describe('processInbound reading the stored message', () => {
  it('faxes a message that arrives from the bucket in pieces as it would a whole one', async () => {
    const raw = await composeMail({
      attachments: [{ filename: 'referral.pdf', content: await makePdf(3, { padding: 20_000 }) }],
    });
    const whole = await runInbound(raw);
    const deps = memoryDeps();
    deps.mail = new TricklingMailStore(raw);
    const streamed = await processInbound(receivedMail('msg-trickle'), inboundSettings(), deps);
    expect(streamed).toMatchObject({ kind: 'faxed', pages: 3 });
    expect(streamed).toEqual(whole.outcome);
    // One email, so one document under one name, whichever delivery stored it.
    expect(deps.media.documents.size).toBe(1);
    expect([...deps.media.documents]).toEqual([...whole.deps.media.documents]);
  });

  it('fails, for Lambda to try again, when the bucket breaks off mid-message', async () => {
    const raw = await composeMail({
      attachments: [{ filename: 'referral.pdf', content: await makePdf(3, { padding: 20_000 }) }],
    });
    const deps = memoryDeps();
    deps.mail = new TricklingMailStore(raw, 5000);
    await expect(
      processInbound(receivedMail('msg-broken'), inboundSettings(), deps),
    ).rejects.toThrow('socket hang up');
    expect(deps.fax.requests).toEqual([]);
    expect(deps.mailer.sent).toEqual([]);
  });
});

describe('processInbound on an email its server sends again (new SES id, same From and Message-ID)', () => {
  const recipients = [faxAddress('+13125551234'), faxAddress('911')];

  it('faxes once, stores one document and sends one notice', async () => {
    const raw = await composeMail({
      to: recipients,
      attachments: [{ filename: 'referral.pdf', content: await makePdf(1) }],
    });
    const deps = memoryDeps();
    const first = await runInbound(raw, { recipients, deps });
    const again = await runInbound(raw, { recipients, deps });
    expect(again.received.messageId).not.toBe(first.received.messageId);
    expect(deps.fax.requests).toHaveLength(1);
    expect(deps.media.documents.size).toBe(1);
    expect(deps.mailer.sent).toHaveLength(1);
    expect(first.outcome).toMatchObject({ kind: 'faxed', noticeSent: true });
    expect(again.outcome).toMatchObject({ kind: 'faxed', noticeSent: false });
  });

  it('sends its refusal notice once', async () => {
    const raw = await composeMail({ text: 'the referral is attached' });
    const deps = memoryDeps();
    await runInbound(raw, { deps });
    const again = await runInbound(raw, { deps });
    expect(again.outcome).toMatchObject({ kind: 'refused', refusal: { code: 'no_document' } });
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('stores one document when the first delivery failed before claiming its fax', async () => {
    const raw = await composeMail({
      attachments: [{ filename: 'referral.pdf', content: await makePdf(1) }],
    });
    const deps = memoryDeps();
    const plan = new FaultPlan({ call: 'ledger.claimFax', when: 'before', mode: 'fail' });
    const failing = { ...deps, ledger: plan.wrap('ledger', deps.ledger) };
    await expect(runInbound(raw, { deps: failing })).rejects.toThrow('injected failure');
    await runInbound(raw, { deps });
    expect(deps.fax.requests).toHaveLength(1);
    expect(deps.media.documents.size).toBe(1);
  });
});
