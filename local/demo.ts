// npm run demo: the whole bridge on local stand-ins, one email in, two faxes out, two results back.
import './quiet-sdk';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
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
const BUSY = '+13125550001';
const SUBJECT = 'Referral for J. Smith';
const TIMEOUT_MS = 45_000;

const started = Date.now();
const line = (text: string) =>
  console.log(`${`+${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(7)}  ${text}`);

async function sendDemoEmail(bridge: Bridge): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: bridge.smtpPort });
  const info = await transport.sendMail({
    from: `Dr. Demo <${SENDER}>`,
    to: [`${DELIVERED}@fax.localhost`, `${BUSY}@fax.localhost`],
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
    if (results.length >= 2 || Date.now() > deadline) return results;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function judge(results: SesStoredEmail[]): string[] {
  const texts = results.map((e) => e.body.text ?? '');
  const problems: string[] = [];
  if (results.length !== 2) problems.push(`expected 2 result emails, got ${results.length}`);
  if (!texts.some((t) => t.startsWith('Fax delivered to (312) 555-0100: 4 pages')))
    problems.push(
      'no "delivered" email for (312) 555-0100 with 4 pages (cover, 2 PDF pages, photo)',
    );
  if (!texts.some((t) => t.startsWith('Fax to (312) 555-0001 failed: the line was busy')))
    problems.push('no "busy" email for (312) 555-0001');
  const subjects = results.map((e) => e.subject).sort();
  if (subjects.join('\n') !== [`Fax delivered: ${SUBJECT}`, `Fax failed: ${SUBJECT}`].join('\n'))
    problems.push('the result emails\' subjects do not say "Fax delivered" and "Fax failed"');
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
    line(`demo: ${SENDER} emails a 2-page PDF and a photo to ${DELIVERED} and ${BUSY} (busy)`);
    await sendDemoEmail(bridge);
    const results = await waitForResults(bridge);
    for (const email of results) {
      console.log(`\n──── To: ${email.destination.to.join(', ')} · Subject: ${email.subject}`);
      console.log(email.body.text);
    }
    const problems = judge(results);
    console.log(
      problems.length === 0
        ? '\nfax-bridge demo: OK, one fax delivered and one busy, each reported to the sender.'
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
