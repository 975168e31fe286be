// One email to each address of a route, each at most once however often the fax is delivered: an
// address whose email failed is tried again by the redelivery, the others are not emailed twice.
import { RESULT_NOTICE_LEASE_SECONDS } from '../shared/fax-outcome';
import { type NoticeOnceDeps, sendNoticeOnce } from '../shared/notice-once';
import type { OutgoingEmail } from '../shared/ports';

export interface RouteEmails {
  /** Sent by this delivery, and sent by an earlier one. */
  sent: number;
  alreadySent: number;
  /** Being sent by another delivery now, or refused by SES: the message must come back. */
  held: number;
  failed: number;
}

export const pending = (emails: RouteEmails): number => emails.held + emails.failed;

export async function emailRoute(
  noticeKind: string,
  faxId: string,
  addresses: readonly string[],
  compose: (address: string) => Promise<OutgoingEmail> | OutgoingEmail,
  claim: { expiresAt: number },
  deps: NoticeOnceDeps,
): Promise<RouteEmails> {
  const emails: RouteEmails = { sent: 0, alreadySent: 0, held: 0, failed: 0 };
  for (const address of addresses) {
    const noticeId = `${noticeKind}#${faxId}#${address}`;
    try {
      const result = await sendNoticeOnce(noticeId, () => compose(address), deps, {
        leaseSeconds: RESULT_NOTICE_LEASE_SECONDS,
        expiresAt: claim.expiresAt,
      });
      if (result === 'sent') emails.sent += 1;
      else if (result === 'already_sent') emails.alreadySent += 1;
      else emails.held += 1;
    } catch (error) {
      // The address is named by its place in the route, not written into the log.
      deps.log.error('received-fax email not sent; it will be tried again', {
        faxId,
        recipient: addresses.indexOf(address) + 1,
        error: error instanceof Error ? error.name : 'error',
      });
      emails.failed += 1;
    }
  }
  return emails;
}
