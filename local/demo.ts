// npm run demo: the whole bridge on local stand-ins, one email in, three faxes out (one of them
// dialled again after a busy line), three results back; then one fax in, emailed to its route.
import './quiet-sdk';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { PDFDocument } from 'pdf-lib';
import { makeJpeg, makePdf } from '../fixtures/documents';
import { processEnv } from '../functions/config/process-env';
import { type Bridge, startBridge } from './bridge';
import { ANY_FREE_PORTS } from './settings';
import type { SesStoredEmail } from './stand-ins';
import { telnyxActivityLine } from './telnyx-activity-line';
import { timelineLine } from './timeline';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const SENDER = 'dr.demo@example.com';
const DELIVERED = '+13125550100';
/** Busy on the first dial, delivered on the second (the emulator's 0005). */
const BUSY_ONCE = '+13125550005';
const BUSY = '+13125550001';
const SUBJECT = 'Referral for J. Smith';
const TIMEOUT_MS = 60_000;
/** A fax to the bridge's number, and where the local mode's INBOUND_ROUTES sends it. */
const CALLER = '+13125551234';
const OUR_NUMBER = '+13125550199';
const FRONT_DESK = 'frontdesk@example.com';
const INBOUND_TIMEOUT_MS = 15_000;

const started = Date.now();
const line = (text: string) =>
  console.log(`${`+${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(7)}  ${text}`);

async function sendDemoEmail(bridge: Bridge): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: bridge.smtpPort });
  const info = await transport.sendMail({
    from: `Dr. Demo <${SENDER}>`,
    to: [DELIVERED, BUSY_ONCE, BUSY].map((number) => `${number}@fax.localhost`),
    subject: SUBJECT,
    text: 'Hello,\n\nplease find the referral letter and the photo of the rash attached.\n\nDr. Demo\n\nSent from my iPhone',
    attachments: [
      { filename: 'referral.pdf', content: await makePdf(2) },
      { filename: 'photo.jpg', content: makeJpeg(1600, 1200) },
    ],
  });
  transport.close();
  line(`smtp: the bridge answered ${info.response}`);
}

async function waitForResults(bridge: Bridge): Promise<SesStoredEmail[]> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const results = (await bridge.sentEmails()).filter(
      (e) => e.destination.to.includes(SENDER) && /^Fax (delivered|to)/.test(e.body.text ?? ''),
    );
    if (results.length >= 3 || Date.now() > deadline) return results;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function judge(results: SesStoredEmail[]): string[] {
  const texts = results.map((e) => e.body.text ?? '');
  const problems: string[] = [];
  if (results.length !== 3) problems.push(`expected 3 result emails, got ${results.length}`);
  if (!texts.some((t) => t.startsWith('Fax delivered to (312) 555-0100: 4 pages')))
    problems.push(
      'no "delivered" email for (312) 555-0100 with 4 pages (cover, 2 PDF pages, photo)',
    );
  const retried = texts.find((t) => t.startsWith('Fax delivered to (312) 555-0005'));
  if (!retried?.includes('It went through on the second attempt'))
    problems.push('no "delivered on the second attempt" email for (312) 555-0005');
  if (!texts.some((t) => t.startsWith('Fax to (312) 555-0001 failed after 2 attempts')))
    problems.push('no "failed after 2 attempts" email for (312) 555-0001');
  const subjects = results.map((e) => e.subject).sort();
  const expected = [
    `Fax delivered: ${SUBJECT}`,
    `Fax delivered: ${SUBJECT}`,
    `Fax failed: ${SUBJECT}`,
  ];
  if (subjects.join('\n') !== expected.join('\n'))
    problems.push('the result emails\' subjects do not say "Fax delivered" twice and "Fax failed"');
  return problems;
}

/** A 2-page fax from CALLER, whose media link has already expired: the bridge must refresh it. */
async function receiveDemoFax(bridge: Bridge): Promise<SesStoredEmail[]> {
  const emulator = bridge.emulator as NonNullable<Bridge['emulator']>;
  await emulator.receive({
    document: await makePdf(2),
    from: CALLER,
    to: OUR_NUMBER,
    callerName: 'Dr. Ortiz',
    expireLinkAfterMs: 0,
  });
  const deadline = Date.now() + INBOUND_TIMEOUT_MS;
  for (;;) {
    const emails = (await bridge.sentEmails()).filter((e) => e.destination.to.includes(FRONT_DESK));
    if (emails.length > 0 || Date.now() > deadline) return emails;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function judgeReceived(emails: SesStoredEmail[]): Promise<string[]> {
  if (emails.length !== 1)
    return [`expected 1 received-fax email to ${FRONT_DESK}, got ${emails.length}`];
  const [email] = emails as [SesStoredEmail];
  const problems: string[] = [];
  if (email.subject !== 'Fax from Dr. Ortiz (+1 312-555-1234), 2 pages')
    problems.push(`the received-fax email's subject is "${email.subject}"`);
  if (!email.replyTo.includes(`${CALLER}@fax.localhost`))
    problems.push(`the received-fax email does not reply to ${CALLER}@fax.localhost`);
  const pdf = email.attachments.find((a) => a.filename?.endsWith('.pdf'));
  const pages = pdf
    ? (await PDFDocument.load(Buffer.from(pdf.content, 'base64'))).getPageCount()
    : 0;
  if (pages !== 2)
    problems.push(`the received fax is not attached as a 2-page PDF (${pages} pages)`);
  return problems;
}

