// Telnyx webhooks duplicated, reordered, about strangers' faxes, forged by the thousand, and met by
// a throttled DynamoDB or SES: the ledger (DynamoDB stand-in) ends right and each fax gets one email.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { MemoryCallLeases } from '../../functions/adapters/memory-call-leases';
import type { JobKey, Ledger, Log } from '../../functions/core/shared/ports';
import {
  handleFaxWebhook,
  type WebhookDeps,
  type WebhookRequest,
} from '../../functions/core/webhook/handle-fax-webhook';
import { webhookPublicKey } from '../../functions/core/webhook/webhook-signature';
import { type Fault, FaultPlan, throttled } from '../support/faulty';
import { RecordingQueue } from '../support/memory-dispatch';
import { RecordingMailer } from '../support/memory-ports';
import { createTestSigner } from '../support/signature-vectors';
import { localClientConfig, TEST_TABLE, useStandIns } from '../support/stand-ins';
import { CLIENT_STATE_SECRET, faxEventBody } from '../support/telnyx-events';

const standIns = useStandIns();
const signer = createTestSigner();
const stranger = createTestSigner();
const NOW = new Date('2026-03-05T15:14:10.000Z');
const silent: Log = { info: () => {}, warn: () => {}, error: () => {} };
const tally = { faults: 0, requests: 0, duplicateEmails: 0, lostEmails: 0 };

let ledger: DynamoDbLedger;
let mailer: RecordingMailer;

const TERMINAL = ['fax.delivered', 'fax.failed'] as const;
const PROGRESS = ['fax.queued', 'fax.media.processed', 'fax.sending.started'] as const;
type EventType = (typeof PROGRESS)[number] | (typeof TERMINAL)[number];
const STATUS: Record<EventType, string> = {
  'fax.queued': 'queued',
  'fax.media.processed': 'media.processed',
  'fax.sending.started': 'sending',
  'fax.delivered': 'delivered',
  'fax.failed': 'failed',
};

function deps(overrides: Partial<WebhookDeps> = {}): WebhookDeps {
  return {
    settings: {
      noticeFrom: 'fax@fax.example.com',
      noticeTimeZone: 'UTC',
      attachFailedDocument: false,
      transmissionReport: 'off',
      retentionDays: 7,
      channels: 2,
      retry: { attempts: 1, delaySeconds: 300 },
    },
    ledger,
    leases: new MemoryCallLeases(),
    queue: new RecordingQueue(),
    random: () => 0.5,
    mailer,
    media: { getDocument: async () => undefined },
    clock: () => NOW,
    log: silent,
    publicKey: webhookPublicKey(signer.publicKey),
    clientStateSecret: async () => CLIENT_STATE_SECRET,
    faxIn: { enqueue: async () => {} },
    ...overrides,
  };
}

let jobs = 0;
/** A job as the inbound path leaves it: queued with Telnyx's fax id, or claimed when it crashed. */
async function seedJob(
  status: 'queued' | 'claimed' = 'queued',
): Promise<JobKey & { faxId: string }> {
  const key = { messageId: `hook-${++jobs}-${Date.now()}`, recipient: '+13125551234' };
  await ledger.claimFax({
    ...key,
    typed: '312-555-1234',
    recipientDisplay: { international: '+1 312-555-1234', national: '(312) 555-1234' },
    sender: `sender${jobs}@example.com`,
    subject: `Referral ${jobs}`,
    emailMessageId: `<m${jobs}@example.com>`,
    mediaKey: key.messageId,
    documentPages: 2,
    createdAt: NOW.toISOString(),
    expiresAt: Math.floor(NOW.getTime() / 1000) + 86_400,
  });
  const faxId = `fax-${key.messageId}`;
  if (status === 'queued') {
    await ledger.advance(key, { status: 'queued', at: NOW.toISOString(), faxId });
  }
  return { ...key, faxId };
}

function eventBody(
  job: JobKey & { faxId: string },
  type: EventType,
  payload: Record<string, unknown> = {},
  id?: string,
) {
  const outcome =
    type === 'fax.delivered'
      ? { page_count: 2, call_duration_secs: 50 }
      : type === 'fax.failed'
        ? { failure_reason: 'user_busy' }
        : {};
  return faxEventBody(job, job.faxId, type, { ...outcome, ...payload }, { id });
}

function signed(body: string, by = signer, at = NOW): WebhookRequest {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    method: 'POST',
    headers: {
      'telnyx-timestamp': timestamp,
      'telnyx-signature-ed25519': by.sign(timestamp, body),
    },
    body,
    isBase64Encoded: false,
  };
}

const post = (request: WebhookRequest, overrides?: Partial<WebhookDeps>) => {
  tally.requests += 1;
  return handleFaxWebhook(request, deps(overrides));
};

const emailsFor = (job: JobKey) =>
  mailer.sent.filter((email) => email.to === `sender${job.messageId.split('-')[1]}@example.com`);

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

