// The collaborators core functions receive. Adapters in functions/adapters implement them for AWS
// (and, pointed at local endpoints, for the local mode); tests pass the same adapters or small fakes.
import type { Readable } from 'node:stream';

/** Raw inbound mail, written by SES's S3 action under `raw/<messageId>`. */
export interface MailStore {
  /**
   * The raw MIME as it arrives from the store, or undefined when no such object exists. A 30 MB
   * message read whole would stay in memory beside its decoded parts; streamed, it does not.
   */
  openRawMail(messageId: string): Promise<Readable | undefined>;
}

/** Fax documents under `media/<key>.pdf`. */
export interface MediaStore {
  putDocument(key: string, pdf: Uint8Array): Promise<void>;
  getDocument(key: string): Promise<Uint8Array | undefined>;
  /** A presigned GET URL that answers 200 with the PDF for `ttlSeconds`. */
  documentUrl(key: string, ttlSeconds: number): Promise<string>;
}

/** Where a fax stands. Statuses only move forward, by rank (see `statusRank` in fax-status.ts). */
export type FaxStatus =
  | 'claimed' // ledger claim written, POST not (yet) known to have reached Telnyx
  | 'unknown' // the POST may have reached Telnyx; never resent
  | 'not_sent' // Telnyx certainly did not take it (refused, or unreachable): final
  | 'queued'
  | 'media.processed'
  | 'sending'
  | 'delivered'
  | 'failed';

export interface JobKey {
  /** SES message id (the S3 object name under raw/). */
  messageId: string;
  /** Destination in E.164. */
  recipient: string;
}

export interface NewFaxJob extends JobKey {
  /** The local part exactly as the sender typed it. */
  typed: string;
  /** The recipient as people write it, formatted at claim time so the webhook needs no phone metadata. */
  recipientDisplay: NumberDisplay;
  /** The number the fax is sent from (FAX_FROM_NUMBER), formatted the same way. */
  fromNumber?: { e164: string } & NumberDisplay;
  /** What the fax holds, for the result email; jobs of earlier versions lack it. */
  contents?: FaxContents;
  /**
   * How many fax numbers the email went to, and the address that faxes this number alone: advice
   * for one number must not have the sender re-fax the others.
   */
  emailFaxNumbers?: number;
  faxAddress?: string;
  sender: string;
  subject: string;
  /** The original email's Message-ID header, for threading the result email. */
  emailMessageId?: string;
  /** Key of the fax document in the MediaStore. */
  mediaKey: string;
  /** Pages in the document we built. */
  documentPages: number;
  /** `[no retry]` in the subject: dialled once, whatever the failure. */
  noRetry?: boolean;
  /** The quality the subject asked for; jobs of earlier versions lack it (`high`). */
  quality?: FaxQuality;
  createdAt: string;
  /** Epoch seconds after which DynamoDB may delete the item. */
  expiresAt: number;
}

/** A number as people write it; `domestic` when it is in DEFAULT_COUNTRY, so shown nationally. */
export interface NumberDisplay {
  international: string;
  national: string;
  domestic?: boolean;
}

export interface FaxContents {
  /** The sender's files, in the order they were faxed. Content: never logged. */
  files: { filename: string; pages: number }[];
  coverPage: boolean;
}

/** One dial that ended in a failure the bridge dialled again after. */
export interface DialRecord {
  attempt: number;
  /** When the POST went to Telnyx, and when Telnyx said it failed. */
  dialledAt: string;
  endedAt: string;
  faxId?: string;
  failureReason?: string;
  callDurationSecs?: number;
  /** False for a failure that is no fault of the line (a channel limit): it uses up no attempt. */
  counted: boolean;
  /** When the next attempt may be dialled, so that a repeated event re-queues it for then. */
  nextDialAt?: string;
}

export interface FaxJob extends NewFaxJob {
  status: FaxStatus;
  /** The attempt the job is on, from 1; jobs of earlier versions lack it and are on attempt 1. */
  attempt?: number;
  /** The attempt whose POST was started: a queue message delivered twice never posts twice. */
  dialledAttempt?: number;
  dialledAt?: string;
  /** The dials before this attempt, oldest first. */
  dials?: DialRecord[];
  faxId?: string;
  /** ISO time each status was reached. */
  statusTimes: Partial<Record<FaxStatus, string>>;
  /** Why the fax was not sent or its fate is unknown (our words), when status says so. */
  note?: string;
  pageCount?: number;
  callDurationSecs?: number;
  failureReason?: string;
  updatedAt: string;
}

export type NoticeClaim = 'claimed' | 'sent' | 'held';

