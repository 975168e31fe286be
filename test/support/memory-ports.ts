// In-memory collaborators for tests that run the core thousands of times. The ledger is the one
// in functions/adapters, which the ledger contract suite proves equal to the DynamoDB adapter.
import { Readable } from 'node:stream';
import type {
  FaxApi,
  FaxListing,
  FaxLookup,
  FaxRequest,
  FaxSendResult,
  Log,
  Mailer,
  MailStore,
  MediaStore,
  OutgoingEmail,
  TelnyxFax,
} from '../../functions/core/shared/ports';

export { MemoryLedger } from '../../functions/adapters/memory-ledger';

export class MemoryMailStore implements MailStore {
  readonly objects = new Map<string, Buffer>();

  async openRawMail(messageId: string): Promise<Readable | undefined> {
    const raw = this.objects.get(messageId);
    return raw && Readable.from([raw]);
  }
}

export class MemoryMediaStore implements MediaStore {
  readonly documents = new Map<string, Uint8Array>();

  async putDocument(key: string, pdf: Uint8Array): Promise<void> {
    this.documents.set(key, pdf);
  }

  async getDocument(key: string): Promise<Uint8Array | undefined> {
    return this.documents.get(key);
  }

  async documentUrl(key: string, ttlSeconds: number): Promise<string> {
    return `https://media.example.com/${encodeURIComponent(key)}.pdf?ttl=${ttlSeconds}`;
  }
}

/** Takes every email, as SES would, and keeps it. */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];

  async send(email: OutgoingEmail): Promise<void> {
    this.sent.push(structuredClone(email));
  }
}

/** Accepts every fax with a fresh id, or answers what `answer` says. */
export class RecordingFaxApi implements FaxApi {
  readonly requests: FaxRequest[] = [];
  /** What Telnyx knows: `getFax` and `listFaxes` answer from these. */
  readonly faxes: TelnyxFax[] = [];
  private counter = 0;

  constructor(private readonly answer?: (request: FaxRequest) => FaxSendResult) {}

  async sendFax(request: FaxRequest): Promise<FaxSendResult> {
    this.requests.push(request);
    return this.answer?.(request) ?? { kind: 'accepted', faxId: `fax-${++this.counter}` };
  }

  async getFax(faxId: string): Promise<FaxLookup> {
    const fax = this.faxes.find((f) => f.id === faxId);
    return fax ? { kind: 'found', fax: { ...fax } } : { kind: 'not_found' };
  }

  async listFaxes(query: { to: string; createdSince: Date }): Promise<FaxListing> {
    const since = query.createdSince.getTime();
    const faxes = this.faxes.filter(
      (f) => f.to === query.to && (f.createdAt === undefined || Date.parse(f.createdAt) >= since),
    );
    return { kind: 'listed', faxes: faxes.map((f) => ({ ...f })) };
  }
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra?: Record<string, unknown>;
}

/** A Log that keeps what it is told. */
export function recordingLog(): Log & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      entries.push({ level, message, extra: Object.assign({}, ...extra) });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}
