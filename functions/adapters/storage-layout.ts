// Where the bridge keeps things: the bucket's object keys and the ledger table's partition keys.
// Named once because the adapters, the stack (lifecycle rules, IAM grants, the SES action) and the
// local mode must agree, and because a deployed bucket or table already holds data under them.
import { jobName } from '../core/shared/fax-job';
import type { JobKey } from '../core/shared/ports';

/** Raw mail, where SES's S3 action writes it. */
export const RAW_PREFIX = 'raw/';
/** The fax documents Telnyx downloads through presigned URLs. */
export const MEDIA_PREFIX = 'media/';
/** Received faxes. */
export const INBOUND_PREFIX = 'inbound/';

/** SES names the object after the message id it reports to the inbound function. */
export const rawMailKey = (messageId: string): string => `${RAW_PREFIX}${messageId}`;

export const mediaKey = (key: string): string => `${MEDIA_PREFIX}${key}.pdf`;

/** What every fax job's partition key starts with (ops/faxes.ts lists them by it). */
export const JOB_PK_PREFIX = 'job#';

export const jobPk = (key: JobKey): string => `${JOB_PK_PREFIX}${jobName(key)}`;

export const noticePk = (noticeId: string): string => `notice#${noticeId}`;

export const eventPk = (eventId: string): string => `event#${eventId}`;

/** The numbers an email (by its identity) was first faxed to. */
export const recipientsPk = (emailId: string): string => `recipients#${emailId}`;

/** One sender's faxes and pages on one local day (`YYYY-MM-DD`, last, so any address fits). */
export const senderQuotaPk = (sender: string, day: string): string =>
  `quota#sender#${sender}#${day}`;

/** The whole bridge's pages on one local day. */
export const bridgeQuotaPk = (day: string): string => `quota#bridge#${day}`;

/** One of the account's call channels (0 to TELNYX_CHANNELS - 1), while a fax holds it. */
export const channelLeasePk = (channel: number): string => `lease#channel#${channel}`;

/** A destination number, while a fax to it is in a call. */
export const numberLeasePk = (e164: string): string => `lease#number#${e164}`;

/** A received fax, stored as PDF whatever Telnyx served. */
export const receivedKey = (faxId: string): string => `${INBOUND_PREFIX}${faxId}.pdf`;

/** A received fax recorded once, whatever Telnyx delivers twice. */
export const receivedPk = (faxId: string): string => `received#${faxId}`;

/** Where the webhook function serves received faxes by signed link (its function URL + this). */
export const DOWNLOAD_PATH = '/faxes-in/';
