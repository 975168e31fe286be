// In-memory collaborators with the same rules as the real adapters (conditional claims,
// forward-only status, leased notice claims), for tests that run the core thousands of times.
import { Readable } from 'node:stream';
import { jobId, statusRank } from '../../functions/core/shared/fax-job';
import type {
  ClaimResult,
  FaxApi,
  FaxJob,
  FaxRequest,
  FaxSendResult,
  JobKey,
  Ledger,
  Log,
  Mailer,
  MailStore,
  MediaStore,
  NewFaxJob,
  NoticeClaim,
  OutgoingEmail,
  StatusChange,
} from '../../functions/core/shared/ports';

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

export class MemoryLedger implements Ledger {
  readonly jobs = new Map<string, FaxJob>();
  readonly notices = new Map<string, { claimedAtMs: number; sentAt?: string }>();
  readonly events = new Set<string>();
  calls = 0;

  async claimFax(job: NewFaxJob): Promise<ClaimResult> {
    this.calls++;
    const existing = this.jobs.get(jobId(job));
    if (existing) return { claimed: false, existing: structuredClone(existing) };
    this.jobs.set(jobId(job), {
      ...job,
      status: 'claimed',
      statusTimes: { claimed: job.createdAt },
      updatedAt: job.createdAt,
    });
    return { claimed: true };
  }

  async getJob(key: JobKey): Promise<FaxJob | undefined> {
    this.calls++;
    const job = this.jobs.get(jobId(key));
    return job && structuredClone(job);
  }

  async advance(key: JobKey, change: StatusChange): Promise<FaxJob | undefined> {
    this.calls++;
    const job = this.jobs.get(jobId(key));
    if (!job || statusRank(job.status) >= statusRank(change.status)) return undefined;
    if (change.faxId !== undefined && job.faxId !== undefined && job.faxId !== change.faxId) {
      return undefined;
    }
    const { at, status, ...fields } = change;
    const next: FaxJob = {
      ...job,
      ...fields,
      status,
      statusTimes: { ...job.statusTimes, [status]: at },
      updatedAt: at,
    };
    this.jobs.set(jobId(key), next);
    return structuredClone(next);
  }

  async claimNotice(noticeId: string, now: Date, leaseSeconds: number): Promise<NoticeClaim> {
    this.calls++;
    const notice = this.notices.get(noticeId);
    if (notice?.sentAt) return 'sent';
    if (notice && notice.claimedAtMs > now.getTime() - leaseSeconds * 1000) return 'held';
    this.notices.set(noticeId, { claimedAtMs: now.getTime() });
    return 'claimed';
  }

  async markNoticeSent(noticeId: string, at: string): Promise<void> {
    this.calls++;
    const notice = this.notices.get(noticeId);
    this.notices.set(noticeId, { claimedAtMs: notice?.claimedAtMs ?? 0, sentAt: at });
  }

  async releaseNotice(noticeId: string): Promise<void> {
    this.calls++;
    if (!this.notices.get(noticeId)?.sentAt) this.notices.delete(noticeId);
  }

  async isEventProcessed(eventId: string): Promise<boolean> {
    this.calls++;
    return this.events.has(eventId);
  }

  async markEventProcessed(eventId: string): Promise<void> {
    this.calls++;
    this.events.add(eventId);
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
  private counter = 0;

  constructor(private readonly answer?: (request: FaxRequest) => FaxSendResult) {}

  async sendFax(request: FaxRequest): Promise<FaxSendResult> {
    this.requests.push(request);
    return this.answer?.(request) ?? { kind: 'accepted', faxId: `fax-${++this.counter}` };
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