export type ClaimResult = { claimed: true } | { claimed: false; existing: FaxJob };

export interface StatusChange {
  /** The attempt the change is about; absent: attempt 1. A change about an earlier attempt is stale. */
  attempt?: number;
  status: FaxStatus;
  at: string;
  faxId?: string;
  pageCount?: number;
  callDurationSecs?: number;
  failureReason?: string;
  note?: string;
}

export interface Ledger {
  /** Conditionally creates the job with status `claimed`; an existing job is returned instead. */
  claimFax(job: NewFaxJob): Promise<ClaimResult>;
  getJob(key: JobKey): Promise<FaxJob | undefined>;
  /**
   * Applies the change only when it moves the job forward (higher rank than the current status),
   * and, when `faxId` is given, only when the job has no fax id yet or the same one.
   * Returns the job after the change, or undefined when nothing changed (or no such job).
   */
  advance(key: JobKey, change: StatusChange): Promise<FaxJob | undefined>;

  /**
   * Claims the POST of `attempt`: only when the job is on that attempt, not yet answered
   * (`claimed`) and no POST of it was started. Returns the job after the claim, or undefined.
   */
  claimDial(key: JobKey, attempt: number, at: string): Promise<FaxJob | undefined>;
  /** Gives the claim back after an answer that says Telnyx took nothing (a 429). */
  releaseDial(key: JobKey, attempt: number): Promise<void>;
  /**
   * Ends attempt `dial.attempt` (failed, about fax `dial.faxId` when it has one) and starts the
   * next, `claimed` and undialled, only when the job is still on that attempt and not final.
   * Returns the job after the change, or undefined when nothing changed.
   */
  startNextAttempt(key: JobKey, dial: DialRecord): Promise<FaxJob | undefined>;

  /**
   * Claims the right to send one notice (`noticeId` names it, e.g. `mail#<messageId>`):
   * `claimed` when this caller may send (never sent, no live claim within `leaseSeconds`),
   * `sent` when it went out already, `held` when another caller is sending it now.
   */
  claimNotice(
    noticeId: string,
    now: Date,
    leaseSeconds: number,
    expiresAt: number,
  ): Promise<NoticeClaim>;
  markNoticeSent(noticeId: string, at: string): Promise<void>;
  /** Gives up a claim after a failed send, so that a retry may send. */
  releaseNotice(noticeId: string): Promise<void>;

  /** Whether a webhook event id has been fully processed before. */
  isEventProcessed(eventId: string): Promise<boolean>;
  markEventProcessed(eventId: string, at: string, expiresAt: number): Promise<void>;

  /**
   * Records the fax numbers (E.164) an email (`emailId`, its identity) is faxed to, only when
   * none were recorded before: `first` for the caller that recorded them, otherwise the numbers
   * recorded first. Concurrent callers see one winner, and all of them the same numbers.
   */
  recordRecipients(
    emailId: string,
    numbers: string[],
    expiresAt: number,
  ): Promise<RecipientsRecord>;

  /**
   * Counts `faxes` and `pages` against the sender's two counters and the bridge's page counter of
   * `day`, only when none would pass its limit; otherwise counts nothing and names the cap (the
   * sender's faxes, then the sender's pages, then the bridge's pages) with what it had used.
   * Concurrent reservations never take a counter past its limit. An `emailId` counts at most once
   * a day: a reservation that finds it counted is reserved again without counting, with the
   * bridge's pages as they stand; a refused one records nothing, so a later one may count it.
   */
  reserveDailyQuota(request: QuotaRequest): Promise<QuotaReservation>;
}

/** What a day allows: faxes and pages per sender, pages for the whole bridge. */
export interface DailyLimits {
  senderFaxes: number;
  senderPages: number;
  bridgePages: number;
}

export type DailyCap = 'sender_faxes' | 'sender_pages' | 'bridge_pages';

export interface QuotaRequest {
  /** The local day the faxes count on, `YYYY-MM-DD`. */
  day: string;
  /** The sender's address, lower case. */
  sender: string;
  /** The email's identity (email-identity.ts): concurrent copies of one email count once. */
  emailId: string;
  faxes: number;
  pages: number;
  limits: DailyLimits;
  /** Epoch seconds after which DynamoDB may delete the day's counters. */
  expiresAt: number;
}

export type QuotaReservation =
  | { reserved: true; bridgePagesAfter: number }
  | { reserved: false; cap: DailyCap; limit: number; used: number };

export type RecipientsRecord = { first: true } | { first: false; numbers: string[] };

export type FaxQuality = 'normal' | 'high' | 'very_high' | 'ultra_light' | 'ultra_dark';

