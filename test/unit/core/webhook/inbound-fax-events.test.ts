// The webhook's inbound path, through the handler Telnyx reaches: signed events about faxes that
// arrived go to the fax-in queue once per event id.
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryCallLeases } from '../../../../functions/adapters/memory-call-leases';
import { MemoryLedger } from '../../../../functions/adapters/memory-ledger';
import type { FaxInMessage } from '../../../../functions/core/shared/ports';
import {
  handleFaxWebhook,
  type WebhookDeps,
} from '../../../../functions/core/webhook/handle-fax-webhook';
import { webhookPublicKey } from '../../../../functions/core/webhook/webhook-signature';
import { RecordingQueue } from '../../../support/memory-dispatch';
import { RecordingMailer } from '../../../support/memory-ports';
import { createTestSigner } from '../../../support/signature-vectors';
import { CLIENT_STATE_SECRET, inboundFaxBody } from '../../../support/telnyx-events';

const signer = createTestSigner();
const NOW = new Date('2026-03-05T15:20:42.000Z');
const FAX_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** The fax-in queue, failing while `down`. */
class FaxInQueueFake {
  readonly messages: FaxInMessage[] = [];
  down = false;
  async enqueue(message: FaxInMessage): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw new Error('SQS is unavailable');
    this.messages.push(structuredClone(message));
  }
}

let ledger: MemoryLedger;
let queue: FaxInQueueFake;
let mailer: RecordingMailer;
let dispatch: RecordingQueue;
let logs: { level: string; message: string; extra?: Record<string, unknown> }[];

const deps = (): WebhookDeps => ({
  settings: {
    noticeFrom: 'fax@fax.example.com',
    noticeTimeZone: 'America/Chicago',
    attachFailedDocument: false,
    transmissionReport: 'off',
    retentionDays: 7,
    channels: 2,
    retry: { attempts: 3, delaySeconds: 300 },
  },
  ledger,
  leases: new MemoryCallLeases(),
  queue: dispatch,
  random: () => 0.5,
  mailer,
  media: { getDocument: async () => undefined },
  clock: () => NOW,
  log: {
    info: (message, extra) => logs.push({ level: 'info', message, extra }),
    warn: (message, extra) => logs.push({ level: 'warn', message, extra }),
    error: (message, extra) => logs.push({ level: 'error', message, extra }),
  },
  publicKey: webhookPublicKey(signer.publicKey),
  clientStateSecret: async () => CLIENT_STATE_SECRET,
  faxIn: queue,
});

beforeEach(() => {
  ledger = new MemoryLedger();
  queue = new FaxInQueueFake();
  mailer = new RecordingMailer();
  dispatch = new RecordingQueue();
  logs = [];
});

const deliver = (body: string) => {
  const ts = String(Math.floor(NOW.getTime() / 1000));
  return handleFaxWebhook(
    {
      method: 'POST',
      headers: { 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': signer.sign(ts, body) },
      body,
      isBase64Encoded: false,
    },
    deps(),
  );
};

describe('fax webhook, faxes received', () => {
  it.each(['received', 'delivered'] as const)(
    'queues a fax received (%s shape) for the receiver and answers 200',
    async (shape) => {
      const answer = await deliver(inboundFaxBody('received', FAX_ID, {}, { shape }));
      expect(answer).toMatchObject({
        statusCode: 200,
        body: 'fax_in_queued',
        outcome: { kind: 'fax_in_queued', message: 'received' },
      });
      expect(queue.messages).toEqual([
        {
          kind: 'received',
          fax: expect.objectContaining({ faxId: FAX_ID, from: '+13125551234', pageCount: 3 }),
        },
      ]);
      expect(mailer.sent).toEqual([]);
      expect(dispatch.messages).toEqual([]);
    },
  );

  it('queues an event delivered again only once, and answers the repeat 200', async () => {
    const body = inboundFaxBody('received', FAX_ID, {}, { id: 'evt-once' });
    expect((await deliver(body)).outcome).toEqual({ kind: 'fax_in_queued', message: 'received' });
    expect(await deliver(body)).toMatchObject({ statusCode: 200, outcome: { kind: 'duplicate' } });
    expect(queue.messages).toHaveLength(1);
  });

  it('queues a received fax whose event carries no media link: the receiver refreshes it', async () => {
    await deliver(inboundFaxBody('received', FAX_ID, { media_url: undefined }));
    expect(queue.messages).toHaveLength(1);
    expect(queue.messages[0]).toMatchObject({ kind: 'received', fax: { faxId: FAX_ID } });
    expect(queue.messages[0]).not.toHaveProperty('fax.mediaUrl');
  });

  it('queues an inbound failure with its reason', async () => {
    const failed = inboundFaxBody('fax.failed', FAX_ID, { failure_reason: 'sender_call_dropped' });
    expect(await deliver(failed)).toMatchObject({
      statusCode: 200,
      outcome: { kind: 'fax_in_queued', message: 'failed' },
    });
    expect(queue.messages).toMatchObject([
      { kind: 'failed', fax: { faxId: FAX_ID }, failureReason: 'sender_call_dropped' },
    ]);
  });

  it('only logs the start of a call', async () => {
    const answer = await deliver(inboundFaxBody('fax.receiving.started', FAX_ID));
    expect(answer).toMatchObject({ statusCode: 200, outcome: { kind: 'fax_in_started' } });
    expect(queue.messages).toEqual([]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'inbound fax call started',
        extra: expect.objectContaining({ faxId: FAX_ID }),
      }),
    );
  });

  it('answers 500 while the queue fails, so that Telnyx’s next delivery queues it', async () => {
    const body = inboundFaxBody('received', FAX_ID, {}, { id: 'evt-outage' });
    queue.down = true;
    expect(await deliver(body)).toMatchObject({
      statusCode: 500,
      outcome: { kind: 'fax_in_failed' },
    });
    expect(await ledger.isEventProcessed('evt-outage')).toBe(false);
    queue.down = false;
    expect(await deliver(body)).toMatchObject({ statusCode: 200, body: 'fax_in_queued' });
    expect(queue.messages).toHaveLength(1);
  });

  it('refuses a signed event that is not one, and queues nothing', async () => {
    const garbage = JSON.stringify({
      data: { id: 'evt-g', event_type: 'fax.received', payload: 7 },
    });
    expect(await deliver(garbage)).toMatchObject({ statusCode: 400, body: 'not_an_event' });
    expect(queue.messages).toEqual([]);
  });

  it('refuses an unsigned received-fax event, and queues nothing', async () => {
    const body = inboundFaxBody('received', FAX_ID);
    const answer = await handleFaxWebhook(
      { method: 'POST', headers: {}, body, isBase64Encoded: false },
      deps(),
    );
    expect(answer.statusCode).toBe(401);
    expect(queue.messages).toEqual([]);
  });

  it('logs ids, never the numbers or the caller’s name', async () => {
    await deliver(inboundFaxBody('received', FAX_ID, { caller_name: 'Dr. Ortiz' }));
    const logged = JSON.stringify(logs);
    expect(logged).toContain(FAX_ID);
    for (const secret of ['3125551234', '3125550100', 'Ortiz', 'telnyx-fax-media']) {
      expect(logged).not.toContain(secret);
    }
  });
});
