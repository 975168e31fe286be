// The inbound path stopped at every step in turn (a Lambda that dies, or a call that fails), then
// run again on the same SES event as AWS's retry would, against S3, DynamoDB and SES stand-ins and
// a local Telnyx. What it queued is then dispatched, as the dispatch function would, message by
// message. Nothing may be faxed twice and nothing may end without the sender hearing of it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import { staticApiKey } from '../../functions/adapters/api-key';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { S3Store } from '../../functions/adapters/s3-store';
import { SesMailer } from '../../functions/adapters/ses-mailer';
import { TelnyxClient } from '../../functions/adapters/telnyx-client';
import { dispatchFax } from '../../functions/core/dispatch/dispatch-fax';
import { emailIdentity } from '../../functions/core/inbound/email-identity';
import { type InboundDeps, processInbound } from '../../functions/core/inbound/process-inbound';
import { formatForSender } from '../../functions/core/shared/number-format';
import type { CallLeases } from '../../functions/core/shared/ports';
import { zoneResolver } from '../../local/dns-zone';
import { localS3Client } from '../../local/stand-ins';
import { startFakeTelnyx } from '../support/fake-telnyx';
import { type Fault, FaultPlan, runUntilCrash, throttled } from '../support/faulty';
import {
  composeMail,
  faxAddress,
  inboundSettings,
  receivedMail,
  SENDER,
} from '../support/inbound-harness';
import { DISPATCH_SETTINGS, RecordingQueue } from '../support/memory-dispatch';
import { recordingLog } from '../support/memory-ports';
import { localClientConfig, TEST_BUCKET, TEST_TABLE, useStandIns } from '../support/stand-ins';
import { CLIENT_STATE_SECRET } from '../support/telnyx-events';

const standIns = useStandIns();
let telnyx: Awaited<ReturnType<typeof startFakeTelnyx>>;
let s3: S3Client;
let plain: InboundDeps;
let fax: TelnyxClient;
const queue = new RecordingQueue();
let now = new Date('2026-11-27T10:00:00Z');

interface Scenario {
  name: string;
  numbers: string[];
  /** Envelope recipients that are not fax numbers we may call. */
  others: string[];
  attach: boolean;
  /** A notice must reach the sender whatever happens (a refusal, or a bad number to report). */
  noticeExpected: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'two numbers and an emergency number',
    numbers: ['+13125551234', '+13125551299'],
    others: ['911'],
    attach: true,
    noticeExpected: true,
  },
  {
    name: 'two numbers, nothing to report',
    numbers: ['+13125551234', '+13125551299'],
    others: [],
    attach: true,
    noticeExpected: false,
  },
  {
    name: 'no document',
    numbers: ['+13125551234'],
    others: [],
    attach: false,
    noticeExpected: true,
  },
];

const tally = {
  faults: 0,
  deliveries: 0,
  duplicateFaxes: 0,
  lost: 0,
  duplicateNotices: 0,
  deadLettered: 0,
};
const settings = () => inboundSettings();
let runs = 0;

async function storeEmail(scenario: Scenario, pdf: Uint8Array) {
  const messageId = `crash-${++runs}-${Date.now()}`;
  const raw = await composeMail({
    to: [...scenario.numbers, ...scenario.others].map(faxAddress),
    subject: `Referral ${messageId}`,
    messageId: `<${messageId}@example.com>`,
    // Written as the clock says, which these runs move on by hours and days.
    date: now,
    attachments: scenario.attach ? [{ filename: 'referral.pdf', content: Buffer.from(pdf) }] : [],
  });
  await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `raw/${messageId}`, Body: raw }));
  const received = receivedMail(messageId, {
    recipients: [...scenario.numbers, ...scenario.others].map(faxAddress),
  });
  return received;
}

function wrapped(plan: FaultPlan): InboundDeps {
  return {
    ...plain,
    mail: plan.wrap('mail', plain.mail),
    media: plan.wrap('media', plain.media),
    ledger: plan.wrap('ledger', plain.ledger),
    queue: plan.wrap('queue', plain.queue),
    mailer: plan.wrap('mailer', plain.mailer),
  };
}

// Telnyx here sends no webhooks, so no fax would give its line back: every call gets one.
const freeLines: CallLeases = {
  acquire: async () => 'acquired',
  renew: async () => {},
  release: async () => {},
  held: async () => [],
};

/** Each message queued since the last call, dispatched as the dispatch function would. */
async function dispatchQueued() {
  const deps = { ...plain, fax, leases: freeLines, queue, random: () => 0.5 };
  const secret = { clientStateSecret: async () => CLIENT_STATE_SECRET };
  for (const { message } of queue.messages.splice(0)) {
    await dispatchFax(message, DISPATCH_SETTINGS, { ...deps, ...secret });
  }
}

