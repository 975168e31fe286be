import { attemptOf, attemptRank, isFinal } from '../core/shared/fax-job';
import type {
  ClaimResult,
  DailyCap,
  DialRecord,
  FaxJob,
  JobKey,
  Ledger,
  NewFaxJob,
  NoticeClaim,
  QuotaRequest,
  QuotaReservation,
  RecipientsRecord,
  StatusChange,
} from '../core/shared/ports';
import { bridgeQuotaPk, jobPk, recipientsPk, senderQuotaPk } from './storage-layout';

/** A notice claim as the DynamoDB item holds it: marking a notice sent never needed a claim. */
export interface StoredNotice {
  claimedAtMs?: number;
  sentAt?: string;
  expiresAt?: number;
}

export interface StoredEvent {
  processedAt: string;
  expiresAt: number;
}

/** The numbers an email was first faxed to, as the DynamoDB item holds them. */
export interface StoredRecipients {
  numbers: string[];
  expiresAt: number;
}

/** A day's counters as the DynamoDB item holds them: a sender's faxes and pages, or the bridge's pages. */
export interface StoredQuota {
  faxes?: number;
  pages: number;
  /** The identities of the emails counted, so that concurrent copies of one count once. */
  emails?: Set<string>;
  expiresAt: number;
}

/**
 * The ledger in memory, with the DynamoDB adapter's rules and no more (the ledger contract suite
 * runs against both). Each call decides and writes at once, as one conditional write would, and
 * answers on a later turn of the event loop, as the network would, so concurrent callers
 * interleave. Items past their `expiresAt` stay readable: DynamoDB deletes them lazily, so
 * nothing may count on them being gone.
 */
export class MemoryLedger implements Ledger {
  /** Jobs by their table key. */
  readonly jobs = new Map<string, FaxJob>();
  /** Notice claims by notice id. */
  readonly notices = new Map<string, StoredNotice>();
  /** Processed webhook events by event id. */
  readonly events = new Map<string, StoredEvent>();
  /** Daily counters by their table key (`quota#…`, see storage-layout.ts). */
  readonly quotas = new Map<string, StoredQuota>();
  /** The numbers each email was first faxed to, by table key (`recipients#…`). */
  readonly recipients = new Map<string, StoredRecipients>();
  /** Calls made, for tests that prove a request never reached the ledger. */
  calls = 0;

  async claimFax(job: NewFaxJob): Promise<ClaimResult> {
    const existing = this.jobs.get(jobPk(job));
    if (existing) return this.answer({ claimed: false, existing });
    this.jobs.set(jobPk(job), {
      ...withoutUndefined(structuredClone(job)),
      status: 'claimed',
      statusTimes: { claimed: job.createdAt },
      updatedAt: job.createdAt,
    });
    return this.answer({ claimed: true });
  }

  async getJob(key: JobKey): Promise<FaxJob | undefined> {
    return this.answer(this.jobs.get(jobPk(key)));
  }

  async advance(key: JobKey, change: StatusChange): Promise<FaxJob | undefined> {
    const job = this.jobs.get(jobPk(key));
    if (!job || !movesForward(job, change)) return this.answer(undefined);
    const { at, status, attempt: _attempt, ...fields } = change;
    const next: FaxJob = {
      ...job,
      ...withoutUndefined(fields),
      status,
      statusTimes: { ...job.statusTimes, [status]: at },
      updatedAt: at,
    };
    this.jobs.set(jobPk(key), next);
    return this.answer(next);
  }

  async claimDial(key: JobKey, attempt: number, at: string): Promise<FaxJob | undefined> {
    const job = this.jobs.get(jobPk(key));
    if (!job || attemptOf(job) !== attempt || job.status !== 'claimed')
      return this.answer(undefined);
    if ((job.dialledAttempt ?? 0) >= attempt) return this.answer(undefined);
    const next: FaxJob = { ...job, dialledAttempt: attempt, dialledAt: at };
    this.jobs.set(jobPk(key), next);
    return this.answer(next);
  }

  async releaseDial(key: JobKey, attempt: number): Promise<void> {
    const job = this.jobs.get(jobPk(key));
    if (job && job.dialledAttempt === attempt && job.status === 'claimed') {
      const { dialledAttempt: _a, dialledAt: _t, ...rest } = job;
      this.jobs.set(jobPk(key), rest);
    }
    return this.answer(undefined);
  }

  async startNextAttempt(key: JobKey, dial: DialRecord): Promise<FaxJob | undefined> {
    const job = this.jobs.get(jobPk(key));
    if (!job || attemptOf(job) !== dial.attempt || isFinal(job.status)) {
      return this.answer(undefined);
    }
    if (dial.faxId !== undefined && job.faxId !== undefined && job.faxId !== dial.faxId) {
      return this.answer(undefined);
    }
    const {
      faxId: _f,
      pageCount: _p,
      callDurationSecs: _c,
      failureReason: _r,
      note: _n,
      dialledAttempt: _d,
      dialledAt: _t,
      ...rest
    } = job;
    const next: FaxJob = {
      ...rest,
      attempt: dial.attempt + 1,
      status: 'claimed',
      dials: [...(job.dials ?? []), withoutUndefined(dial)],
      statusTimes: { claimed: dial.endedAt },
      updatedAt: dial.endedAt,
    };
    this.jobs.set(jobPk(key), next);
    return this.answer(next);
  }

