// npm run send -- --to +13125551234 [--to …] [--from you@example.com] [--subject …] file.pdf …
// Sends files to the running local bridge over SMTP and prints what the server answered.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { processEnv } from '../functions/config/process-env';
import { LOCAL_HOST, loadLocalSettings } from './settings';

const USAGE =
  'usage: npm run send -- --to +13125551234 [--to …] [--from you@example.com] [--subject text] file.pdf [more files]';

interface SmtpFailure {
  code?: string;
  response?: string;
  message: string;
  rejectedErrors?: { recipient?: string; response?: string }[];
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      to: { type: 'string', multiple: true, short: 't' },
      from: { type: 'string', short: 'f' },
      subject: { type: 'string', short: 's' },
      text: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help || !values.to?.length || positionals.length === 0) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const settings = loadLocalSettings(processEnv());
  const domain = settings.faxDomains[0] as string;
  const to = values.to.map((number) => {
    const compact = number.replace(/\s+/g, '');
    return compact.includes('@') ? compact : `${compact}@${domain}`;
  });
  const firstAllowed = settings.allowedSenders[0] ?? '@example.com';
  const from = values.from ?? (firstAllowed.startsWith('@') ? `you${firstAllowed}` : firstAllowed);
  const attachments = await Promise.all(
    positionals.map(async (file) => ({
      filename: path.basename(file),
      content: await readFile(file),
    })),
  );

  const port = settings.ports.smtp;
  const transport = nodemailer.createTransport({
    host: LOCAL_HOST,
    port,
    secure: false,
    ignoreTLS: true,
  });
  console.log(
    `Sending ${attachments.map((a) => a.filename).join(', ')} from ${from} to ${to.join(', ')}`,
  );
  try {
    const info = await transport.sendMail({
      from,
      to,
      subject: values.subject ?? attachments.map((a) => a.filename).join(', '),
      text: values.text ?? 'Sent with npm run send.',
      attachments,
    });
    console.log(`Server answered: ${info.response}`);
    for (const rejected of (info as { rejectedErrors?: SmtpFailure[] }).rejectedErrors ?? []) {
      console.log(`Refused: ${rejected.response ?? rejected.message}`);
    }
    return info.rejected.length > 0 ? 1 : 0;
  } catch (error) {
    console.error(failureLine(error as SmtpFailure, port));
    return 1;
  } finally {
    transport.close();
  }
}

function failureLine(error: SmtpFailure, port: number): string {
  if (error.code === 'ESOCKET' || error.code === 'ECONNECTION') {
    return `Nothing answers on ${LOCAL_HOST}:${port}: start the bridge with npm start (LOCAL_SMTP_PORT sets the port).`;
  }
  const refused = error.rejectedErrors?.map((e) => e.response).filter(Boolean);
  if (refused?.length) return `Server refused: ${refused.join(' | ')}`;
  return `Server answered: ${error.response ?? error.message}`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
