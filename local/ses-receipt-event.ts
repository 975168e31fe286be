// The event SES's Lambda receipt action would send for a message the local SMTP front door
// took (shape of shared/fixtures/emails/real/ses-events/aws-lambda-go-ses-lambda-event.json).
import type { SESEvent, SESMailCommonHeaders, SESMailHeader, SESReceiptStatus } from 'aws-lambda';
import { type AddressObject, simpleParser } from 'mailparser';
import type { ReceiptVerdicts } from './ses-verdicts';

export interface ReceivedMessage {
  /** SES-style message id, also the object name under raw/. */
  messageId: string;
  /** MAIL FROM. */
  source: string;
  /** The accepted RCPT TO addresses. */
  recipients: string[];
  /** The message as stored, with the Return-Path and Received headers added on receipt. */
  raw: Buffer;
  receivedAt: Date;
  processingTimeMillis: number;
  /** SPF, DKIM and DMARC as checked against the local DNS zone; unchecked without one. */
  verdicts?: ReceiptVerdicts;
}

// Without a local DNS zone nothing checks SPF, DKIM and DMARC, and nothing ever scans for spam or
// viruses locally; these are SES's words for that.
const UNCHECKED: SESReceiptStatus = { status: 'GRAY' };
const NOT_SCANNED: SESReceiptStatus = { status: 'DISABLED' };

export async function sesReceiptEvent(message: ReceivedMessage): Promise<SESEvent> {
  const headerBlock = headerSection(message.raw);
  const headers = headerLines(headerBlock);
  const timestamp = message.receivedAt.toISOString();
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp,
            source: message.source,
            messageId: message.messageId,
            destination: message.recipients,
            headersTruncated: false,
            headers,
            commonHeaders: await commonHeaders(headerBlock, message.source),
          },
          receipt: {
            timestamp,
            processingTimeMillis: message.processingTimeMillis,
            recipients: message.recipients,
            spamVerdict: NOT_SCANNED,
            virusVerdict: NOT_SCANNED,
            spfVerdict: message.verdicts?.spf ?? UNCHECKED,
            dkimVerdict: message.verdicts?.dkim ?? UNCHECKED,
            dmarcVerdict: message.verdicts?.dmarc ?? UNCHECKED,
            action: {
              type: 'Lambda',
              invocationType: 'Event',
              functionArn:
                'arn:aws:lambda:us-east-1:000000000000:function:fax-bridge-local-inbound',
            },
          },
        },
      },
    ],
  };
}

/** The headers SES adds on receipt, to put in front of the message as sent. */
export function receiptHeaders(message: {
  messageId: string;
  source: string;
  recipients: string[];
  clientName: string;
  clientAddress: string;
  receivedAt: Date;
}): string {
  const received =
    `from ${message.clientName} (${message.clientAddress}) by fax-bridge-local with SMTP ` +
    `id ${message.messageId} for ${message.recipients[0] ?? ''}; ${message.receivedAt.toUTCString()}`;
  return `Return-Path: <${message.source}>\r\nReceived: ${received}\r\n`;
}

function headerSection(raw: Buffer): string {
  const text = raw.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  return end ? text.slice(0, end.index) : text;
}

/** Header fields in order, unfolded, values as written (encoded words stay encoded, as in SES). */
function headerLines(block: string): SESMailHeader[] {
  return block
    .split(/\r?\n(?![ \t])/)
    .map((field) => /^([^:\s]+):[ \t]*([\s\S]*)$/.exec(field))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, name, value]) => ({
      name: name as string,
      value: Buffer.from((value as string).replace(/\r?\n/g, ''), 'latin1').toString('utf8'),
    }));
}

async function commonHeaders(block: string, source: string): Promise<SESMailCommonHeaders> {
  const parsed = await simpleParser(Buffer.from(`${block}\r\n\r\n`, 'latin1'));
  const date = parsed.headers.get('date');
  return {
    returnPath: source,
    ...addresses('from', parsed.from),
    ...addresses('sender', parsed.headers.get('sender') as AddressObject | undefined),
    ...addresses('replyTo', parsed.replyTo),
    ...addresses('to', parsed.to),
    ...addresses('cc', parsed.cc),
    ...addresses('bcc', parsed.bcc),
    date: date instanceof Date ? date.toUTCString() : '',
    messageId: parsed.messageId ?? '',
    ...(parsed.subject === undefined ? {} : { subject: parsed.subject }),
  };
}

function addresses(
  key: 'from' | 'sender' | 'replyTo' | 'to' | 'cc' | 'bcc',
  field: AddressObject | AddressObject[] | undefined,
): Partial<SESMailCommonHeaders> {
  if (!field) return {};
  const list = (Array.isArray(field) ? field : [field])
    .flatMap((object) => object.value)
    .filter((entry) => entry.address)
    .map(({ name, address }) => (name ? `${quoteName(name)} <${address}>` : (address as string)));
  return list.length > 0 ? { [key]: list } : {};
}

const quoteName = (name: string) => (/[",;:<>@()[\]\\]/.test(name) ? JSON.stringify(name) : name);