export interface FaxRequest {
  connectionId: string;
  from: string;
  to: string;
  mediaUrl: string;
  quality: FaxQuality;
  webhookUrl: string;
  clientState: string;
  /** Absent: Telnyx's default (T.38 on). A protocol failure's retry turns it off. */
  t38Enabled?: boolean;
}

/** Why Telnyx certainly did not take a fax: nothing reached the fax line. */
export type FaxNotSentCode =
  /** The bridge could not read its own Telnyx API key (a secret missing or empty). */
  | 'api_key_unreadable'
  /** Telnyx answered 401 or 403: it refuses the bridge's API key. */
  | 'api_key_refused'
  /** Telnyx answered 429 or 503 on every try. */
  | 'busy'
  /** No connection to Telnyx on any try (refused, no DNS answer, connect timeout). */
  | 'unreachable';

/** Why the fate of a fax request is unknown: it may have reached Telnyx. */
export type FaxUnknownCode =
  /** Sent, and no answer (headers or body) in time. */
  | 'timeout'
  /** The connection broke after the request may have left. */
  | 'connection_broken'
  /** Telnyx answered 5xx (a 503 too: a gateway may answer it after Telnyx took the fax). */
  | 'server_error'
  /** Telnyx answered 2xx without a fax id. */
  | 'no_fax_id'
  /** Any other failure of the request. */
  | 'request_failed';

/**
 * Telnyx's answer, as a code; the words for the sender are written once, in the inbound flow.
 * `detail` is what was seen, for the operator: Telnyx's own reason where it gave one, else the
 * HTTP status or the network error (never the API key).
 */
export type FaxSendResult =
  /** Telnyx answered 202. */
  | { kind: 'accepted'; faxId: string }
  /** Telnyx answered another 4xx: it will not send this fax. `detail` is Telnyx's reason. */
  | { kind: 'refused'; code: 'invalid_request'; status: number; detail: string }
  | { kind: 'not_sent'; code: FaxNotSentCode; detail: string }
  /** The request may have reached Telnyx: never resend. */
  | { kind: 'unknown'; code: FaxUnknownCode; detail: string }
  /** Telnyx answered 429: it took nothing; ask again after `retryAfterSeconds`. */
  | { kind: 'throttled'; retryAfterSeconds?: number; detail: string };

/** A fax as `GET /v2/faxes/{id}` and `GET /v2/faxes` describe it. */
export interface TelnyxFax {
  id: string;
  to: string;
  /** Telnyx's status: queued, media.processed, sending, delivered, failed, … */
  status: string;
  clientState?: string;
  failureReason?: string;
  pageCount?: number;
  callDurationSecs?: number;
  createdAt?: string;
  updatedAt?: string;
}

export type FaxLookup =
  | { kind: 'found'; fax: TelnyxFax }
  | { kind: 'not_found' }
  /** Telnyx could not be asked, or did not answer: ask again later. */
  | { kind: 'unavailable'; detail: string };

export type FaxListing =
  | { kind: 'listed'; faxes: TelnyxFax[] }
  | { kind: 'unavailable'; detail: string };

export interface FaxApi {
  sendFax(request: FaxRequest): Promise<FaxSendResult>;
  /** `GET /v2/faxes/{id}`. */
  getFax(faxId: string): Promise<FaxLookup>;
  /** `GET /v2/faxes?filter[to][eq]=…&filter[created_at][gte]=…`: faxes to `to` since `createdSince`. */
  listFaxes(query: { to: string; createdSince: Date }): Promise<FaxListing>;
}

/** A lease on one of the account's call channels, and on its destination number. */
export interface CallLease extends JobKey {
  /** Epoch milliseconds: taken, and free for others after. */
  since: number;
  until: number;
}

export type LeaseResult = 'acquired' | 'number_busy' | 'no_channel';

/**
 * At most `channels` faxes in a call across the bridge, and one per destination number. A lease
 * is held by a job (any of its attempts) and taken again by it at no cost; one whose `until`
 * passed is free for others.
 */
export interface CallLeases {
  acquire(job: JobKey, channels: number, now: Date, leaseSeconds: number): Promise<LeaseResult>;
  /** Moves `until` on, for a fax Telnyx says is still in progress. */
  renew(job: JobKey, channels: number, now: Date, leaseSeconds: number): Promise<void>;
  release(job: JobKey, channels: number): Promise<void>;
  /** The channel leases held now, expired ones included. */
  held(channels: number): Promise<CallLease[]>;
}