  async claimNotice(
    noticeId: string,
    now: Date,
    leaseSeconds: number,
    expiresAt: number,
  ): Promise<NoticeClaim> {
    const notice = this.notices.get(noticeId);
    if (!claimable(notice, now.getTime() - leaseSeconds * 1000)) {
      return this.answer(notice?.sentAt !== undefined ? 'sent' : 'held');
    }
    this.notices.set(noticeId, { claimedAtMs: now.getTime(), expiresAt });
    return this.answer('claimed');
  }

  async markNoticeSent(noticeId: string, at: string): Promise<void> {
    this.notices.set(noticeId, { ...this.notices.get(noticeId), sentAt: at });
    return this.answer(undefined);
  }

  async releaseNotice(noticeId: string): Promise<void> {
    if (this.notices.get(noticeId)?.sentAt === undefined) this.notices.delete(noticeId);
    return this.answer(undefined);
  }

  async isEventProcessed(eventId: string): Promise<boolean> {
    return this.answer(this.events.has(eventId));
  }

  async markEventProcessed(eventId: string, at: string, expiresAt: number): Promise<void> {
    this.events.set(eventId, { processedAt: at, expiresAt });
    return this.answer(undefined);
  }

  async reserveDailyQuota(request: QuotaRequest): Promise<QuotaReservation> {
    const { day, sender, emailId, faxes, pages, expiresAt } = request;
    const senderPk = senderQuotaPk(sender, day);
    const ofSender: Partial<StoredQuota> = this.quotas.get(senderPk) ?? {};
    const ofBridge: Partial<StoredQuota> = this.quotas.get(bridgeQuotaPk(day)) ?? {};
    // Where the DynamoDB adapter settles whether an email was counted: its bridge item.
    if (ofBridge.emails?.has(emailId)) {
      return this.answer({ reserved: true, bridgePagesAfter: ofBridge.pages ?? 0 });
    }
    const [senderFaxes, senderPages, bridgePages] = [
      ofSender.faxes ?? 0,
      ofSender.pages ?? 0,
      ofBridge.pages ?? 0,
    ];
    const over = capCrossed(request, [senderFaxes, senderPages, bridgePages]);
    if (over) return this.answer(over);
    const bridgePagesAfter = bridgePages + pages;
    this.quotas.set(senderPk, {
      faxes: senderFaxes + faxes,
      pages: senderPages + pages,
      emails: withEmail(ofSender, emailId),
      expiresAt,
    });
    this.quotas.set(bridgeQuotaPk(day), {
      pages: bridgePagesAfter,
      emails: withEmail(ofBridge, emailId),
      expiresAt,
    });
    return this.answer({ reserved: true, bridgePagesAfter });
  }

  async recordRecipients(
    emailId: string,
    numbers: string[],
    expiresAt: number,
  ): Promise<RecipientsRecord> {
    const recorded = this.recipients.get(recipientsPk(emailId));
    if (recorded) return this.answer({ first: false, numbers: recorded.numbers });
    this.recipients.set(recipientsPk(emailId), { numbers: [...numbers], expiresAt });
    return this.answer({ first: true });
  }

  /** A copy, so that what a caller does with an answer never reaches the ledger's state. */
  private answer<T>(value: T): Promise<T> {
    this.calls++;
    const copy = structuredClone(value);
    return new Promise((resolve) => setImmediate(resolve, copy));
  }
}

/** Higher rank only; a fax id, when given, only onto a job without one or with the same. */
function movesForward(job: FaxJob, change: StatusChange): boolean {
  const rank = attemptRank(change.status, change.attempt);
  if (attemptRank(job.status, attemptOf(job)) >= rank) return false;
  return change.faxId === undefined || job.faxId === undefined || job.faxId === change.faxId;
}

/** The first cap the request would pass, given what the sender's faxes, pages and the bridge's pages used. */
function capCrossed(
  { faxes, pages, limits }: QuotaRequest,
  [senderFaxes, senderPages, bridgePages]: [number, number, number],
): QuotaReservation | undefined {
  const counters: [DailyCap, number, number, number][] = [
    ['sender_faxes', senderFaxes, faxes, limits.senderFaxes],
    ['sender_pages', senderPages, pages, limits.senderPages],
    ['bridge_pages', bridgePages, pages, limits.bridgePages],
  ];
  const crossed = counters.find(([, used, adds, limit]) => used + adds > limit);
  if (!crossed) return undefined;
  const [cap, used, , limit] = crossed;
  return { reserved: false, cap, limit, used };
}

const withEmail = ({ emails }: Partial<StoredQuota>, emailId: string) =>
  new Set([...(emails ?? []), emailId]);

/** Never claimed, or never sent and its claim's lease ran out. */
function claimable(notice: StoredNotice | undefined, staleBeforeMs: number): boolean {
  if (!notice) return true;
  return (
    notice.sentAt === undefined &&
    notice.claimedAtMs !== undefined &&
    notice.claimedAtMs <= staleBeforeMs
  );
}

/** DynamoDB stores no attribute for an undefined value (`removeUndefinedValues`). */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