function account(job: JobKey) {
  const count = emailsFor(job).length;
  tally.duplicateEmails += Math.max(0, count - 1);
  tally.lostEmails += count === 0 ? 1 : 0;
  return count;
}

beforeAll(() => {
  ledger = new DynamoDbLedger({
    table: TEST_TABLE,
    client: new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb)),
  });
  mailer = new RecordingMailer();
});

afterAll(() => {
  console.info(
    `webhook faults: ${tally.faults} injected, ${tally.requests} requests, ` +
      `${tally.duplicateEmails} duplicate result emails, ${tally.lostEmails} lost`,
  );
});

describe('webhooks duplicated and reordered', () => {
  it('the same delivered event 50 times at once: one status change, one email', async () => {
    const job = await seedJob();
    const body = eventBody(job, 'fax.delivered');
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(signed(body))));
    const kinds = answers.map((a) => a.outcome.kind);
    expect(kinds.filter((k) => k === 'result_sent')).toHaveLength(1);
    // The others found the email sent (200) or being sent (503: Telnyx delivers again); none failed.
    for (const answer of answers) {
      expect(answer.statusCode === 200 || answer.outcome.kind === 'result_in_progress').toBe(true);
    }
    const redelivered = answers.filter((a) => a.statusCode === 503).map(() => post(signed(body)));
    for (const answer of await Promise.all(redelivered)) expect(answer.statusCode).toBe(200);
    expect(await ledger.getJob(job)).toMatchObject({ status: 'delivered', pageCount: 2 });
    expect(account(job)).toBe(1);
    expect(await post(signed(body))).toMatchObject({ statusCode: 200, body: 'duplicate' });
    expect(account(job) - 1).toBe(0);
  });

  it('every order of the events, each delivered twice, for delivered and failed faxes', async () => {
    const orders = TERMINAL.flatMap((terminal) =>
      permutations<EventType>([...PROGRESS, terminal]).map((order) => ({ terminal, order })),
    );
    expect(orders).toHaveLength(48);
    const results = await Promise.all(
      orders.map(async ({ terminal, order }, i) => {
        // Half the jobs start as a crashed inbound run left them: claimed, no fax id yet.
        const job = await seedJob(i % 2 === 0 ? 'queued' : 'claimed');
        const bodies = order.map((type) => eventBody(job, type));
        for (const body of [...bodies, ...[...bodies].reverse()]) {
          expect((await post(signed(body))).statusCode).toBe(200);
        }
        return { job, terminal, stored: await ledger.getJob(job) };
      }),
    );
    for (const { job, terminal, stored } of results) {
      expect(stored).toMatchObject({ status: STATUS[terminal], faxId: job.faxId });
      expect(account(job)).toBe(1);
      const [email] = emailsFor(job);
      const outcome = terminal === 'fax.delivered' ? 'Fax delivered' : 'Fax failed';
      expect(email?.subject).toBe(`${outcome}: Referral ${job.messageId.split('-')[1]}`);
      expect(email?.text.split('\n')[0]).toMatch(
        terminal === 'fax.delivered' ? /^Fax delivered to / : /^Fax to .* failed/,
      );
    }
  });

  it('events for faxes the ledger does not know: acknowledged, nothing changes, no email', async () => {
    const job = await seedJob();
    const before = mailer.sent.length;
    const unknown = { ...job, messageId: 'never-seen' };
    const answers = await Promise.all([
      post(signed(eventBody(unknown, 'fax.delivered'))),
      post(signed(eventBody(job, 'fax.delivered', { client_state: null }))),
      post(signed(eventBody(job, 'fax.delivered', { client_state: 'not base64 at all!' }))),
      post(signed(eventBody(job, 'fax.delivered', { client_state: 'x'.repeat(5000) }))),
      post(signed(eventBody({ ...job, faxId: 'someone-elses-fax' }, 'fax.delivered'))),
    ]);
    expect(answers.map((a) => [a.statusCode, a.outcome])).toEqual([
      [200, { kind: 'ignored', reason: 'unknown_fax' }],
      [200, { kind: 'ignored', reason: 'unknown_fax' }],
      [200, { kind: 'ignored', reason: 'forged_client_state' }],
      [200, { kind: 'ignored', reason: 'forged_client_state' }],
      [200, { kind: 'ignored', reason: 'other_fax' }],
    ]);
    expect(await ledger.getJob(job)).toMatchObject({ status: 'queued' });
    expect(mailer.sent.length).toBe(before);
  });
});

