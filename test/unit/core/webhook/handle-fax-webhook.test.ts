import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryCallLeases } from '../../../../functions/adapters/memory-call-leases';
import { MemoryLedger } from '../../../../functions/adapters/memory-ledger';
import { jobPk } from '../../../../functions/adapters/storage-layout';
import { encodeClientState } from '../../../../functions/core/shared/client-state';
import type {
  FaxInMessage,
  FaxJob,
  FaxStatus,
  JobKey,
  NewFaxJob,
  OutgoingEmail,
} from '../../../../functions/core/shared/ports';
import {
  handleFaxWebhook,
  type WebhookDeps,
  type WebhookRequest,
} from '../../../../functions/core/webhook/handle-fax-webhook';
import { webhookPublicKey } from '../../../../functions/core/webhook/webhook-signature';
import { RecordingQueue } from '../../../support/memory-dispatch';
import { createTestSigner } from '../../../support/signature-vectors';
import { CLIENT_STATE_SECRET, clientStateFor, faxEventBody } from '../../../support/telnyx-events';

const signer = createTestSigner();
const NOW = new Date('2026-03-05T15:14:10.000Z');
const KEY: JobKey = { messageId: 'ses-1', recipient: '+13125551234' };
const FAX_ID = 'c62be5bc-9b13-4b6c-abda-34dd8b541287';

const newJob = (overrides: Partial<NewFaxJob> = {}): NewFaxJob => ({
  ...KEY,
  typed: '312-555-1234',
  sender: 'alice@example.com',
  subject: 'Lab results',
  emailMessageId: '<m1@example.com>',
  mediaKey: 'doc-1',
  documentPages: 3,
  recipientDisplay: { international: '+1 312-555-1234', national: '(312) 555-1234' },
  createdAt: '2026-03-05T15:13:00.000Z',
  expiresAt: 1_800_000_000,
  ...overrides,
});

let ledger: MemoryLedger;

/** client_state as the bridge wrote it before it was signed: base64 JSON of the job key. */
const oldClientState = (key: JobKey) =>
  Buffer.from(JSON.stringify({ m: key.messageId, r: key.recipient })).toString('base64');

/** A client_state naming `key` with the (valid) MAC of `donor`. */
function withMacOf(key: JobKey, donor: JobKey): string {
  const fields = JSON.parse(Buffer.from(clientStateFor(donor), 'base64').toString('utf8'));
  const forged = { ...fields, m: key.messageId, r: key.recipient };
  return Buffer.from(JSON.stringify(forged)).toString('base64');
}

/** A ledger holding the job as the inbound path left it, its calls not counted. */
async function ledgerWith(status: FaxStatus, faxId?: string): Promise<MemoryLedger> {
  const seeded = new MemoryLedger();
  const job = newJob();
  await seeded.claimFax(job);
  await seeded.advance(job, { status, at: job.createdAt, faxId });
  seeded.calls = 0;
  return seeded;
}
let sent: OutgoingEmail[];
let mailerFailures: number;
let documents: Map<string, Uint8Array>;
let mediaDenied: boolean;
let logs: { level: string; message: string; extra?: Record<string, unknown> }[];
let attachFailedDocument: boolean;
let transmissionReport: 'on' | 'no-image' | 'off';
let faxIn: FaxInMessage[];

const deps = (): WebhookDeps => ({
  settings: {
    noticeFrom: 'fax@fax.example.com',
    noticeTimeZone: 'America/Chicago',
    attachFailedDocument,
    transmissionReport,
    retentionDays: 7,
    channels: 2,
    // Retries have tests of their own (retries.test.ts): here a failure is the end.
    retry: { attempts: 1, delaySeconds: 300 },
  },
  ledger,
  leases: new MemoryCallLeases(),
  queue: new RecordingQueue(),
  random: () => 0.5,
  mailer: {
    async send(email) {
      await new Promise((resolve) => setImmediate(resolve));
      if (mailerFailures > 0) {
        mailerFailures--;
        throw new Error('SES is unavailable');
      }
      sent.push(email);
    },
  },
  media: {
    getDocument: async (key) => {
      if (mediaDenied) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
      return documents.get(key);
    },
  },
  clock: () => NOW,
  log: {
    info: (message, extra) => logs.push({ level: 'info', message, extra }),
    warn: (message, extra) => logs.push({ level: 'warn', message, extra }),
    error: (message, extra) => logs.push({ level: 'error', message, extra }),
  },
  publicKey: webhookPublicKey(signer.publicKey),
  clientStateSecret: async () => CLIENT_STATE_SECRET,
  faxIn: { enqueue: async (message) => void faxIn.push(message) },
});

