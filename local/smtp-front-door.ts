// The local stand-in for SES receiving: an SMTP server that takes mail for the fax domains,
// keeps the raw message under raw/<id> as SES's S3 action does, and hands the inbound handler
// the event SES's Lambda action would send. It answers 250 only after the handler has
// finished, so a sender (or a test) that got 250 knows the handler is done.
import { randomBytes } from 'node:crypto';
import type { SESEvent } from 'aws-lambda';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { listen } from './listen';
import { receiptHeaders, sesReceiptEvent } from './ses-receipt-event';
import type { ReceiptVerdicts, SmtpClient } from './ses-verdicts';

/** SES refuses inbound messages over 40 MB when the S3 action stores them. */
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export interface FrontDoorOptions {
  /** 0: any free port. */
  port: number;
  host?: string;
  /** Domains (lower case) whose addresses are accepted; others get 550. */
  domains: string[];
  maxBytes?: number;
  storeRawMail(messageId: string, raw: Buffer): Promise<void>;
  /** The inbound handler. */
  deliver(event: SESEvent): Promise<void>;
  /** Checks SPF, DKIM and DMARC as SES would; absent: the verdicts say unchecked (GRAY). */
  verdicts?: (raw: Buffer, client: SmtpClient) => Promise<ReceiptVerdicts>;
  onActivity?: (activity: FrontDoorActivity) => void;
}

export type FrontDoorActivity =
  | { kind: 'refused-recipient'; address: string }
  | { kind: 'too-large'; bytes: number }
  | { kind: 'received'; messageId: string; source: string; recipients: string[] }
  | { kind: 'handler-failed'; messageId: string; error: string };

export interface SmtpFrontDoor {
  port: number;
  stop(): Promise<void>;
}

type SmtpError = Error & { responseCode: number };

const smtpError = (responseCode: number, message: string): SmtpError =>
  Object.assign(new Error(message), { responseCode });

/** Message ids like SES's: 40 lower-case letters and digits. */
const newMessageId = () => randomBytes(20).toString('hex');

export async function startSmtpFrontDoor(options: FrontDoorOptions): Promise<SmtpFrontDoor> {
  const maxBytes = options.maxBytes ?? SES_MAX_MESSAGE_BYTES;
  const domains = options.domains.map((d) => d.toLowerCase());
  const report = (activity: FrontDoorActivity) => options.onActivity?.(activity);

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession) {
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) {
      report({ kind: 'too-large', bytes: stream.byteLength });
      throw smtpError(552, `5.3.4 Message too big: the limit is ${maxBytes / 1024 / 1024} MB`);
    }
    const messageId = newMessageId();
    const source = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const receivedAt = new Date();
    const headers = receiptHeaders({
      messageId,
      source,
      recipients,
      clientName: session.hostNameAppearsAs,
      clientAddress: session.remoteAddress,
      receivedAt,
    });
    const raw = Buffer.concat([Buffer.from(headers, 'utf8'), ...chunks]);
    await options.storeRawMail(messageId, raw);
    report({ kind: 'received', messageId, source, recipients });
    const client = { ip: session.remoteAddress, helo: session.hostNameAppearsAs, sender: source };
    const event = await sesReceiptEvent({
      messageId,
      source,
      recipients,
      raw,
      receivedAt,
      processingTimeMillis: Date.now() - started,
      verdicts: await options.verdicts?.(Buffer.concat(chunks), client),
    });
    try {
      await options.deliver(event);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report({ kind: 'handler-failed', messageId, error: message });
      throw smtpError(
        451,
        `4.3.0 Stored as ${messageId}, but the inbound handler failed: ${message}`,
      );
    }
    return messageId;
  }

  const server = new SMTPServer({
    name: 'fax-bridge-local',
    banner: 'fax-bridge local SMTP front door (stands in for SES receiving)',
    size: maxBytes,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 2000,
    onRcptTo(address, _session, callback) {
      const domain = address.address.split('@').pop()?.toLowerCase() ?? '';
      if (domains.includes(domain)) return callback();
      report({ kind: 'refused-recipient', address: address.address });
      const example = `+13125551234@${domains[0] ?? 'fax.localhost'}`;
      callback(
        smtpError(
          550,
          `5.1.1 <${address.address}>: this bridge only takes mail for ${domains.join(', ')}; ` +
            `write the fax number as the name, e.g. ${example}`,
        ),
      );
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        (messageId) => callback(null, `Ok: queued as ${messageId}`),
        (error: Error) => {
          stream.resume();
          callback('responseCode' in error ? error : smtpError(451, `4.3.0 ${error.message}`));
        },
      );
    },
  });
  // smtp-server re-emits socket errors; without a listener they would end the process.
  server.on('error', () => undefined);
  const port = await listen(
    server.server,
    options.port,
    options.host ?? '127.0.0.1',
    'LOCAL_SMTP_PORT',
  );
  return {
    port,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
