// npm run send -- --to +13125551234 [--to …] [--from you@example.com] [--subject …] [--text …] file.pdf …
// Sends files to the running local bridge over SMTP and prints what the server answered.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { EMAIL } from '../functions/config/fields';
import { processEnv } from '../functions/config/process-env';
import { LOCAL_HOST, loadLocalSettings } from './settings';

const USAGE = `usage: npm run send -- --to +13125551234 [--to …] [--from you@example.com]
                      [--subject text] [--text "message"] file.pdf [more files]

  --to       a fax number (or a whole address); repeat for more numbers
  --from     the sender, one of ALLOWED_SENDERS (default: the first of them)
  --subject  the email's subject; [no cover], [fine], [photo] and [no retry] tags work here
  --text     the email's own text: it becomes the fax's cover page
  example:   npm run send -- --to +13125551234 local/samples/referral.pdf local/samples/photo.jpg`;

/** A usage mistake: the usage is printed and the command exits 2. */
class UsageError extends Error {}

interface SmtpFailure {
  code?: string;
  response?: string;
  message: string;
  rejectedErrors?: { recipient?: string; response?: string }[];
}

const isAllowed = (from: string, allowed: string[]) =>
  allowed.includes(from) || allowed.includes(`@${from.split('@')[1]}`);

function readArguments() {
  try {
    return parseArgs({
      options: {
        to: { type: 'string', multiple: true, short: 't' },
        from: { type: 'string', short: 'f' },
        subject: { type: 'string', short: 's' },
        text: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The address for a number as typed. In `(312) 555-1234@…` mail software reads `(312)` as a
 * comment and drops it, so the spaces and parentheses people write numbers with are left out.
 */
function faxAddress(typed: string, domain: string): string {
  const value = typed.trim();
  if (value.includes('@')) return value;
  const compact = value.replace(/[\s()]+/g, '');
  if (!/^\+?[0-9.-]+$/.test(compact)) throw new UsageError(`--to ${typed} is not a fax number`);
  return `${compact}@${domain}`;
}

async function readFiles(files: string[]) {
  if (files.length === 0) throw new UsageError('name at least one file to fax');
  return Promise.all(
    files.map(async (file) => {
      const found = await stat(file).catch(() => undefined);
      if (!found?.isFile()) throw new UsageError(`${file}: no such file`);
      return { filename: path.basename(file), content: await readFile(file) };
    }),
  );
}

async function main(): Promise<number> {
  const { values, positionals } = readArguments();
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.to?.length) throw new UsageError('give at least one --to number');
  const settings = loadLocalSettings(processEnv());
  const domain = settings.faxDomains[0] as string;
  const to = values.to.map((number) => faxAddress(number, domain));
  const firstAllowed = settings.allowedSenders[0] ?? '@example.com';
  const from = values.from ?? (firstAllowed.startsWith('@') ? `you${firstAllowed}` : firstAllowed);
  if (!EMAIL.test(from)) throw new UsageError(`--from ${from} is not an email address`);
  if (!isAllowed(from.toLowerCase(), settings.allowedSenders)) {
    console.log(
      `Note: ${from} is not in ALLOWED_SENDERS (${settings.allowedSenders.join(',')}): the bridge will refuse it and email ${from} why.`,
    );
  }
  const attachments = await readFiles(positionals);

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
    if (error instanceof UsageError) {
      console.error(`npm run send: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