describe('a storm of forged webhooks', () => {
  it('10,000 forged requests: all answered 4xx (counted by the alarm), nothing read or changed', async () => {
    const job = await seedJob();
    const plan = new FaultPlan();
    const watched = plan.wrap('ledger', ledger as Ledger);
    const body = eventBody(job, 'fax.delivered');
    const ts = String(Math.floor(NOW.getTime() / 1000));
    const stale = String(Math.floor(NOW.getTime() / 1000) - 301);
    const forgeries: WebhookRequest[] = [
      ...Array.from({ length: 16 }, (_, i) => ({
        ...signed(body),
        headers: {
          'telnyx-timestamp': ts,
          'telnyx-signature-ed25519': Buffer.alloc(64, i * 16).toString('base64'),
        },
      })),
      signed(body, stranger),
      { ...signed(body), body: body.replace('"page_count":2', '"page_count":3') },
      {
        ...signed(body),
        headers: {
          'telnyx-timestamp': stale,
          'telnyx-signature-ed25519': signer.sign(stale, body),
        },
      },
      { ...signed(body), headers: {} },
      { ...signed(body), headers: { ...signed(body).headers, 'telnyx-timestamp': 'soon' } },
      { ...signed(body), method: 'GET' },
      { ...signed(body), method: 'PUT' },
      signed(JSON.stringify({ data: { padding: 'x'.repeat(300_000) } }), stranger),
      { ...signed(body), body: Buffer.from(`${body} `).toString('base64'), isBase64Encoded: true },
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 10_000; i += 500) {
      const batch = await Promise.all(
        Array.from({ length: 500 }, (_, j) =>
          post(forgeries[(i + j) % forgeries.length] as WebhookRequest, {
            ledger: watched,
          }),
        ),
      );
      for (const answer of batch) {
        statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
      }
    }
    tally.faults += 10_000;
    const fourxx = [...statuses].filter(([s]) => s >= 400 && s < 500);
    expect(fourxx.reduce((sum, [, n]) => sum + n, 0)).toBe(10_000);
    expect([...statuses.keys()].sort()).toEqual([401, 405, 413]);
    expect(plan.calls).toEqual([]);
    expect(await ledger.getJob(job)).toMatchObject({ status: 'queued' });
    expect(emailsFor(job)).toHaveLength(0);
    // The real event still goes through afterwards.
    expect(await post(signed(body))).toMatchObject({ statusCode: 200, body: 'result_sent' });
  });
});

describe('webhooks meeting a throttled DynamoDB or SES', () => {
  /** Delivers `body` with the fault, then again (Telnyx retries a 5xx) until it is answered 200. */
  async function deliverUntilAcknowledged(body: string, fault: Fault) {
    const plan = new FaultPlan(fault);
    const first = await post(signed(body), {
      ledger: plan.wrap('ledger', ledger as Ledger),
      mailer: plan.wrap('mailer', mailer),
    });
    tally.faults += plan.fired ? 1 : 0;
    const retries = [];
    for (let i = 0; i < 3 && retries.at(-1)?.statusCode !== 200; i++) {
      retries.push(await post(signed(body)));
    }
    return { first, plan, retries };
  }

  const calls = [
    'ledger.isEventProcessed',
    'ledger.getJob',
    'ledger.advance',
    'ledger.claimNotice',
    'ledger.markEventProcessed',
  ];
  it.each(calls)(
    'DynamoDB throttles %s: 5xx, and the retry ends it with one email',
    async (call) => {
      const job = await seedJob();
      const body = eventBody(job, 'fax.delivered');
      const { first, plan } = await deliverUntilAcknowledged(body, {
        call,
        when: 'before',
        mode: 'fail',
        error: () => throttled('ProvisionedThroughputExceededException'),
      });
      expect(plan.fired).toBe(true);
      expect(first.statusCode).toBe(500);
      expect(await ledger.getJob(job)).toMatchObject({ status: 'delivered' });
      expect(account(job)).toBe(1);
    },
  );

  it('SES throttles the result email: 5xx, the retry sends it once', async () => {
    const job = await seedJob();
    const body = eventBody(job, 'fax.failed');
    const { first, retries } = await deliverUntilAcknowledged(body, {
      call: 'mailer.send',
      when: 'before',
      mode: 'fail',
      error: () => throttled('Throttling'),
    });
    expect(first).toMatchObject({ statusCode: 500, body: 'result_failed' });
    expect(retries.map((r) => r.body)).toEqual(['result_sent']);
    expect(account(job)).toBe(1);
  });

  it('DynamoDB loses the "email sent" mark: answered 200, and no retry sends it again', async () => {
    const job = await seedJob();
    const body = eventBody(job, 'fax.delivered');
    const { first } = await deliverUntilAcknowledged(body, {
      call: 'ledger.markNoticeSent',
      when: 'before',
      mode: 'fail',
      error: () => throttled('ProvisionedThroughputExceededException'),
    });
    expect(first).toMatchObject({ statusCode: 200, body: 'result_sent' });
    expect(await post(signed(body))).toMatchObject({ body: 'duplicate' });
    expect(account(job)).toBe(1);
  });
});
