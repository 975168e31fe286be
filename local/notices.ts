// npm run notices: every email the sender can get, rendered from fixtures into one local page,
// to read the wording and look at the layout in a browser without sending a fax.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { faxFacts } from '../fixtures/fax-jobs';
import { processEnv } from '../functions/config/process-env';
import {
  type NoticeContext,
  type RecipientResult,
  recipientsNotice,
  refusalNotice,
} from '../functions/core/inbound/inbound-notice';
import type { RecipientProblem, Refusal, RefusalCode } from '../functions/core/inbound/refusals';
import { FAILURE_REASONS, type FailureAdvice } from '../functions/core/shared/failure-reasons';
import type { FaxJob, OutgoingEmail } from '../functions/core/shared/ports';
import { resultEmail } from '../functions/core/shared/result-email';
import { escapeHtml } from '../functions/core/shared/text-safety';
import { transmissionReport } from '../functions/core/shared/transmission-report';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const FROM = 'Office Fax <fax@fax.example.com>';
const ADMIN = 'Pat Admin, IT desk, ext. 204';
const TIME_ZONE = 'America/Chicago';

const context: NoticeContext = {
  noticeFrom: FROM,
  sender: 'dr.demo@example.com',
  subject: 'Referral for J. Smith',
  emailMessageId: '<demo-1@example.com>',
  adminContact: ADMIN,
  faxDomain: 'fax.example.com',
  defaultCountry: 'US',
};

/** One of each refusal: the mapped type makes a new refusal code a compile error here until shown. */
const REFUSALS: { [C in RefusalCode]: Extract<Refusal, { code: C }> } = {
  sender_not_allowed: { code: 'sender_not_allowed', sender: 'stranger@elsewhere.example' },
  recipients_not_signed: { code: 'recipients_not_signed' },
  recipients_changed: { code: 'recipients_changed' },
  email_too_old: { code: 'email_too_old', limitHours: 72 },
  email_from_future: { code: 'email_from_future', limitHours: 2 },
  email_date_unsigned: { code: 'email_date_unsigned' },
  message_id_unsigned: { code: 'message_id_unsigned' },
  too_many_recipients: { code: 'too_many_recipients', count: 11, limit: 10 },
  no_document: { code: 'no_document' },
  unsupported_document: { code: 'unsupported_document', files: ['letter.docx'] },
  winmail_dat: { code: 'winmail_dat', file: 'winmail.dat' },
  encrypted_email: { code: 'encrypted_email' },
  encrypted_pdf: { code: 'encrypted_pdf', file: 'results.pdf' },
  unreadable_document: { code: 'unreadable_document', file: 'scan.pdf' },
  empty_attachment: { code: 'empty_attachment', file: 'blank.pdf' },
  too_many_pages: { code: 'too_many_pages', pages: 412, limit: 350 },
  too_large: { code: 'too_large', megabytes: 61, limit: 40 },
  image_too_large: {
    code: 'image_too_large',
    file: 'panorama.jpg',
    width: 30000,
    height: 2000,
    limit: 10000,
  },
  image_too_big_to_open: {
    code: 'image_too_big_to_open',
    file: 'poster.png',
    megabytes: 300,
    emailMegabytes: 300,
    limit: 256,
  },
  pdf_too_big_to_open: { code: 'pdf_too_big_to_open', file: 'archive.pdf' },
  too_many_attachments: { code: 'too_many_attachments', limit: 20 },
  email_too_complex: { code: 'email_too_complex' },
  daily_cap_reached: {
    code: 'daily_cap_reached',
    cap: 'sender_pages',
    limit: 200,
    used: 195,
    requested: 12,
    resetsAt: '2026-03-06T06:00:00.000Z',
    timeZone: TIME_ZONE,
  },
};

const PROBLEMS: { [C in RecipientProblem['code']]: Extract<RecipientProblem, { code: C }> } = {
  invalid_number: { code: 'invalid_number', typed: 'not-a-number' },
  special_number: { code: 'special_number', typed: '911' },
  premium_number: { code: 'premium_number', typed: '19005551234' },
  country_not_allowed: {
    code: 'country_not_allowed',
    typed: '+442071838750',
    e164: '+442071838750',
    country: 'GB',
  },
  international_network: {
    code: 'international_network',
    typed: '+88163000000',
    e164: '+88163000000',
  },
  shared_cost_number: {
    code: 'shared_cost_number',
    typed: '+448451234567',
    e164: '+448451234567',
  },
  personal_number: { code: 'personal_number', typed: '+447012345678', e164: '+447012345678' },
  foreign_toll_free: {
    code: 'foreign_toll_free',
    typed: '+448001234567',
    e164: '+448001234567',
    country: 'GB',
  },
};

/** One Telnyx reason per advice group, so that every kind of "what to do next" is shown. */
const ADVICE_EXAMPLE: Record<FailureAdvice, string> = {
  try_again_later: 'user_busy',
  check_number: 'receiver_unallocated_number',
  recipient_machine: 'receiver_no_answer',
  contact_administrator: 'account_disabled',
};

