// Faxes carry health data, and file names, subjects and bodies name patients. Logs are kept for
// weeks and read by operators who may not see documents: every line a whole run logs (the core's
// and the edge's, fields included) carries ids, counts, sizes and codes, never such content.

import { beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import { MemoryCallLeases } from '../../functions/adapters/memory-call-leases';
import { noCounters, type Observability } from '../../functions/adapters/observability';
import type { InboundOutcome } from '../../functions/core/inbound/process-inbound';
import type { FaxRequest } from '../../functions/core/shared/ports';
import {
  handleFaxWebhook,
  type WebhookDeps,
  type WebhookOutcome,
} from '../../functions/core/webhook/handle-fax-webhook';
import { webhookPublicKey } from '../../functions/core/webhook/webhook-signature';
import { reportWebhook } from '../../functions/fax-webhook/outcome-report';
import { reportInbound } from '../../functions/inbound-email/outcome-report';
import {
  composeMail,
  faxAddress,
  type MemoryDeps,
  memoryDeps,
  runInbound,
} from '../support/inbound-harness';
import { RecordingQueue } from '../support/memory-dispatch';
import { type LogEntry, recordingLog } from '../support/memory-ports';
import { createTestSigner } from '../support/signature-vectors';
import { CLIENT_STATE_SECRET, faxEventBody } from '../support/telnyx-events';

const PATIENT_FILE = 'Patient Maria Gonzalez DOB 1961-04-02.pdf';
const SUBJECT = 'Referral for Maria Gonzalez';
const FROM = 'Dr. Ortiz <alice@example.com>';
const BODY = 'Maria Gonzalez has diabetes';
const CONTENT = ['Gonzalez', 'Ortiz', 'diabetes'];
const NUMBERS = ['+13125551234', '+13125551299'];

const signer = createTestSigner();

/** Every line logged, and the edge's log built on it, as the wiring gives both to the core. */
function recorder() {
  const log = recordingLog();
  const observability: Observability = {
    log: { ...log, appendKeys() {}, removeKeys() {}, addContext() {} },
    counters: noCounters,
  };
  return { entries: log.entries, log, observability };
}

const contentIn = (entries: LogEntry[]) => {
  const logged = JSON.stringify(entries);
  return CONTENT.filter((word) => logged.includes(word));
};

/** One email through the core and the edge's report, with a log of its own. */
async function mail(
  attachments: { filename: string; content: Buffer }[],
  settings: { maxPages?: number } = {},
): Promise<{ outcome: InboundOutcome; deps: MemoryDeps; entries: LogEntry[] }> {
  const { entries, log, observability } = recorder();
  const deps = memoryDeps(undefined, log);
  const raw = await composeMail({ from: FROM, subject: SUBJECT, text: BODY, attachments });
  const { outcome } = await runInbound(raw, {
    recipients: NUMBERS.map(faxAddress),
    settings,
    deps,
  });
  reportInbound(outcome, observability);
  return { outcome, deps, entries };
}

let pdf: Buffer;
const docx = () => ({
  filename: 'Maria Gonzalez diabetes notes.docx',
  content: Buffer.from('PK\u0003\u0004 not really a Word file'),
});

beforeAll(async () => {
  pdf = await makePdf(3);
});

describe('logs of whole runs, for an email that names a patient everywhere', () => {
  let faxed: Awaited<ReturnType<typeof mail>>;

  beforeAll(async () => {
    faxed = await mail([{ filename: PATIENT_FILE, content: pdf }, docx()]);
  });

  it('faxed (the .docx beside the PDF skipped): no content in any line', () => {
    expect(faxed.outcome).toMatchObject({ kind: 'faxed' });
    expect(faxed.deps.fax.requests.map((r) => r.to)).toEqual(NUMBERS);
    // The notice about the skipped file names it: the content was there to leak.
    expect(faxed.deps.mailer.sent.map((n) => n.text).join('\n')).toContain('Gonzalez');
    expect(faxed.entries.map((e) => e.message)).toEqual(
      expect.arrayContaining(['document built', 'fax request answered', 'email handled']),
    );
    expect(contentIn(faxed.entries)).toEqual([]);
  });

  it.each([
    ['a .docx alone', () => [docx()], {}, 'unsupported_document'],
    [
      'a document over MAX_PAGES',
      () => [{ filename: PATIENT_FILE, content: pdf }],
      { maxPages: 2 },
      'too_many_pages',
    ],
  ])('refused for %s: no content in any line', async (_name, attachments, settings, code) => {
    const refused = await mail(attachments(), settings);
    expect(refused.outcome).toMatchObject({ kind: 'refused', refusal: { code } });
    expect(refused.deps.fax.requests).toEqual([]);
    expect(refused.deps.mailer.sent).toHaveLength(1);
    expect(refused.entries.map((e) => e.message)).toContain('email refused');
    expect(contentIn(refused.entries)).toEqual([]);
  });

  it('a delivered and a failed webhook for its faxes, and one about another number: no content', async () => {
    const { entries, log, observability } = recorder();
    const now = new Date('2026-11-27T10:05:00Z');
    const deps: WebhookDeps = {
      settings: {
        noticeFrom: 'fax@fax.example.com',
        noticeTimeZone: 'UTC',
        attachFailedDocument: true,
        transmissionReport: 'on',
        retentionDays: 7,
        channels: 2,
        retry: { attempts: 1, delaySeconds: 300 },
      },
      ledger: faxed.deps.ledger,
      leases: new MemoryCallLeases(),
      queue: new RecordingQueue(),
      random: () => 0.5,
      mailer: faxed.deps.mailer,
      media: faxed.deps.media,
      clock: () => now,
      log,
      publicKey: webhookPublicKey(signer.publicKey),
      clientStateSecret: async () => CLIENT_STATE_SECRET,
      faxIn: { enqueue: async () => {} },
    };
    const [first, second] = faxed.deps.fax.requests as [FaxRequest, FaxRequest];
    const event = (request: FaxRequest, faxId: string, type: string, extra = {}) =>
      faxEventBody({ messageId: 'from-client-state', recipient: request.to }, faxId, type, {
        client_state: request.clientState,
        ...extra,
      });
    const bodies = [
      event(first, 'fax-1', 'fax.delivered', { page_count: 4, call_duration_secs: 60 }),
      event(second, 'fax-2', 'fax.failed', { failure_reason: 'receiver_no_answer' }),
      event(second, 'fax-3', 'fax.queued', { to: '+13125550000' }),
    ];
    const outcomes: WebhookOutcome[] = [];
    for (const body of bodies) {
      const ts = String(Math.floor(now.getTime() / 1000));
      const headers = { 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': signer.sign(ts, body) };
      const response = await handleFaxWebhook(
        { method: 'POST', headers, body, isBase64Encoded: false },
        deps,
      );
      reportWebhook(response.outcome, observability);
      outcomes.push(response.outcome);
    }
    expect(outcomes.map((o) => o.kind)).toEqual(['result_sent', 'result_sent', 'ignored']);
    const results = faxed.deps.mailer.sent.slice(-2);
    expect(results.map((r) => r.subject).sort()).toEqual([
      `Fax delivered: ${SUBJECT}`,
      `Fax failed: ${SUBJECT}`,
    ]);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(contentIn(entries)).toEqual([]);
  });
});
