// Mail to and from the local bridge as a person's mail program sees it: SMTP in, the SES
// stand-in's store over HTTP out.
import nodemailer from 'nodemailer';
import { makeJpeg, makePdf } from '../../fixtures/documents';
import type { Bridge } from '../../local/bridge';
import { ANY_FREE_PORTS } from '../../local/settings';
import type { SesStoredEmail } from '../../local/stand-ins';

export const SENDER = 'nurse@example.com';

const quiet = { POWERTOOLS_LOG_LEVEL: 'CRITICAL', POWERTOOLS_METRICS_DISABLED: 'true' };

export async function bridgeEnv(dataDir: string, extra: Record<string, string> = {}) {
  return {
    ...process.env,
    ...quiet,
    LOCAL_DATA_DIR: dataDir,
    ...ANY_FREE_PORTS,
    LOCAL_TELNYX_STEP_MS: '20',
    ALLOWED_SENDERS: '@example.com',
    RETRY_DELAY_SECONDS: '1',
    DISPATCH_WAIT_SECONDS: '1',
    ...extra,
  };
}

export async function sendFax(
  bridge: Bridge,
  to: string[],
  options: { from?: string; subject?: string } = {},
) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: bridge.smtpPort });
  try {
    return await transport.sendMail({
      from: options.from ?? SENDER,
      to,
      subject: options.subject ?? 'Discharge summary',
      text: '',
      attachments: [
        { filename: 'summary.pdf', content: await makePdf(2) },
        { filename: 'wound.jpg', content: makeJpeg(800, 600) },
      ],
    });
  } finally {
    transport.close();
  }
}

// aws-ses-v2-local keeps one store per process, so each test looks only at replies to its own
// subject: "Fax delivered: <subject>", "Fax failed: <subject>", "Fax not sent: <subject>".
export async function replies(bridge: Bridge, address: string, subject: string) {
  const response = await fetch(`${bridge.urls.ses}/store`);
  const { emails } = (await response.json()) as { emails: SesStoredEmail[] };
  const reply = new RegExp(`^Fax [a-z ]+: ${subject}$`);
  return emails.filter((e) => e.destination.to.includes(address) && reply.test(e.subject));
}

/** Polls the SES stand-in over HTTP until `count` replies arrived, then waits for stragglers. */
export async function waitForReplies(
  bridge: Bridge,
  address: string,
  subject: string,
  count: number,
) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if ((await replies(bridge, address, subject)).length >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Late duplicates would arrive within this quiet period.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return replies(bridge, address, subject);
}

export const headline = (email: SesStoredEmail | undefined) => email?.body.text?.split('\n')[0];