/** What the sender and the fax lines ended with for one message. */
async function judge(messageId: string, scenario: Scenario) {
  await dispatchQueued();
  // The document of an email is stored under the email's identity, which the media URL names.
  const document = emailIdentity(messageId, SENDER, `<${messageId}@example.com>`);
  const faxes = telnyx.requests
    .map((r) => r.body as { to: string; media_url: string })
    .filter((body) => new URL(body.media_url).pathname.endsWith(`/media/${document}.pdf`));
  const notices = (await standIns().sentEmails()).filter((e) => e.subject.includes(messageId));
  const text = notices.map((n) => n.body.text ?? '').join('\n');
  const perNumber = scenario.numbers.map((number) => {
    const sent = faxes.filter((f) => f.to === number).length;
    // As the sender reads it: DEFAULT_COUNTRY (US by default) numbers in national format.
    const shown = formatForSender(number, 'US');
    const toldUnsure =
      text.includes(`${shown}: we could not confirm`) || text.includes(`${shown}: not sent`);
    return { number, sent, accountedFor: sent === 1 || toldUnsure };
  });
  return {
    duplicateFaxes: perNumber.reduce((sum, n) => sum + Math.max(0, n.sent - 1), 0),
    lost:
      perNumber.filter((n) => scenario.attach && !n.accountedFor).length +
      (scenario.noticeExpected && notices.length === 0 ? 1 : 0),
    notices: notices.length,
    notTo: notices.filter((n) => n.destination.to.join() !== SENDER).length,
  };
}

beforeAll(async () => {
  telnyx = await startFakeTelnyx();
  s3 = localS3Client(standIns().endpoints.s3);
  const store = new S3Store({
    bucket: TEST_BUCKET,
    client: localS3Client(standIns().endpoints.s3),
  });
  plain = {
    mail: store,
    media: store,
    ledger: new DynamoDbLedger({
      table: TEST_TABLE,
      client: new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb)),
    }),
    queue,
    mailer: new SesMailer({ client: new SESClient(localClientConfig(standIns().endpoints.ses)) }),
    clock: () => now,
    log: recordingLog(),
    resolver: zoneResolver({}),
  };
  fax = new TelnyxClient({
    apiUrl: telnyx.url,
    apiKey: staticApiKey('KEY-test'),
    responseTimeoutMs: 2_000,
    sleep: async () => {},
  });
});

afterAll(async () => {
  await telnyx?.stop();
  console.info(
    `inbound faults: ${tally.faults} injected, ${tally.deliveries} deliveries, ` +
      `${tally.duplicateFaxes} duplicate faxes, ${tally.lost} outcomes lost, ` +
      `${tally.duplicateNotices} duplicate notices, ${tally.deadLettered} dead-lettered`,
  );
});

