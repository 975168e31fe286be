import type { Clock, Ledger, Log, Mailer, OutgoingEmail } from './ports';

export interface NoticeOnceDeps {
  ledger: Ledger;
  mailer: Mailer;
  clock: Clock;
  log: Log;
}

/**
 * Sends a notice at most once, however often the event that causes it is delivered:
 * claim, send, mark sent. A failed send gives the claim back and rethrows, so a retry may send.
 * Resolves `sent` when this call sent it, `already_sent`, or `held` while another delivery sends it.
 */
export async function sendNoticeOnce(
  noticeId: string,
  compose: () => Promise<OutgoingEmail> | OutgoingEmail,
  deps: NoticeOnceDeps,
  claim: { leaseSeconds: number; expiresAt: number },
): Promise<'sent' | 'already_sent' | 'held'> {
  const now = deps.clock();
  const claimed = await deps.ledger.claimNotice(noticeId, now, claim.leaseSeconds, claim.expiresAt);
  if (claimed !== 'claimed') return claimed === 'sent' ? 'already_sent' : 'held';
  try {
    await deps.mailer.send(await compose());
  } catch (error) {
    await deps.ledger.releaseNotice(noticeId);
    throw error;
  }
  try {
    await deps.ledger.markNoticeSent(noticeId, deps.clock().toISOString());
  } catch (error) {
    // The email is out: failing now would make the retry send it a second time.
    deps.log.warn('notice sent but not marked as sent', {
      noticeId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return 'sent';
}
