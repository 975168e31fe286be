// Retries, channels and the sweeper as a sender meets them: emails in over SMTP, the Telnyx
// emulator dialling over HTTP, result emails read from the SES stand-in.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bridge, startBridge } from '../../local/bridge';
import { DISPATCH_QUEUE } from '../../local/settings';
import { LOCAL_CREDENTIALS } from '../../local/stand-ins';
import { bridgeEnv, headline, SENDER, sendFax, waitForReplies } from '../support/bridge-mail';

let dataDir: string;
let bridge: Bridge;

const dialsTo = (number: string) =>
  bridge.emulator?.posts().filter((post) => post.to === number).length ?? 0;

/** One email to `number`; its result emails, once `count` arrived. */
async function fax(number: string, subject: string, count = 1) {
  await sendFax(bridge, [`${number}@fax.localhost`], { subject });
  return waitForReplies(bridge, SENDER, subject.replace(/[[\]]/g, '\\$&'), count);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-retries-'));
  const env = await bridgeEnv(dataDir, {
    RETRY_ATTEMPTS: '3',
    RETRY_DELAY_SECONDS: '1',
    SWEEP_INTERVAL_SECONDS: '1',
    SWEEP_AFTER_SECONDS: '2',
  });
  bridge = await startBridge({ env, log: () => {} });
});

afterAll(async () => {
  await bridge?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('automatic retries in the local mode', () => {
  it('busy, then delivered: two dials, one email saying it went through on the second', async () => {
    const [result, ...more] = await fax('+13125550005', 'Busy once');
    expect(more).toEqual([]);
    expect(dialsTo('+13125550005')).toBe(2);
    expect(result?.subject).toBe('Fax delivered: Busy once');
    expect(result?.body.text).toContain(
      'It went through on the second attempt; the first failed (the line was busy).',
    );
  });

  it('always busy: exactly RETRY_ATTEMPTS dials and one email listing them', async () => {
    const [result, ...more] = await fax('+13125550006', 'Always busy');
    expect(more).toEqual([]);
    expect(dialsTo('+13125550006')).toBe(3);
    expect(headline(result)).toBe(
      'Fax to (312) 555-0006 failed after 3 attempts: the line was busy',
    );
    expect(result?.body.text?.match(/\d\. .*: failed \(the line was busy\)/g)).toHaveLength(3);
  });

  it('a permanent failure is dialled once', async () => {
    const [result] = await fax('+13125550009', 'Not in service');
    expect(dialsTo('+13125550009')).toBe(1);
    expect(headline(result)).toMatch(/^Fax to \(312\) 555-0009 failed: /);
  });

  it('[no retry] in the subject dials a busy line once', async () => {
    const [result, ...more] = await fax('+13125560006', 'Deadline [no retry]');
    expect(more).toEqual([]);
    expect(dialsTo('+13125560006')).toBe(1);
    expect(headline(result)).toBe('Fax to (312) 556-0006 failed: the line was busy');
  });

  it('lost webhooks: the sweeper looks the fax up and the sender still hears', async () => {
    const [result, ...more] = await fax('+13125550007', 'No webhooks');
    expect(more).toEqual([]);
    expect(result?.subject).toBe('Fax delivered: No webhooks');
    expect(dialsTo('+13125550007')).toBe(1);
  });

  it('a 429 from Telnyx is waited out and not counted as an attempt', async () => {
    const [result] = await fax('+13125550008', 'Throttled');
    expect(dialsTo('+13125550008')).toBe(2);
    expect(result?.subject).toBe('Fax delivered: Throttled');
    expect(result?.body.text).not.toContain('second attempt');
    expect(bridge.emulator?.faxes().filter((f) => f.to === '+13125550008')).toHaveLength(1);
  });

  it('a dispatch message delivered twice makes one POST', async () => {
    const [first] = await fax('+13125551234', 'Twice on the queue');
    expect(first?.subject).toBe('Fax delivered: Twice on the queue');
    const messageId = bridge.emulator?.posts().find((p) => p.to === '+13125551234')?.clientState;
    expect(messageId).toBeDefined();
    // The same message again, as SQS may deliver it: read back from the ledger's own job key.
    const state = JSON.parse(Buffer.from(messageId as string, 'base64').toString('utf8'));
    const sqs = new SQSClient({
      endpoint: bridge.standIns.endpoints.sqs,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: bridge.standIns.queueUrl(DISPATCH_QUEUE),
        MessageBody: JSON.stringify({ messageId: state.m, recipient: state.r, attempt: 1 }),
      }),
    );
    sqs.destroy();
    await bridge.dispatch.idle();
    expect(dialsTo('+13125551234')).toBe(1);
  });

  it('never more calls at once than the account has channels', () => {
    const calls = bridge.emulator?.calls();
    expect(calls?.peakInFlight).toBeLessThanOrEqual(2);
    expect(calls?.channelLimitFailures).toBe(0);
  });
});