const job = (overrides: Partial<FaxJob> = {}): FaxJob => ({
  messageId: 'ses-demo-1',
  recipient: '+13125551234',
  typed: '312-555-1234',
  sender: context.sender,
  subject: context.subject,
  emailMessageId: context.emailMessageId,
  mediaKey: 'ses-demo-1',
  documentPages: 4,
  ...faxFacts([
    { filename: 'referral.pdf', pages: 2 },
    { filename: 'photo.jpg', pages: 1 },
  ]),
  emailFaxNumbers: 1,
  createdAt: '2026-03-05T15:13:02.000Z',
  expiresAt: 1_800_000_000,
  status: 'delivered',
  faxId: 'c62be5bc-9b13-4b6c-abda-34dd8b541287',
  pageCount: 4,
  callDurationSecs: 75,
  statusTimes: {
    queued: '2026-03-05T15:13:04.000Z',
    sending: '2026-03-05T15:13:20.000Z',
    delivered: '2026-03-05T15:14:35.000Z',
  },
  updatedAt: '2026-03-05T15:14:35.000Z',
  ...overrides,
});

const failedJob = (failureReason: string, overrides: Partial<FaxJob> = {}) =>
  job({
    status: 'failed',
    failureReason,
    pageCount: undefined,
    callDurationSecs: undefined,
    statusTimes: { queued: '2026-03-05T15:13:04.000Z', failed: '2026-03-05T15:13:50.000Z' },
    updatedAt: '2026-03-05T15:13:50.000Z',
    ...overrides,
  });

/** A cover page like the bridge's own, so that the report's reduced page 1 looks like one. */
async function faxDocument(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const cover = pdf.addPage([612, 792]);
  cover.drawText('FAX', { x: 54, y: 700, size: 36, font: bold });
  const lines = [
    'To: Fax (312) 555-1234',
    'From: dr.demo@example.com',
    'Pages: 4, this one included',
  ];
  for (const [i, text] of lines.entries()) {
    cover.drawText(text, { x: 54, y: 650 - i * 22, size: 14, font });
  }
  cover.drawText('Referral for J. Smith', { x: 54, y: 560, size: 18, font: bold });
  for (let n = 2; n <= 4; n++) {
    pdf.addPage([612, 792]).drawText(`Page ${n}`, { x: 72, y: 720, size: 24, font });
  }
  return pdf.save();
}

export interface NoticeSample {
  kind: string;
  email: OutgoingEmail;
}

const queued: RecipientResult = { kind: 'queued', e164: '+13125551235' };

/** A busy line at 15:13, dialled again five minutes later. */
const firstDialBusy = {
  attempt: 1,
  dialledAt: '2026-03-05T15:13:03.000Z',
  endedAt: '2026-03-05T15:13:40.000Z',
  faxId: 'a1f0c7e2-1111-4b6c-abda-34dd8b541287',
  failureReason: 'user_busy',
  counted: true,
};

const retriedJob = (overrides: Partial<FaxJob> = {}) =>
  job({
    attempt: 2,
    dials: [firstDialBusy],
    dialledAt: '2026-03-05T15:18:41.000Z',
    statusTimes: {
      queued: '2026-03-05T15:18:42.000Z',
      sending: '2026-03-05T15:18:55.000Z',
      delivered: '2026-03-05T15:20:10.000Z',
    },
    updatedAt: '2026-03-05T15:20:10.000Z',
    ...overrides,
  });

/** Every notice kind, in the order a reader meets them: results first, then problems. */
export async function noticeSamples(): Promise<NoticeSample[]> {
  const document = await faxDocument();
  const withImage = await transmissionReport(job(), TIME_ZONE, document);
  const result = (kind: string, input: Partial<Parameters<typeof resultEmail>[0]>, j: FaxJob) => ({
    kind,
    email: resultEmail({ job: j, from: FROM, timeZone: TIME_ZONE, adminContact: ADMIN, ...input }),
  });
  const recipients = (kind: string, results: RecipientResult[], skipped: string[] = []) => {
    const email = recipientsNotice(context, results, skipped);
    if (!email) throw new Error(`${kind}: no notice`);
    return { kind, email };
  };
  return [
    result('delivered, with the transmission report', { report: withImage }, job()),
    result('delivered, TRANSMISSION_REPORT=off', {}, job()),
    ...Object.entries(ADVICE_EXAMPLE).map(([advice, code]) => {
      if (FAILURE_REASONS[code]?.advice !== advice) throw new Error(`${code} is not ${advice}`);
      return result(`failed: ${advice} (${code})`, {}, failedJob(code));
    }),
    result(
      'failed: one of several numbers (user_busy)',
      { document: { kind: 'attached', pdf: document } },
      failedJob('user_busy', { emailFaxNumbers: 3 }),
    ),
    result('failed: a reason this service does not know', {}, failedJob('brand_new_reason')),
    result(
      'failed: foreign number',
      {},
      failedJob('receiver_no_answer', {
        recipient: '+442071838750',
        typed: '+44 20 7183 8750',
        recipientDisplay: {
          international: '+44 20 7183 8750',
          national: '020 7183 8750',
          domestic: false,
        },
      }),
    ),
    result('delivered on the second attempt, after a busy line', {}, retriedJob()),
    result(
      'failed after three attempts (user_busy)',
      {},
      failedJob('user_busy', {
        attempt: 3,
        dials: [
          firstDialBusy,
          { ...firstDialBusy, attempt: 2, endedAt: '2026-03-05T15:19:02.000Z' },
        ],
      }),
    ),
    result(
      'failed with some pages sent (receiver_call_dropped)',
      {},
      failedJob('receiver_call_dropped', { pageCount: 2 }),
    ),
    result(
      'not sent: refused by the fax service',
      {},
      failedJob('', { status: 'not_sent', note: 'invalid_request: Invalid number.' }),
    ),
    result(
      'not sent: never confirmed (sweeper)',
      {},
      failedJob('', { status: 'not_sent', note: 'never_confirmed: no fax with its client_state' }),
    ),
    recipients('sent without some attachments', [queued], ['letter.docx']),
    ...Object.values(PROBLEMS).map((problem) =>
      recipients(`recipient problem: ${problem.code}`, [
        { kind: 'queued', e164: '+13125551235' },
        { kind: 'problem', problem },
      ]),
    ),
    ...Object.values(REFUSALS).map((refusal) => ({
      kind: `refused: ${refusal.code}`,
      email: refusalNotice(context, refusal),
    })),
  ];
}

