// The end of a fax job: its call channel given back, and the one result email to its sender.
// Reached from the webhook (Telnyx said delivered or failed), the sweeper (Telnyx said so when
// asked) and the dispatch (Telnyx refused the fax).
import { jobName } from './fax-job';
import { sendNoticeOnce } from './notice-once';
import type { CallLeases, Clock, FaxJob, Ledger, Log, Mailer, MediaStore } from './ports';
import { type FailedDocument, resultEmail } from './result-email';
import { type TransmissionReportSetting, transmissionReport } from './transmission-report';

export interface OutcomeSettings {
  noticeFrom: string;
  noticeTimeZone: string;
  attachFailedDocument: boolean;
  /** The delivered email's confirmation report: with page 1 reduced, without it, or none. */
  transmissionReport: TransmissionReportSetting;
  /** Who to ask, in the footer. */
  adminContact?: string;
  retentionDays: number;
  /** TELNYX_CHANNELS: which channel leases there are. */
  channels: number;
}

export interface OutcomeDeps {
  ledger: Ledger;
  leases: CallLeases;
  mailer: Mailer;
  media: Pick<MediaStore, 'getDocument'>;
  clock: Clock;
  log: Log;
}

/** `held`: another delivery is sending it now; `failed`: SES did not take it, try again later. */
export type ResultSend = 'sent' | 'already_sent' | 'held' | 'failed';

// Long enough to cover one SES call; short enough that a crashed sender's claim soon lapses.
export const RESULT_NOTICE_LEASE_SECONDS = 60;
// SES takes raw messages up to 10 MB, and base64 adds a third.
export const MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024;

/** Sends the job's result email once, then gives back its call channel. */
export async function finishJob(
  job: FaxJob,
  settings: OutcomeSettings,
  deps: OutcomeDeps,
): Promise<ResultSend> {
  // Ledgers in service hold result notices under `result#job#…`; a new id would send them again.
  const noticeId = `result#job#${jobName(job)}`;
  const now = deps.clock();
  const claim = { leaseSeconds: RESULT_NOTICE_LEASE_SECONDS, expiresAt: expiresAt(now, settings) };
  const compose = async () =>
    resultEmail({
      job,
      from: settings.noticeFrom,
      timeZone: settings.noticeTimeZone,
      adminContact: settings.adminContact,
      document: await failedDocument(job, settings, deps),
      report: await deliveredReport(job, settings, deps),
    });
  try {
    const sent = await sendNoticeOnce(noticeId, compose, deps, claim);
    if (sent === 'held') deps.log.info('result email being sent by another delivery', { noticeId });
    if (sent === 'sent') deps.log.info('result email sent', { noticeId, status: job.status });
    // Held until the email is out: the sweeper finds a fax only by its channel, and finishes it.
    if (sent !== 'held') await deps.leases.release(job, settings.channels);
    return sent;
  } catch (error) {
    deps.log.error('result email not sent; it will be tried again', {
      noticeId,
      error: describe(error),
    });
    return 'failed';
  }
}

async function failedDocument(
  job: FaxJob,
  settings: OutcomeSettings,
  deps: OutcomeDeps,
): Promise<FailedDocument | undefined> {
  if (job.status === 'delivered' || !settings.attachFailedDocument) return undefined;
  // Without s3:ListBucket a missing object reads as AccessDenied: either way the email goes out.
  const pdf = await deps.media.getDocument(job.mediaKey).catch((error: unknown) => {
    deps.log.warn('failed fax document unreadable', { error: describe(error) });
    return undefined;
  });
  if (!pdf) return { kind: 'gone' };
  return pdf.length > MAX_ATTACHMENT_BYTES ? { kind: 'too_large' } : { kind: 'attached', pdf };
}

/** The report for a delivered fax; without page 1 when the document cannot be read or placed. */
async function deliveredReport(
  job: FaxJob,
  settings: OutcomeSettings,
  deps: OutcomeDeps,
): Promise<Uint8Array | undefined> {
  const setting = settings.transmissionReport;
  if (job.status !== 'delivered' || setting === 'off') return undefined;
  const timeZone = settings.noticeTimeZone;
  if (setting === 'on') {
    const pdf = await deps.media.getDocument(job.mediaKey).catch(() => undefined);
    if (pdf) {
      try {
        return await transmissionReport(job, timeZone, pdf);
      } catch (error) {
        deps.log.warn('page 1 not placed in the transmission report', { error: describe(error) });
      }
    } else {
      deps.log.warn('fax document unreadable: transmission report without page 1');
    }
  }
  return transmissionReport(job, timeZone);
}

export const expiresAt = (now: Date, settings: { retentionDays: number }) =>
  Math.floor(now.getTime() / 1000) + settings.retentionDays * 86_400;

export const describe = (error: unknown) =>
  error instanceof Error ? error.message : String(error);