async function main(): Promise<number> {
  const env = processEnv();
  // Its own folder, emptied first, so that a demo never mixes with what `npm start` keeps.
  const dataDir = path.resolve(env.LOCAL_DATA_DIR || path.join(repoRoot, '.local', 'demo'));
  await rm(dataDir, { recursive: true, force: true });
  const bridge = await startBridge({
    env: {
      // The demo runs beside `npm start` on free ports, unless ports are set.
      ...ANY_FREE_PORTS,
      ...env,
      LOCAL_DATA_DIR: dataDir,
      ALLOWED_SENDERS: '@example.com',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      // Two dials, seconds apart: the demo shows a retry without keeping anyone waiting.
      RETRY_ATTEMPTS: '2',
      RETRY_DELAY_SECONDS: '3',
    },
    dataNote: 'emptied at the start of every demo',
    log: line,
    onLogEntry: (entry) => {
      const shown = timelineLine(entry);
      if (shown) line(shown);
    },
    onTelnyxActivity: (activity) => line(telnyxActivityLine(activity)),
  });
  try {
    line(
      `demo: ${SENDER} emails a 2-page PDF and a photo to ${DELIVERED}, ${BUSY_ONCE} (busy at first) and ${BUSY} (always busy)`,
    );
    await sendDemoEmail(bridge);
    const results = await waitForResults(bridge);
    for (const email of results) {
      console.log(`\n──── To: ${email.destination.to.join(', ')} · Subject: ${email.subject}`);
      console.log(email.body.text);
    }
    line(
      `demo: ${CALLER} faxes 2 pages to ${OUR_NUMBER}; its media link has expired before the bridge fetches it`,
    );
    const received = await receiveDemoFax(bridge);
    for (const email of received) {
      console.log(`\n──── To: ${email.destination.to.join(', ')} · Subject: ${email.subject}`);
      console.log(
        `Reply-To: ${email.replyTo.join(', ')} · Attached: ${email.attachments.map((a) => a.filename).join(', ')}`,
      );
      console.log(email.body.text);
    }
    const problems = [...judge(results), ...(await judgeReceived(received))];
    console.log(
      problems.length === 0
        ? '\nfax-bridge demo: OK, one fax delivered, one delivered on its second dial and one busy on both, each reported to the sender once; one fax received and emailed to its route.'
        : `\nfax-bridge demo: FAILED: ${problems.join('; ')}`,
    );
    return problems.length === 0 ? 0 : 1;
  } finally {
    await bridge.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `fax-bridge demo: could not run: ${error instanceof Error ? error.message : error}`,
    );
    process.exit(1);
  },
);