/** A fax that arrived on one of the bridge's numbers, as the webhook read it from Telnyx. */
export interface ReceivedFax {
  faxId: string;
  /** The caller's number (E.164 when Telnyx gives one) and the number it called. */
  from: string;
  to: string;
  /** Telnyx's `caller_id` or name, when it gives one (not always a number). */
  callerName?: string;
  /** Where Telnyx serves the document for about 10 minutes (`media_url` or `original_media_url`). */
  mediaUrl?: string;
  pageCount?: number;
  callDurationSecs?: number;
  /** Telnyx's `partial_content`: the call ended before every page arrived. */
  partial?: boolean;
  /** ISO time Telnyx says it arrived. */
  receivedAt?: string;
}

/** The fax-in queue's message: one received fax to fetch, store and email, or one that failed. */
export type FaxInMessage =
  | { kind: 'received'; fax: ReceivedFax }
  | { kind: 'failed'; fax: Omit<ReceivedFax, 'mediaUrl'>; failureReason?: string };

export interface FaxInQueue {
  enqueue(message: FaxInMessage): Promise<void>;
}

/** Received faxes under `inbound/<faxId>.pdf`, kept as long as outbound documents. */
export interface ReceivedFaxStore {
  putReceived(faxId: string, pdf: Uint8Array): Promise<void>;
  getReceived(faxId: string): Promise<Uint8Array | undefined>;
}

/**
 * Received faxes recorded once in the ledger (`received#<faxId>`): `first` for the delivery that
 * recorded it, `again` for every later one, however many run at the same time.
 */
export interface ReceivedFaxLog {
  recordReceived(fax: ReceivedFax, at: string, expiresAt: number): Promise<'first' | 'again'>;
}

export type MediaDownload =
  | { kind: 'downloaded'; bytes: Uint8Array; contentType?: string }
  /** 403 or 404 from the link: it has expired (Telnyx's last about 10 minutes). */
  | { kind: 'expired'; status: number }
  | { kind: 'failed'; detail: string };

/** A plain GET of a presigned link: no Authorization header (it would break S3's signature). */
export interface MediaFetcher {
  fetch(url: string, maxBytes: number): Promise<MediaDownload>;
}

/** What refreshes a received fax's link: `POST /v2/faxes/{id}/actions/refresh`, then `GET`. */
/** A received fax as `GET /v2/faxes/{id}` tells it, asked with the bridge's own API key. */
export type ReceivedFaxLookup =
  | { kind: 'found'; to?: string; direction?: string; mediaUrl?: string }
  /** Not a fax of this Telnyx account. */
  | { kind: 'not_found' }
  | { kind: 'unavailable'; detail: string };

/**
 * Telnyx signs webhooks for every customer, and any customer can point a fax application at this
 * bridge's URL: a received fax is believed, and its document fetched, only as the bridge's own
 * account describes it, never from the link an event carries.
 */
export interface ReceivedFaxApi {
  lookupReceived(faxId: string): Promise<ReceivedFaxLookup>;
  refreshMedia(
    faxId: string,
  ): Promise<{ kind: 'refreshed'; mediaUrl: string } | { kind: 'unavailable'; detail: string }>;
}

/** One fax job's turn to be dialled: the dispatch queue's message. */
export interface DispatchMessage extends JobKey {
  /** Which attempt this is (1 for the first dial); a stale attempt's message is dropped. */
  attempt: number;
  /** ISO time before which it must not be dialled (delays past SQS's 15 minutes are chained). */
  notBefore?: string;
}

export interface DispatchQueue {
  /** Sends the message, invisible for `delaySeconds` (0 to 900). */
  enqueue(message: DispatchMessage, delaySeconds: number): Promise<void>;
}

export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The original Message-ID, e.g. `<abc@example.com>`; sets In-Reply-To and References. */
  inReplyTo?: string;
  /** Where a reply goes instead of `from` (a received fax's caller, as a fax address). */
  replyTo?: string;
  /**
   * RFC 3834: `auto-replied` (the default) answers a message; `auto-generated` is caused by
   * something else (a received fax). Either way, an autoresponder must not answer it.
   */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
  attachments?: EmailAttachment[];
}

export interface Mailer {
  /** Sends and resolves once the provider accepted the message; rejects otherwise. */
  send(email: OutgoingEmail): Promise<void>;
}

export type Clock = () => Date;

/**
 * DNS answers in the shape of node:dns's `resolve(name, rrtype)`, which mailauth calls: TXT
 * records as arrays of strings, a missing name or record as an error with code ENOTFOUND/ENODATA.
 */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

/** The subset of Powertools Logger that core code uses. */
export interface Log {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}