describe.each(SCENARIOS)('inbound, $name: stopped at each step, then retried', (scenario) => {
  let steps: string[] = [];
  let pdf: Uint8Array;

  beforeAll(async () => {
    pdf = await makePdf(2);
    const plan = new FaultPlan();
    const received = await storeEmail(scenario, pdf);
    await processInbound(received, settings(), wrapped(plan));
    steps = plan.calls;
  });

  /**
   * Runs the event with `fault`, then again as AWS retries it (judged then: the retry is the last
   * run AWS makes once it succeeds), then once more a day later, as a stray duplicate from SES.
   */
  async function deliverWith(fault: Fault) {
    now = new Date(now.getTime() + 3_600_000);
    const received = await storeEmail(scenario, pdf);
    const plan = new FaultPlan(fault);
    const first = await runUntilCrash(plan, () =>
      processInbound(received, settings(), wrapped(plan)),
    );
    if (!plan.fired)
      return { fired: false, first, verdict: await judge(received.messageId, scenario) };
    tally.faults += 1;
    // Lambda retries a failed asynchronous invocation after a minute at the earliest.
    now = new Date(now.getTime() + 61_000);
    if (first.kind !== 'done') await processInbound(received, settings(), plain);
    const verdict = await judge(received.messageId, scenario);
    now = new Date(now.getTime() + 86_400_000);
    await processInbound(received, settings(), plain);
    const later = await judge(received.messageId, scenario);
    tally.deliveries += first.kind === 'done' ? 2 : 3;
    tally.duplicateFaxes += later.duplicateFaxes;
    tally.lost += verdict.lost;
    tally.duplicateNotices += Math.max(0, verdict.notices - 1);
    return { fired: true, first, verdict: { ...verdict, duplicateFaxes: later.duplicateFaxes } };
  }

  it('the clean run takes the expected steps', () => {
    expect(steps[0]).toBe('mail.openRawMail');
    if (scenario.attach) {
      expect(steps.filter((s) => s === 'queue.enqueue')).toHaveLength(scenario.numbers.length);
    }
    expect(steps.includes('mailer.send')).toBe(scenario.noticeExpected);
  });

  it('dies after each step (and before the first): one fax per number or an "unsure" line', async () => {
    const faults: Fault[] = [
      { nth: 1, when: 'before', mode: 'crash' },
      ...steps.map((_, i) => ({ nth: i + 1, when: 'after' as const, mode: 'crash' as const })),
    ];
    for (const fault of faults) {
      const { fired, first, verdict } = await deliverWith(fault);
      const at = `${fault.when} step ${fault.nth} (${steps[(fault.nth ?? 1) - 1]})`;
      expect(fired, at).toBe(true);
      expect(first.kind, at).toBe('crashed');
      expect(verdict, at).toMatchObject({ duplicateFaxes: 0, lost: 0, notTo: 0 });
    }
  });

  it('fails at each step (the call refused, or done with its answer lost): no duplicate, nothing lost', async () => {
    for (const [i] of steps.entries()) {
      for (const when of ['before', 'after'] as const) {
        const { fired, first, verdict } = await deliverWith({ nth: i + 1, when, mode: 'fail' });
        const at = `${when} step ${i + 1} (${steps[i]})`;
        expect(fired, at).toBe(true);
        // Only a lost answer to the "notice sent" mark is shrugged off: the email is out.
        const absorbed = steps[i] === 'ledger.markNoticeSent';
        expect(first.kind, at).toBe(absorbed ? 'done' : 'failed');
        expect(verdict, at).toMatchObject({ duplicateFaxes: 0, lost: 0, notTo: 0 });
        // SES took the notice and only its answer was lost: sending again is the lesser harm.
        const sesAnswerLost = steps[i] === 'mailer.send' && when === 'after';
        if (!sesAnswerLost) expect(verdict.notices, at).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('inbound, AWS throttling: the run fails so that AWS retries, and the retry repeats nothing', () => {
  const scenario = SCENARIOS[0] as Scenario;
  let pdf: Uint8Array;
  beforeAll(async () => {
    pdf = await makePdf(1);
  });

  /** Delivers the event as Lambda's async invocation does: up to three runs until one succeeds. */
  async function deliverUntilDone(faultFor: (run: number) => Fault | undefined) {
    const received = await storeEmail(scenario, pdf);
    const errors: string[] = [];
    for (let run = 1; run <= 3; run++) {
      now = new Date(now.getTime() + 61_000);
      const plan = new FaultPlan(faultFor(run));
      tally.deliveries += 1;
      try {
        await processInbound(received, settings(), wrapped(plan));
        break;
      } catch (error) {
        tally.faults += plan.fired ? 1 : 0;
        errors.push((error as Error).name);
      }
    }
    const verdict = await judge(received.messageId, scenario);
    tally.duplicateFaxes += verdict.duplicateFaxes;
    // Three failed runs send the event to the dead-letter queue, whose alarm calls a human.
    if (errors.length === 3) tally.deadLettered += 1;
    else tally.lost += verdict.lost;
    tally.duplicateNotices += Math.max(0, verdict.notices - 1);
    return { errors, verdict };
  }

  it.each(['ledger.getJob', 'ledger.claimFax', 'ledger.claimNotice'])(
    'DynamoDB throttles %s: the run fails, the retry finishes the job',
    async (call) => {
      const { errors, verdict } = await deliverUntilDone((run) =>
        run === 1
          ? {
              call,
              when: 'before',
              mode: 'fail',
              error: () => throttled('ProvisionedThroughputExceededException'),
            }
          : undefined,
      );
      expect(errors).toEqual(['ProvisionedThroughputExceededException']);
      expect(verdict).toEqual({ duplicateFaxes: 0, lost: 0, notices: 1, notTo: 0 });
    },
  );

  it('SQS throttles the queueing of a fax: the run fails, the retry queues it, one fax', async () => {
    const { errors, verdict } = await deliverUntilDone((run) =>
      run === 1
        ? {
            call: 'queue.enqueue',
            when: 'before',
            mode: 'fail',
            error: () => throttled('Throttling'),
          }
        : undefined,
    );
    expect(errors).toEqual(['Throttling']);
    expect(verdict).toEqual({ duplicateFaxes: 0, lost: 0, notices: 1, notTo: 0 });
  });

  it('SES throttles the notice: the run fails, the retry sends it once', async () => {
    const { errors, verdict } = await deliverUntilDone((run) =>
      run === 1
        ? {
            call: 'mailer.send',
            when: 'before',
            mode: 'fail',
            error: () => throttled('Throttling'),
          }
        : undefined,
    );
    expect(errors).toEqual(['Throttling']);
    expect(verdict).toEqual({ duplicateFaxes: 0, lost: 0, notices: 1, notTo: 0 });
  });

  it('SES keeps refusing the notice: every run fails (the event ends in the dead-letter queue), no fax twice', async () => {
    const rejected = () => Object.assign(new Error('Sending paused'), { name: 'MessageRejected' });
    const { errors, verdict } = await deliverUntilDone(() => ({
      call: 'mailer.send',
      when: 'before',
      mode: 'fail',
      error: rejected,
    }));
    expect(errors).toEqual(['MessageRejected', 'MessageRejected', 'MessageRejected']);
    expect(verdict).toMatchObject({ duplicateFaxes: 0, notices: 0 });
  });
});
