import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../../fixtures/documents';
import { processInbound } from '../../../../functions/core/inbound/process-inbound';
import {
  composeMail,
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
    expect(deps.media.documents.get('msg-trickle')).toEqual(
      whole.deps.media.documents.get(whole.received.messageId),
    );
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
