// npm run receive -- file.pdf --from +13125551234 [--to +13125550100] [--shape delivered] …
// Makes the running bridge's Telnyx emulator receive a fax: it serves the file at a short-lived
// link and sends the inbound webhooks to the bridge; this prints what each webhook was answered.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { processEnv } from '../functions/config/process-env';
import { LOCAL_HOST, loadLocalSettings } from './settings';
import { RECEIVE_PATH, type ReceiveOptions } from './telnyx-inbound';

const USAGE = `usage: npm run receive -- file.pdf --from +13125551234 [--to +13125550100]
                         [--shape received|delivered] [--expire-link-after ms]
                         [--pages n] [--partial] [--caller-name "Dr. Ortiz"]
       npm run receive -- --from +13125551234 --fail sender_call_dropped

  file                 what the caller faxes: a PDF or a TIFF
  --from               the caller's number
  --to                 the number called (default: FAX_FROM_NUMBER, the bridge's number)
  --shape              the webhook Telnyx sends: fax.received (default) or inbound fax.delivered
  --expire-link-after  milliseconds the media link works (default 600000, Telnyx's 10 minutes);
                       0 makes the bridge refresh it first
  --pages              the page count Telnyx reports (default: counted in the file)
  --partial            Telnyx says the call ended before every page arrived
  --caller-name        the name the caller's fax machine gives
  --fail               the fax does not arrive: an inbound fax.failed with this reason
  example:             npm run receive -- local/samples/referral.pdf --from +13125551234`;

/** A usage mistake: the usage is printed and the command exits 2. */
class UsageError extends Error {}

/** Telnyx's webhooks may be retried for about 30 s; the emulator answers once they are done. */
const ANSWER_TIMEOUT_MS = 120_000;

interface Delivery {
  eventType: string;
  attempt: number;
  answer: { status: number } | { error: string };
  willRetry: boolean;
}

interface Receipt {
  data: { id: string };
  meta: { pageCount?: number; webhooks: Delivery[] };
}

function readArguments() {
  try {
    return parseArgs({
      options: {
        from: { type: 'string', short: 'f' },
        to: { type: 'string', short: 't' },
        shape: { type: 'string' },
        'expire-link-after': { type: 'string' },
        pages: { type: 'string' },
        partial: { type: 'boolean' },
        'caller-name': { type: 'string' },
        fail: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

type Values = ReturnType<typeof readArguments>['values'];

/** The number as typed, without the spaces, dashes and parentheses people write it with. */
function e164(option: string, typed: string): string {
  const compact = typed.replace(/[\s().-]+/g, '');
  if (!/^\+[1-9]\d{6,14}$/.test(compact)) {
    throw new UsageError(
      `--${option} ${typed} is not a number in E.164 form, such as +13125551234`,
    );
  }
  return compact;
}

function wholeNumber(option: string, typed: string | undefined, min: number): number | undefined {
  if (typed === undefined) return undefined;
  if (!/^\d{1,9}$/.test(typed) || Number(typed) < min) {
    throw new UsageError(`--${option} ${typed} must be a whole number of at least ${min}`);
  }
  return Number(typed);
}

function shapeOf(typed: string | undefined): ReceiveOptions['shape'] {
  if (typed === undefined || typed === 'received' || typed === 'delivered') return typed;
  throw new UsageError(`--shape ${typed} must be received or delivered`);
}

const kindOf = (bytes: Buffer): 'PDF' | 'TIFF' | undefined => {
  const head = bytes.subarray(0, 4).toString('latin1');
  if (head === 'II*\0' || head === 'MM\0*') return 'TIFF';
  return bytes.subarray(0, 1024).includes('%PDF-') ? 'PDF' : undefined;
};

async function readDocument(files: string[], failing: boolean) {
  if (files.length > 1) throw new UsageError('name one file: a fax arrives as one document');
  const [file] = files;
  if (file === undefined) {
    if (failing) return undefined;
    throw new UsageError('name the file the caller faxes (a PDF or a TIFF)');
  }
  const found = await stat(file).catch(() => undefined);
  if (!found?.isFile()) throw new UsageError(`${file}: no such file`);
  const bytes = await readFile(file);
  const kind = kindOf(bytes);
  if (!kind) throw new UsageError(`${file} is neither a PDF nor a TIFF`);
  return { name: path.basename(file), bytes, kind };
}

function receiveOptions(values: Values, to: string, document?: { bytes: Buffer }) {
  if (values.from === undefined) throw new UsageError("give the caller's number with --from");
  const options = {
    from: e164('from', values.from),
    to: e164('to', values.to ?? to),
    shape: shapeOf(values.shape),
    expireLinkAfterMs: wholeNumber('expire-link-after', values['expire-link-after'], 0),
    pages: wholeNumber('pages', values.pages, 1),
    partial: values.partial,
    callerName: values['caller-name'],
    fail: values.fail,
    document: document?.bytes.toString('base64'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

async function main(): Promise<number> {
  const { values, positionals } = readArguments();
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const settings = loadLocalSettings(processEnv());
  const document = await readDocument(positionals, values.fail !== undefined);
  const body = receiveOptions(values, settings.env.FAX_FROM_NUMBER as string, document);
  if (settings.telnyx.kind !== 'emulator') {
    console.error(
      'npm run receive: TELNYX_API_URL points at a real Telnyx; only the emulator can be made to receive a fax.',
    );
    return 1;
  }
  const what = document ? `${document.name} (${document.kind})` : 'a fax that will fail';
  console.log(`Faxing ${what} from ${body.from} to ${body.to} through the Telnyx emulator`);
  const port = settings.ports.telnyx;
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(`http://${LOCAL_HOST}:${port}${RECEIVE_PATH}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${settings.telnyx.apiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      headersTimeout: ANSWER_TIMEOUT_MS,
      bodyTimeout: ANSWER_TIMEOUT_MS,
    });
  } catch (error) {
    console.error(failureLine(error, port));
    return 1;
  }
  const text = await answer.body.text();
  if (answer.statusCode !== 200) {
    console.error(`The emulator answered ${answer.statusCode}: ${errorsOf(text)}`);
    return 1;
  }
  for (const line of receiptLines(JSON.parse(text) as Receipt)) console.log(line);
  console.log(
    `The bridge's emails: http://${LOCAL_HOST}:${settings.ports.ses} (and ${path.join(settings.dataDir, 'outbox')}).`,
  );
  return 0;
}

function receiptLines({ data, meta }: Receipt): string[] {
  const pages = meta.pageCount === undefined ? '' : `, ${meta.pageCount} pages`;
  return [
    `The emulator received fax ${data.id}${pages}; its webhooks:`,
    ...meta.webhooks.map(({ eventType, attempt, answer, willRetry }) => {
      const answered =
        'status' in answer ? `answered ${answer.status}` : `not answered (${answer.error})`;
      return `  ${eventType} (attempt ${attempt}) ${answered}${willRetry ? ', retried' : ''}`;
    }),
  ];
}

function errorsOf(text: string): string {
  try {
    const { errors } = JSON.parse(text) as { errors?: { detail?: string }[] };
    return errors?.map((e) => e.detail).join('; ') || text;
  } catch {
    return text;
  }
}

function failureLine(error: unknown, port: number): string {
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    return `Nothing answers on ${LOCAL_HOST}:${port}: start the bridge with npm start (LOCAL_TELNYX_PORT sets the port).`;
  }
  return `Could not reach the emulator on ${LOCAL_HOST}:${port}: ${error instanceof Error ? error.message : error}`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`npm run receive: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
