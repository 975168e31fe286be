// The sweeper: the outcome reaches the sender even when every webhook was lost.
import { describe, expect, it } from 'vitest';
import { encodeClientState } from '../../../../functions/core/shared/client-state';
import { FaxWorld } from '../../../support/fax-world';
import { CLIENT_STATE_SECRET } from '../../../support/telnyx-events';

describe('sweepFaxes', () => {
  it('leaves a fax alone while Telnyx is still talking about it', async () => {
    const world = new FaxWorld();
    await world.claim();
    await world.dispatchDue();
    world.advance(600);
    expect(await world.sweep()).toMatchObject({ waiting: 1 });
    expect(world.mailer.sent).toEqual([]);
  });

  it('looks up a fax quiet past SWEEP_AFTER_SECONDS and sends its result: lost webhooks', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.dispatchDue();
    world.fax.faxes.push({ id: 'fax-1', to: job.recipient, status: 'delivered', pageCount: 3 });
    world.advance(1801);
    expect(await world.sweep()).toMatchObject({ looked_up: 1 });
    expect(world.job(job).status).toBe('delivered');
    expect(world.mailer.sent).toHaveLength(1);
    expect(world.mailer.sent[0]?.subject).toMatch(/delivered/i);
    expect(await world.leases.held(2)).toEqual([]);
    // The next sweep finds nothing left to do, and sends nothing again.
    expect(await world.sweep()).toMatchObject({ looked_up: 0, released: 0 });
    expect(world.mailer.sent).toHaveLength(1);
  });

  it('applies a failure Telnyx reports as a webhook would: dialled again later', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.dispatchDue();
    world.fax.faxes.push({
      id: 'fax-1',
      to: job.recipient,
      status: 'failed',
      failureReason: 'user_busy',
    });
    world.advance(1801);
    await world.sweep();
    expect(world.job(job)).toMatchObject({ attempt: 2, status: 'claimed' });
    expect(world.mailer.sent).toEqual([]);
    expect(world.queue.messages).toHaveLength(1);
  });

  it('finds the fax of a POST that timed out by its client_state, and follows it', async () => {
    const world = new FaxWorld(() => ({ kind: 'unknown', code: 'timeout', detail: 'no answer' }));
    const job = await world.claim();
    await world.dispatchDue();
    const clientState = encodeClientState(job, 1, CLIENT_STATE_SECRET);
    world.fax.faxes.push(
      { id: 'other', to: job.recipient, status: 'delivered', clientState: 'c29tZW9uZSBlbHNl' },
      { id: 'fax-t', to: job.recipient, status: 'delivered', clientState, pageCount: 3 },
    );
    world.advance(120);
    expect(await world.sweep()).toMatchObject({ found: 1 });
    expect(world.job(job)).toMatchObject({ status: 'delivered', faxId: 'fax-t' });
    expect(world.mailer.sent).toHaveLength(1);
    expect(world.fax.requests).toHaveLength(1);
  });

  it('tells the sender a POST was not sent when Telnyx has no such fax after the window', async () => {
    const world = new FaxWorld(() => ({ kind: 'unknown', code: 'timeout', detail: 'no answer' }));
    const job = await world.claim();
    await world.dispatchDue();
    world.advance(120);
    expect(await world.sweep()).toMatchObject({ still_unknown: 1 });
    world.advance(1800);
    expect(await world.sweep()).toMatchObject({ never_sent: 1 });
    expect(world.job(job).status).toBe('not_sent');
    expect(world.mailer.sent[0]?.text).toContain('has no record of the fax since');
    expect(world.fax.requests).toHaveLength(1);
    expect(await world.leases.held(2)).toEqual([]);
  });

  it('gives back a channel taken for a POST that never came', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.leases.acquire(job, 2, world.now, 3000);
    world.advance(1801);
    expect(await world.sweep()).toMatchObject({ released: 1 });
    expect(await world.leases.held(2)).toEqual([]);
  });

  it('keeps a channel while Telnyx says the fax is still sending', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.dispatchDue();
    world.fax.faxes.push({ id: 'fax-1', to: job.recipient, status: 'sending' });
    world.advance(2900);
    await world.sweep();
    const [lease] = await world.leases.held(2);
    expect(lease?.until).toBe(world.now.getTime() + 3000 * 1000);
  });

  it('keeps the channel of a fax whose result email SES refused, and sends it on the next sweep', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.dispatchDue();
    world.fax.faxes.push({ id: 'fax-1', to: job.recipient, status: 'delivered' });
    world.advance(1801);
    const send = world.mailer.send.bind(world.mailer);
    world.mailer.send = async () => {
      throw new Error('SES is unavailable');
    };
    await world.sweep();
    expect(world.job(job).status).toBe('delivered');
    expect(await world.leases.held(2)).toHaveLength(1);
    world.mailer.send = send;
    await world.sweep();
    expect(world.mailer.sent).toHaveLength(1);
    expect(await world.leases.held(2)).toEqual([]);
  });

  it('ends a fax Telnyx no longer knows as failed, never redialled, and gives its channel back', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.dispatchDue();
    world.advance(1801);
    expect(await world.sweep()).toMatchObject({ looked_up: 1 });
    expect(world.job(job).status).toBe('failed');
    expect(world.fax.requests).toHaveLength(1);
    expect(world.mailer.sent).toHaveLength(1);
    expect(await world.leases.held(2)).toEqual([]);
  });

  it('does not redial a dropped call it learned of by lookup: pages may have arrived', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await world.dispatchDue();
    world.fax.faxes.push({
      id: 'fax-1',
      to: job.recipient,
      status: 'failed',
      failureReason: 'receiver_call_dropped',
      callDurationSecs: 95,
    });
    world.advance(1801);
    await world.sweep();
    expect(world.job(job)).toMatchObject({ status: 'failed' });
    expect(world.queue.messages).toEqual([]);
    expect(world.mailer.sent).toHaveLength(1);
  });

  it('queues again a fax whose channel was taken and whose message was lost', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    world.queue.messages.splice(0);
    await world.leases.acquire(job, 2, world.now, 3000);
    world.advance(1801);
    await world.sweep();
    expect(world.queue.messages).toHaveLength(1);
    expect(await world.dispatchDue()).toEqual([{ kind: 'sent', faxId: 'fax-1' }]);
  });
});