beforeEach(async () => {
  ledger = await ledgerWith('queued', FAX_ID);
  sent = [];
  mailerFailures = 0;
  documents = new Map([['doc-1', new Uint8Array([37, 80, 68, 70])]]);
  mediaDenied = false;
  logs = [];
  attachFailedDocument = false;
  transmissionReport = 'off';
  faxIn = [];
});

function eventBody(type: string, payload: Record<string, unknown> = {}, id?: string) {
  return faxEventBody(KEY, FAX_ID, type, payload, { id });
}

function signed(body: string, overrides: Partial<WebhookRequest> = {}): WebhookRequest {
  const ts = String(Math.floor(NOW.getTime() / 1000));
  return {
    method: 'POST',
    headers: { 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': signer.sign(ts, body) },
    body,
    isBase64Encoded: false,
    ...overrides,
  };
}

const deliver = (body: string) => handleFaxWebhook(signed(body), deps());
const delivered = (id?: string) =>
  eventBody('fax.delivered', { page_count: 3, call_duration_secs: 58 }, id);
const job = () => ledger.jobs.get(jobPk(KEY)) as FaxJob;

describe('fax webhook', () => {
  it('records each step and sends one result email on delivery', async () => {
    for (const type of ['fax.queued', 'fax.media.processed', 'fax.sending.started']) {
      expect(await deliver(eventBody(type))).toMatchObject({ statusCode: 200 });
      expect(sent).toHaveLength(0);
    }
    const response = await deliver(delivered());
    expect(response).toMatchObject({
      statusCode: 200,
      outcome: { kind: 'result_sent', status: 'delivered' },
    });
    expect(job()).toMatchObject({
      status: 'delivered',
      pageCount: 3,
      callDurationSecs: 58,
      statusTimes: {
        'media.processed': '2026-03-05T15:14:07.677Z',
        sending: '2026-03-05T15:14:07.677Z',
        delivered: '2026-03-05T15:14:07.677Z',
      },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: 'alice@example.com',
      from: 'fax@fax.example.com',
      subject: 'Fax delivered: Lab results',
      inReplyTo: '<m1@example.com>',
    });
    expect(sent[0]?.text.split('\n')[0]).toBe('Fax delivered to +1 312-555-1234: 3 pages, 58 s');
  });

  it('sends a failure email with the reason', async () => {
    await deliver(eventBody('fax.failed', { failure_reason: 'user_busy' }));
    expect(job()).toMatchObject({ status: 'failed', failureReason: 'user_busy' });
    expect(sent.map((email) => email.text.split('\n')[0])).toEqual([
      'Fax to +1 312-555-1234 failed: the line was busy',
    ]);
    expect(sent[0]?.attachments).toBeUndefined();
  });

  describe('refuses, without touching anything', () => {
    const body = delivered();
    const ts = String(Math.floor(NOW.getTime() / 1000));
    const stale = String(Number(ts) - 301);
    const big = JSON.stringify({ data: { padding: 'x'.repeat(256 * 1024) } });
    it.each([
      ['GET', signed(body, { method: 'GET' }), 405],
      ['a body over 256 KB', signed(big), 413],
      ['no signature', signed(body, { headers: { 'telnyx-timestamp': ts } }), 401],
      ['a forged signature', signed(body, { body: body.replace('58', '59') }), 401],
      [
        'a replayed old delivery',
        signed(body, {
          headers: {
            'telnyx-timestamp': stale,
            'telnyx-signature-ed25519': signer.sign(stale, body),
          },
        }),
        401,
      ],
      ['a body that is not JSON', signed('{"data":'), 400],
      ['JSON that is not a Telnyx event', signed('{"hello":"world"}'), 400],
      [
        'a fax event without a fax id',
        signed('{"data":{"id":"e","event_type":"fax.delivered","payload":{}}}'),
        400,
      ],
    ])('%s', async (_name, request, statusCode) => {
      const response = await handleFaxWebhook(request, deps());
      expect(response.statusCode).toBe(statusCode);
      expect(ledger.calls).toBe(0);
      expect(sent).toHaveLength(0);
      expect(logs).toHaveLength(1);
      expect(logs[0]?.level).toBe('warn');
      expect(JSON.stringify(logs)).not.toContain('58');
    });
  });

  it('reads a base64-encoded body', async () => {
    const body = delivered();
    const request = signed(body, {
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });
    expect((await handleFaxWebhook(request, deps())).outcome.kind).toBe('result_sent');
  });

  it('acknowledges and ignores event types it does not handle', async () => {
    const response = await deliver(eventBody('fax.email.delivered'));
    expect(response).toMatchObject({ statusCode: 200, outcome: { kind: 'ignored' } });
    expect(ledger.calls).toBe(0);
    expect(logs[0]).toMatchObject({ level: 'info', extra: { eventType: 'fax.email.delivered' } });
  });

  it('processes the same event once when delivered twice', async () => {
    const body = delivered('evt-dup');
    await deliver(body);
    const again = await deliver(body);
    expect(again).toMatchObject({ statusCode: 200, outcome: { kind: 'duplicate' } });
    expect(sent).toHaveLength(1);
  });

  it('sends one email when the same event arrives twice at the same time', async () => {
    const body = delivered('evt-twin');
    const responses = await Promise.all([deliver(body), deliver(body), deliver(body)]);
    // The twins find the email being sent and ask Telnyx to deliver again (503), in case it fails.
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 503, 503]);
    expect(sent).toHaveLength(1);
    expect(await deliver(body)).toMatchObject({ statusCode: 200, outcome: { kind: 'duplicate' } });
  });

  it('sends one email when delivered and a second delivered event race', async () => {
    await Promise.all([deliver(delivered()), deliver(delivered())]);
    expect(sent).toHaveLength(1);
  });

  it('never moves backwards: a late sending.started after delivered changes nothing', async () => {
    await deliver(delivered());
    const late = await deliver(eventBody('fax.sending.started'));
    expect(late).toMatchObject({ statusCode: 200, outcome: { kind: 'recorded', changed: false } });
    expect(job().status).toBe('delivered');
    expect(sent).toHaveLength(1);
  });

  it('keeps the first terminal status and its email when failed follows delivered', async () => {
    await deliver(delivered());
    await deliver(eventBody('fax.failed', { failure_reason: 'user_busy' }));
    expect(job()).toMatchObject({ status: 'delivered' });
    expect(job().failureReason).toBeUndefined();
    expect(sent).toHaveLength(1);
  });

  it('answers 500 when SES fails, and the retry sends exactly one email', async () => {
    mailerFailures = 1;
    const body = delivered('evt-retry');
    const first = await deliver(body);
    expect(first).toMatchObject({ statusCode: 500, outcome: { kind: 'result_failed' } });
    expect(job().status).toBe('delivered');
    expect(sent).toHaveLength(0);
    const retry = await deliver(body);
    expect(retry).toMatchObject({ statusCode: 200, outcome: { kind: 'result_sent' } });
    expect(await deliver(body)).toMatchObject({ outcome: { kind: 'duplicate' } });
    expect(sent).toHaveLength(1);
  });

  it('a concurrent twin does not hide an SES failure from the retry', async () => {
    mailerFailures = 1;
    const body = delivered('evt-twin-fail');
    const responses = await Promise.all([deliver(body), deliver(body)]);
    // One failed at SES (500); its twin found the claim held (503): Telnyx delivers both again.
    expect(responses.map((r) => r.statusCode).sort()).toEqual([500, 503]);
    expect(sent).toHaveLength(0);
    expect(await deliver(body)).toMatchObject({ outcome: { kind: 'result_sent' } });
    expect(sent).toHaveLength(1);
  });

  it('answers 500 when the ledger fails, without marking the event', async () => {
    ledger.getJob = async () => {
      throw new Error('DynamoDB is unavailable');
    };
    const response = await deliver(delivered('evt-db'));
    expect(response.statusCode).toBe(500);
    expect(ledger.events.has('evt-db')).toBe(false);
  });

  it('answers 500 when the client_state key cannot be read, so that Telnyx delivers again', async () => {
    const unreadable = {
      ...deps(),
      clientStateSecret: async () => {
        throw new Error('Secrets Manager is unavailable');
      },
    };
    const response = await handleFaxWebhook(signed(delivered('evt-no-key')), unreadable);
    expect(response).toMatchObject({ statusCode: 500, outcome: { kind: 'error' } });
    expect(job().status).toBe('queued');
    expect(ledger.events.has('evt-no-key')).toBe(false);
    expect(sent).toHaveLength(0);
  });

  describe('a fax the ledger does not know', () => {
    it.each([
      ['no client_state', { client_state: undefined }],
      ['a client_state that is not ours', { client_state: 'aGF2ZSBhIG5pY2UgZGF5' }],
      ['no such job', { client_state: clientStateFor({ messageId: 'x', recipient: '+1' }) }],
      ['another fax id on the job', { fax_id: 'another-fax' }],
    ])('%s: 200 and a warning', async (_name, payload) => {
      const response = await deliver(eventBody('fax.delivered', payload));
      expect(response).toMatchObject({ statusCode: 200, outcome: { kind: 'ignored' } });
      expect(logs.some((entry) => entry.level === 'warn')).toBe(true);
      expect(job().status).toBe('queued');
      expect(sent).toHaveLength(0);
    });
  });

  describe('a validly signed event about another fax, which takes over no job', () => {
    const OTHER: JobKey = { messageId: 'ses-2', recipient: '+13125559876' };
    let other: () => FaxJob;

    beforeEach(async () => {
      // Both jobs wait for Telnyx's first webhook, as after a POST whose answer was lost.
      ledger = await ledgerWith('unknown');
      await ledger.claimFax(newJob({ ...OTHER, subject: 'Other' }));
      await ledger.advance(OTHER, { status: 'unknown', at: '2026-03-05T15:13:00.000Z' });
      ledger.calls = 0;
      other = () => ledger.jobs.get(jobPk(OTHER)) as FaxJob;
    });

    const unchanged = () => {
      expect(job()).toMatchObject({ status: 'unknown' });
      expect(job().faxId).toBeUndefined();
      expect(other()).toMatchObject({ status: 'unknown' });
      expect(other().faxId).toBeUndefined();
      expect(sent).toHaveLength(0);
      expect(ledger.events.size).toBe(0);
    };

    it.each([
      ['naming another job, signed with another key', encodeClientState(OTHER, 1, 'x'.repeat(48))],
      ['naming another job in the old unsigned form', oldClientState(OTHER)],
      ['with a MAC copied from another job', withMacOf(OTHER, KEY)],
    ])('a forged client_state %s', async (_name, clientState) => {
      for (const type of ['fax.queued', 'fax.delivered']) {
        const body = faxEventBody(OTHER, 'attacker-fax', type, { client_state: clientState });
        expect(await deliver(body)).toMatchObject({
          statusCode: 200,
          outcome: { kind: 'ignored', reason: 'forged_client_state' },
        });
      }
      unchanged();
    });

    it('a valid client_state, but another fax id than the job has', async () => {
      ledger = await ledgerWith('queued', FAX_ID);
      const response = await deliver(faxEventBody(KEY, 'attacker-fax', 'fax.failed'));
      expect(response).toMatchObject({
        statusCode: 200,
        outcome: { kind: 'ignored', reason: 'other_fax' },
      });
      expect(job()).toMatchObject({ status: 'queued', faxId: FAX_ID });
      expect(sent).toHaveLength(0);
    });

    it('a valid client_state, but a fax to another number', async () => {
      for (const type of ['fax.queued', 'fax.delivered']) {
        const body = faxEventBody(KEY, 'attacker-fax', type, { to: '+13125550000' });
        expect(await deliver(body)).toMatchObject({
          statusCode: 200,
          outcome: { kind: 'ignored', reason: 'other_number' },
        });
      }
      expect(
        await deliver(faxEventBody(KEY, 'attacker-fax', 'fax.queued', { to: null })),
      ).toMatchObject({ outcome: { kind: 'ignored', reason: 'other_number' } });
      unchanged();
    });

    it('logs each without the subject, the sender or the client_state', async () => {
      const forged = encodeClientState(OTHER, 1, 'x'.repeat(48));
      await deliver(faxEventBody(OTHER, 'attacker-fax', 'fax.queued', { client_state: forged }));
      await deliver(faxEventBody(KEY, 'attacker-fax', 'fax.queued', { to: '+13125550000' }));
      expect(logs.map((entry) => [entry.level, entry.extra?.reason])).toEqual([
        ['warn', 'forged_client_state'],
        ['warn', 'other_number'],
      ]);
      const logged = JSON.stringify(logs);
      for (const content of ['Lab results', 'Other', 'alice@example.com', forged, 'ses-2']) {
        expect(logged).not.toContain(content);
      }
    });

    it('still lets the job adopt the fax id of its own fax', async () => {
      await deliver(eventBody('fax.queued'));
      expect(job()).toMatchObject({ status: 'queued', faxId: FAX_ID });
      expect(other().faxId).toBeUndefined();
    });
  });

  it('hands an event about a received fax to the receiver, never to the job it names', async () => {
    const answer = await deliver(eventBody('fax.failed', { direction: 'inbound' }));
    expect(answer).toMatchObject({ statusCode: 200, outcome: { kind: 'fax_in_queued' } });
    expect(faxIn).toMatchObject([{ kind: 'failed', fax: { faxId: FAX_ID } }]);
    expect(job().status).toBe('queued');
    expect(sent).toHaveLength(0);
  });

  it('adopts the fax id when the inbound path never learned it', async () => {
    ledger = await ledgerWith('unknown');
    await deliver(eventBody('fax.queued'));
    expect(job()).toMatchObject({ status: 'queued', faxId: FAX_ID });
    await deliver(delivered());
    expect(sent).toHaveLength(1);
  });

  it('sends nothing for a job that was never sent', async () => {
    ledger = await ledgerWith('not_sent');
    const response = await deliver(delivered());
    expect(response.outcome.kind).toBe('recorded');
    expect(sent).toHaveLength(0);
  });

  describe('attaching the document to failure emails', () => {
    const failure = () => eventBody('fax.failed', { failure_reason: 'receiver_no_answer' });

    it('attaches it when the setting asks', async () => {
      attachFailedDocument = true;
      await deliver(failure());
      expect(sent[0]?.attachments?.[0]).toMatchObject({ contentType: 'application/pdf' });
    });

    it('says so when the document is gone', async () => {
      attachFailedDocument = true;
      documents.clear();
      await deliver(failure());
      expect(sent[0]?.attachments).toBeUndefined();
      expect(sent[0]?.text).toContain('no longer stored here');
    });

    it('still sends the email when the document cannot be read (S3 says AccessDenied)', async () => {
      attachFailedDocument = true;
      mediaDenied = true;
      expect((await deliver(failure())).statusCode).toBe(200);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.text).toContain('no longer stored here');
    });

    it('never attaches it to a delivery email', async () => {
      attachFailedDocument = true;
      await deliver(delivered());
      expect(sent[0]?.attachments).toBeUndefined();
    });
  });

  describe('the transmission report on delivery emails', () => {
    const reportOf = async () => {
      const attachment = sent[0]?.attachments?.[0];
      expect(attachment).toMatchObject({
        filename: 'transmission-report-13125551234.pdf',
        contentType: 'application/pdf',
      });
      const pdf = await PDFDocument.load(attachment?.content as Uint8Array);
      const xObjects = pdf.getPage(0).node.Resources()?.lookup(PDFName.of('XObject'));
      const placed = xObjects instanceof PDFDict ? xObjects.keys().length : 0;
      return { pages: pdf.getPageCount(), withImage: placed > 0 };
    };
    const faxDocument = async () => {
      const pdf = await PDFDocument.create();
      pdf.addPage([612, 792]).drawText('Referral', { x: 72, y: 700 });
      return pdf.save();
    };

    it('attaches one page with a reduced page 1 of the fax by default', async () => {
      transmissionReport = 'on';
      documents.set('doc-1', await faxDocument());
      await deliver(delivered());
      expect(await reportOf()).toEqual({ pages: 1, withImage: true });
      expect(sent[0]?.text).toContain('The transmission report attached to this email');
    });

    it('leaves page 1 out with no-image, and out of the way when the document is unreadable', async () => {
      transmissionReport = 'no-image';
      documents.set('doc-1', await faxDocument());
      await deliver(delivered());
      expect(await reportOf()).toEqual({ pages: 1, withImage: false });
      transmissionReport = 'on';
      ledger = await ledgerWith('queued', FAX_ID);
      sent = [];
      documents.set('doc-1', new Uint8Array([37, 80, 68, 70]));
      await deliver(delivered('evt-2'));
      expect(await reportOf()).toEqual({ pages: 1, withImage: false });
    });

    it('attaches nothing when off, and never to a failure email', async () => {
      await deliver(delivered());
      expect(sent[0]?.attachments).toBeUndefined();
      transmissionReport = 'on';
      ledger = await ledgerWith('queued', FAX_ID);
      sent = [];
      await deliver(eventBody('fax.failed', { failure_reason: 'user_busy' }));
      expect(sent[0]?.attachments).toBeUndefined();
    });
  });

  it('logs with the event and fax ids', async () => {
    await deliver(delivered('evt-log'));
    expect(logs.at(-1)).toMatchObject({
      message: 'result email sent',
      extra: { eventId: 'evt-log', faxId: FAX_ID, eventType: 'fax.delivered' },
    });
  });
});