const anchor = (i: number) => `n${i}`;

function section(sample: NoticeSample, i: number): string {
  const { email } = sample;
  const files = (email.attachments ?? []).map((a) =>
    a.filename.startsWith('transmission-report')
      ? `<a href="notices/${escapeHtml(a.filename)}">${escapeHtml(a.filename)}</a>`
      : escapeHtml(a.filename),
  );
  return [
    `<section id="${anchor(i)}">`,
    `<h2>${i + 1}. ${escapeHtml(sample.kind)}</h2>`,
    '<table class="headers">',
    `<tr><th>From</th><td>${escapeHtml(email.from)}</td></tr>`,
    `<tr><th>Subject</th><td><b>${escapeHtml(email.subject)}</b></td></tr>`,
    `<tr><th>In-Reply-To</th><td>${escapeHtml(email.inReplyTo ?? '(none)')}</td></tr>`,
    files.length ? `<tr><th>Attached</th><td>${files.join(', ')}</td></tr>` : '',
    '</table>',
    `<iframe srcdoc="${escapeHtml(email.html)}" onload="this.style.height=this.contentDocument.documentElement.scrollHeight+'px'"></iframe>`,
    `<details><summary>Text part</summary><pre>${escapeHtml(email.text)}</pre></details>`,
    '</section>',
  ].join('\n');
}

export function noticesPage(samples: NoticeSample[]): string {
  const index = samples
    .map((s, i) => `<li><a href="#${anchor(i)}">${escapeHtml(s.kind)}</a></li>`)
    .join('\n');
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>fax-bridge notices</title>',
    '<style>body{font-family:system-ui,sans-serif;margin:24px;background:#f3f3f3;color:#222}',
    'section{background:#fff;border:1px solid #ccc;border-radius:6px;margin:0 0 24px;padding:12px 16px}',
    'h2{font-size:15px;margin:0 0 8px;color:#555}.headers{font-size:13px;margin:0 0 8px}',
    '.headers th{text-align:left;color:#777;font-weight:normal;padding-right:12px}',
    'iframe{width:100%;border:1px dashed #ddd;height:60px}pre{white-space:pre-wrap;font-size:12px}',
    'ol{columns:3;font-size:13px}</style></head><body>',
    `<h1>fax-bridge: every notice the sender can get (${samples.length})</h1>`,
    `<ol>${index}</ol>`,
    ...samples.map(section),
    '</body></html>',
  ].join('\n');
}

/** Writes the page, its linked reports and every text part; returns the page's path. */
export async function writeNotices(dataDir: string): Promise<string> {
  const samples = await noticeSamples();
  const reports = path.join(dataDir, 'notices');
  await mkdir(reports, { recursive: true });
  for (const { email } of samples) {
    for (const file of email.attachments ?? []) {
      if (file.filename.startsWith('transmission-report'))
        await writeFile(path.join(reports, file.filename), file.content);
    }
  }
  const texts = samples.map((s) => `=== ${s.kind}\nSubject: ${s.email.subject}\n\n${s.email.text}`);
  await writeFile(path.join(dataDir, 'notices.txt'), `${texts.join('\n\n')}\n`);
  const page = path.join(dataDir, 'notices.html');
  await writeFile(page, noticesPage(samples));
  return page;
}

async function main(): Promise<void> {
  const env = processEnv();
  const dataDir = path.resolve(env.LOCAL_DATA_DIR || path.join(repoRoot, '.local'));
  const page = await writeNotices(dataDir);
  console.log(`fax-bridge notices: ${page}`);
  console.log(`text parts: ${path.join(dataDir, 'notices.txt')}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`fax-bridge notices: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
