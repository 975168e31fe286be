// Retries as the sender meets them: a failed dial dialled again after a delay, one email at the end.
import { describe, expect, it } from 'vitest';
import { FaxWorld } from '../../../support/fax-world';

async function dialAndFail(world: FaxWorld, job: Parameters<FaxWorld['job']>[0], reason: string) {
  const [sent] = await world.dispatchDue();
  expect(sent?.kind).toBe('sent');
  return world.report(job, { status: 'failed', failureReason: reason });
}

describe('automatic retries', () => {
  it('busy, then delivered: two dials, one email saying it went through on the second', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    expect(await dialAndFail(world, job, 'user_busy')).toMatchObject({
      kind: 'retry_scheduled',
      attempt: 2,
      delaySeconds: 300,
    });
    expect(world.mailer.sent).toEqual([]);
    expect(await world.leases.held(2)).toEqual([]);
    // Not before its time: the message waits out the delay.
    expect((await world.dispatchDue())[0]).toMatchObject({ kind: 'waiting', reason: 'not_yet' });
    world.advance(300);
    expect((await world.dispatchDue())[0]).toMatchObject({ kind: 'sent' });
    expect(world.fax.requests).toHaveLength(2);
    await world.report(job, { status: 'delivered', pageCount: 3 });
    expect(world.mailer.sent).toHaveLength(1);
    const email = world.mailer.sent[0];
    expect(email?.subject).toMatch(/delivered/i);
    expect(email?.text).toContain(
      'It went through on the second attempt; the first failed (the line was busy).',
    );
    expect(email?.text).toMatch(/Attempts:\s+1\. .*failed \(the line was busy\)/);
  });

  it('always busy: exactly RETRY_ATTEMPTS dials, delays doubling, one email listing them', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    const delays: number[] = [];
    for (let dial = 1; dial <= 3; dial++) {
      const outcome = await dialAndFail(world, job, 'user_busy');
      if (outcome.kind === 'retry_scheduled') delays.push(outcome.delaySeconds);
      world.advance(3600);
    }
    expect(delays).toEqual([300, 600]);
    expect(world.fax.requests).toHaveLength(3);
    expect(world.mailer.sent).toHaveLength(1);
    const text = world.mailer.sent[0]?.text ?? '';
    expect(world.mailer.sent[0]?.subject).toMatch(/failed/i);
    expect(text).toContain('failed after 3 attempts: the line was busy');
    expect(text.match(/failed \(the line was busy\)/g)).toHaveLength(3);
    expect(await world.dispatchDue()).toEqual([]);
  });

  it('a permanent failure is dialled once', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    const outcome = await dialAndFail(world, job, 'receiver_unallocated_number');
    expect(outcome).toMatchObject({ kind: 'result', status: 'failed', send: 'sent' });
    expect(world.fax.requests).toHaveLength(1);
    expect(world.queue.messages).toEqual([]);
  });

  it('[no retry] dials once, whatever the failure', async () => {
    const world = new FaxWorld();
    const job = await world.claim({ noRetry: true });
    expect((await dialAndFail(world, job, 'user_busy')).kind).toBe('result');
    expect(world.fax.requests).toHaveLength(1);
  });

  it('RETRY_ATTEMPTS=1 turns retries off', async () => {
    const world = new FaxWorld();
    world.settings.retry = { attempts: 1, delaySeconds: 300 };
    const job = await world.claim();
    expect((await dialAndFail(world, job, 'user_busy')).kind).toBe('result');
  });

  it('pages already sent: no blind redial; the sender is told how many arrived', async () => {
    const world = new FaxWorld();
    const job = await world.claim({ documentPages: 5 });
    await world.dispatchDue();
    const outcome = await world.report(job, {
      status: 'failed',
      failureReason: 'receiver_call_dropped',
      pageCount: 2,
    });
    expect(outcome.kind).toBe('result');
    expect(world.fax.requests).toHaveLength(1);
    expect(world.mailer.sent[0]?.text).toContain(
      '2 of 5 pages reached the receiving machine before the call ended.',
    );
  });

  it('a channel-limit failure is dialled again soon and uses up no attempt', async () => {
    const world = new FaxWorld();
    world.settings.retry = { attempts: 2, delaySeconds: 300 };
    const job = await world.claim();
    const limited = await dialAndFail(world, job, 'user_channel_limit_exceeded');
    expect(limited).toMatchObject({ kind: 'retry_scheduled', delaySeconds: 45 });
    world.advance(45);
    expect((await dialAndFail(world, job, 'user_busy')).kind).toBe('retry_scheduled');
    world.advance(300);
    expect((await dialAndFail(world, job, 'user_busy')).kind).toBe('result');
    expect(world.fax.requests).toHaveLength(3);
    // The email lists the two dials that reached the line, not the one the account's limit stopped.
    expect(world.mailer.sent[0]?.text).toContain('failed after 2 attempts');
  });

  it('a protocol failure is dialled again with T.38 off', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await dialAndFail(world, job, 'fax_signaling_error');
    world.advance(300);
    await world.dispatchDue();
    expect(world.fax.requests[0]?.t38Enabled).toBeUndefined();
    expect(world.fax.requests[1]?.t38Enabled).toBe(false);
  });

  it('a late event about the first dial changes nothing once the second is under way', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await dialAndFail(world, job, 'user_busy');
    world.advance(300);
    await world.dispatchDue();
    const { applyReport } = await import('../../../../functions/core/webhook/apply-report');
    const late = await applyReport(
      world.job(job),
      1,
      { status: 'sending', faxId: 'fax-1' },
      world.settings,
      world.deps,
    );
    expect(late).toMatchObject({ kind: 'recorded', changed: false });
    expect(world.job(job)).toMatchObject({ attempt: 2, faxId: 'fax-2', status: 'queued' });
  });

  it('the failure delivered again after the retry was started re-queues it for its time, not at once', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    await dialAndFail(world, job, 'user_busy');
    const [queued] = world.queue.messages.splice(0);
    const { applyReport } = await import('../../../../functions/core/webhook/apply-report');
    await applyReport(
      world.job(job),
      1,
      { status: 'failed', faxId: 'fax-1', failureReason: 'user_busy' },
      world.settings,
      world.deps,
    );
    expect(world.queue.messages).toHaveLength(1);
    expect(world.queue.messages[0]?.message.notBefore).toBe(queued?.message.notBefore);
    expect(world.queue.messages[0]?.delaySeconds).toBe(300);
  });

  it('tells the sender after 20 channel-limit failures in a row rather than loop for ever', async () => {
    const world = new FaxWorld();
    const job = await world.claim();
    let outcome = await dialAndFail(world, job, 'user_channel_limit_exceeded');
    for (let n = 1; n < 21 && outcome.kind === 'retry_scheduled'; n++) {
      world.advance(60);
      outcome = await dialAndFail(world, job, 'user_channel_limit_exceeded');
    }
    expect(outcome.kind).toBe('result');
    expect(world.fax.requests).toHaveLength(21);
  });
});
