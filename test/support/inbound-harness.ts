// What the reliability tests share: one deployment's settings, emails composed as a mail program
// would, the SES view of them, and the inbound core run with in-memory collaborators.
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import {
  type InboundDeps,
  type InboundOutcome,
  type InboundSettings,
  processInbound,
  type ReceivedMail,
} from '../../functions/core/inbound/process-inbound';
import type { FaxApi, FaxRequest, FaxSendResult } from '../../functions/core/shared/ports';
import { zoneResolver } from '../../local/dns-zone';
import { ImmediateDispatch } from './memory-dispatch';
import {
  MemoryLedger,
  MemoryMailStore,
  MemoryMediaStore,
  RecordingFaxApi,
  RecordingMailer,
  recordingLog,
} from './memory-ports';
import { CLIENT_STATE_SECRET } from './telnyx-events';

export const SENDER = 'alice@example.com';
export const FAX_DOMAIN = 'fax.example.com';
export const NOTICE_FROM = `fax@${FAX_DOMAIN}`;

export function inboundSettings(overrides: Partial<InboundSettings> = {}): InboundSettings {
  return {
    faxDomains: [FAX_DOMAIN],
    allowedSenders: [SENDER, '@clinic.example'],
    requireSenderAuth: true,
    defaultCountry: 'US',
    allowedCountries: ['US'],
    telnyx: { fromNumber: '+13125790015' },
    noticeFrom: NOTICE_FROM,
    noticeTimeZone: 'UTC',
    maxRecipients: 10,
    maxPages: 100,
    pageSize: 'letter',
    retentionDays: 7,
    maxEmailAgeHours: 72,
    dailyCaps: { senderFaxes: 100, senderPages: 1000, bridgePages: 3000 },
    ...overrides,
  };
}

export const faxAddress = (number: string) => `${number}@${FAX_DOMAIN}`;

/** A message as a mail program composes it (nodemailer's MailComposer). */
export function composeMail(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({
    from: `Alice Doctor <${SENDER}>`,
    to: faxAddress('+13125551234'),
    subject: 'Referral',
    text: '',
    messageId: '<original-1@example.com>',
    date: new Date('2026-11-27T10:00:00Z'),
    ...options,
  })
    .compile()
    .build();
}

export interface ReceivedOptions {
  recipients?: string[];
  source?: string;
  verdicts?: ReceivedMail['verdicts'];
  commonHeaders?: ReceivedMail['commonHeaders'];
}

/**
 * What SES tells the Lambda about a message it stored under raw/<messageId>: by default, mail
 * the sender's own server delivered (SPF passes for the From domain).
 */
export function receivedMail(messageId: string, options: ReceivedOptions = {}): ReceivedMail {
  const source = options.source ?? SENDER;
  return {
    messageId,
    source,
    recipients: options.recipients ?? [faxAddress('+13125551234')],
    verdicts: options.verdicts ?? { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
    commonHeaders: options.commonHeaders ?? { from: [source] },
  };
}

export type MemoryDeps<Fax extends FaxApi = RecordingFaxApi> = InboundDeps & {
  mail: MemoryMailStore;
  media: MemoryMediaStore;
  ledger: MemoryLedger;
  /** Where the dispatch sends each fax the inbound core queues. */
  fax: Fax;
  queue: ImmediateDispatch;
  mailer: RecordingMailer;
  log: ReturnType<typeof recordingLog>;
};

export function memoryDeps(
  answer?: (request: FaxRequest) => FaxSendResult,
  log = recordingLog(),
): MemoryDeps {
  return withFax(new RecordingFaxApi(answer), log);
}

/**
 * The in-memory collaborators, with the inbound core's queue dispatching to `fax`; the inbound
 * core and the dispatch log to `log`.
 */
export function withFax<Fax extends FaxApi>(fax: Fax, log = recordingLog()): MemoryDeps<Fax> {
  const deps = {
    mail: new MemoryMailStore(),
    media: new MemoryMediaStore(),
    ledger: new MemoryLedger(),
    fax,
    queue: new ImmediateDispatch(),
    mailer: new RecordingMailer(),
    clock: () => new Date('2026-11-27T10:00:05Z'),
    log,
    // No domain has DKIM keys until a test adds them (test/support/dkim-mail.ts).
    resolver: zoneResolver({}),
  };
  deps.queue.connect({ ...deps, clientStateSecret: async () => CLIENT_STATE_SECRET });
  return deps;
}

let counter = 0;

/** Stores `raw` and runs the inbound core on it once, as the Lambda would. */
export async function runInbound<Fax extends FaxApi = RecordingFaxApi>(
  raw: Buffer,
  options: ReceivedOptions & { settings?: Partial<InboundSettings>; deps?: MemoryDeps<Fax> } = {},
): Promise<{ outcome: InboundOutcome; deps: MemoryDeps<Fax>; received: ReceivedMail }> {
  const deps = options.deps ?? (memoryDeps() as unknown as MemoryDeps<Fax>);
  const received = receivedMail(`msg-${++counter}`, options);
  deps.mail.objects.set(received.messageId, raw);
  const outcome = await processInbound(received, inboundSettings(options.settings), deps);
  return { outcome, deps, received };
}
