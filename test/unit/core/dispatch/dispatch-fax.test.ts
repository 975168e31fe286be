import { describe, expect, it } from 'vitest';
import { verifyClientState } from '../../../../functions/core/shared/client-state';
import { FaxWorld } from '../../../support/fax-world';
import { CLIENT_STATE_SECRET } from '../../../support/telnyx-events';

describe('dispatchFax', () => {
  it('posts the fax once, with a fresh media URL and a client_state for attempt 1', async () => {
    const world = new FaxWorld();
    const job = await world.claim({ quality: 'very_high' });
    expect(await world.dispatchDue()).toEqual([{ kind: 'sent', faxId: 'fax-1' }]);
    const [request] = world.fax.requests;
    expect(request).toMatchObject({ to: job.recipient, quality: 'very_high' });
    expect(request?.mediaUrl).toContain(encodeURIComponent(job.mediaKey));
    expect(verifyClientState(request?.clientState, CLIENT_STATE_SECRET)).toMatchObject({
      valid: true,
      attempt: 1,
    });
    expect(world.job(job)).toMatchObject({ status: 'queued', faxId: 'fax-1', dialledAttempt: 1 });
  });

  it('a message delivered twice posts once', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.queue.enqueue(
      { messageId: job.messageId, recipient: job.recipient, attempt: 1 },
      0,
    );
    const outcomes = await world.dispatchDue();
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'dropped']);
    expect(world.fax.requests).toHaveLength(1);
  });

  it('two deliveries at the same moment post once', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    const message = { messageId: job.messageId, recipient: job.recipient, attempt: 1 };
    const { dispatchFax } = await import('../../../../functions/core/dispatch/dispatch-fax');
    await Promise.all([
      dispatchFax(message, world.settings, world.deps),
      dispatchFax(message, world.settings, world.deps),
    ]);
    expect(world.fax.requests).toHaveLength(1);
  });

  it('never posts again after a POST whose fate is unknown; the channel stays held', async () => {
    const world = new FaxWorld(() => ({ kind: 'unknown', code: 'timeout', detail: 'no answer' }));
    const job = await world.claim();
    expect(await world.dispatchDue()).toEqual([{ kind: 'unknown', code: 'timeout' }]);
    await world.queue.enqueue(
      { messageId: job.messageId, recipient: job.recipient, attempt: 1 },
      0,
    );
    expect(await world.dispatchDue()).toEqual([{ kind: 'dropped', reason: 'stale_attempt' }]);
    expect(world.fax.requests).toHaveLength(1);
    expect(await world.leases.held(2)).toHaveLength(1);
    expect(world.mailer.sent).toEqual([]);
  });

  it('keeps at most TELNYX_CHANNELS faxes in a call; the others wait, undialled', async () => {
    const world = new FaxWorld();
    world.settings.channels = 2;
    for (const n of ['0101', '0102', '0103']) await world.claim({ recipient: `+1312555${n}` });
    const outcomes = await world.dispatchDue();
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'sent', 'waiting']);
    expect(outcomes[2]).toMatchObject({ reason: 'no_channel' });
    expect(world.fax.requests).toHaveLength(2);
    // The waiting one is back on the queue, 30 to 60 s later, and no attempt is used.
    expect(world.queue.messages).toEqual([
      { message: expect.objectContaining({ attempt: 1 }), delaySeconds: 45 },
    ]);
  });

  it('dials one number once at a time: a second fax to it waits', async () => {
    const world = new FaxWorld();
    await world.claim({ recipient: '+13125550100' });
    await world.claim({ recipient: '+13125550100' });
    const outcomes = await world.dispatchDue();
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'waiting']);
    expect(outcomes[1]).toMatchObject({ reason: 'number_busy' });
  });

  it('a 429 gives back the attempt and the channel, and waits as long as Telnyx says', async () => {
    let throttle = true;
    const world = new FaxWorld(() => {
      if (!throttle) return { kind: 'accepted', faxId: 'fax-late' };
      throttle = false;
      return { kind: 'throttled', retryAfterSeconds: 7, detail: '429' };
    });
    const job = await world.claim();
    expect(await world.dispatchDue()).toEqual([
      { kind: 'waiting', reason: 'throttled', delaySeconds: 7 },
    ]);
    expect(await world.leases.held(2)).toEqual([]);
    expect(world.job(job).dialledAttempt).toBeUndefined();
    expect(await world.dispatchDue()).toEqual([{ kind: 'sent', faxId: 'fax-late' }]);
    expect(world.job(job)).toMatchObject({ dialledAttempt: 1, faxId: 'fax-late' });
    expect(world.job(job).dials ?? []).toEqual([]);
  });

  it('a fax Telnyx refuses ends at once: one email saying why, the channel given back', async () => {
    const world = new FaxWorld(() => ({
      kind: 'refused',
      code: 'invalid_request',
      status: 422,
      detail: 'Invalid number.',
    }));
    const job = await world.claim();
    expect(await world.dispatchDue()).toEqual([{ kind: 'not_sent', code: 'invalid_request' }]);
    expect(world.job(job).status).toBe('not_sent');
    expect(await world.leases.held(2)).toEqual([]);
    expect(world.mailer.sent).toHaveLength(1);
    expect(world.mailer.sent[0]?.text).toContain(
      'The fax service refused to send it, saying "Invalid number". Nothing was faxed to this number.',
    );
  });

  it('waits for a retry time past 15 minutes by chaining delays', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    world.queue.messages.splice(0);
    const notBefore = new Date(world.now.getTime() + 3600_000).toISOString();
    await world.queue.enqueue({ ...job, attempt: 1, notBefore }, 900);
    expect(await world.dispatchDue()).toEqual([
      { kind: 'waiting', reason: 'not_yet', delaySeconds: 900 },
    ]);
    world.advance(3600);
    expect(await world.dispatchDue()).toEqual([{ kind: 'sent', faxId: 'fax-1' }]);
  });

  it('gives up on a Telnyx that throttles for six hours, and tells the sender', async () => {
    const world = new FaxWorld(() => ({ kind: 'throttled', retryAfterSeconds: 60, detail: '429' }));
    const job = await world.claim();
    await world.dispatchDue();
    world.advance(6 * 3600 + 1);
    expect(await world.dispatchDue()).toEqual([{ kind: 'not_sent', code: 'busy' }]);
    expect(world.job(job).status).toBe('not_sent');
    expect(world.mailer.sent[0]?.text).toContain('The fax service was too busy to take it.');
  });

  it('a run that stopped between the lease and the POST: the redelivery takes the lease again and posts once', async () => {
    const world = new FaxWorld();
    world.settings.channels = 1;
    const job = await world.claim();
    // The stopped run took the only channel and the number, and died.
    expect(await world.leases.acquire(job, 1, world.now, 3000)).toBe('acquired');
    expect(await world.dispatchDue()).toEqual([{ kind: 'sent', faxId: 'fax-1' }]);
    expect(world.fax.requests).toHaveLength(1);
  });

  it('a run that stopped between the claim of the dial and the POST: never posted blind', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.leases.acquire(job, 2, world.now, 3000);
    await world.ledger.claimDial(job, 1, world.now.toISOString());
    expect(await world.dispatchDue()).toEqual([{ kind: 'dropped', reason: 'already_dialled' }]);
    expect(world.fax.requests).toEqual([]);
    // The sweeper finds no such fax at Telnyx, and tells the sender after the window.
    world.advance(1801);
    expect(await world.sweep()).toMatchObject({ never_sent: 1 });
    expect(world.mailer.sent[0]?.subject).toMatch(/failed/i);
  });
});
