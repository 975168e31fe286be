import { createHash } from 'node:crypto';
import { threadId } from '../shared/notice-email';

/**
 * The one name of an email: its fax jobs, its notice and its document are named after it. A
 * sending server that never saw SES's answer sends the message again under a new SES id, but with
 * the same sender and Message-ID: it must be faxed, stored and answered once. Without a usable
 * Message-ID nothing tells two deliveries of one email apart, so each SES id is its own email.
 */
export function emailIdentity(
  sesMessageId: string,
  sender: string,
  messageIdHeader: string | undefined,
): string {
  const id = threadId(messageIdHeader);
  if (!id) return sesMessageId;
  return `mid-${createHash('sha256').update(`${sender} ${id}`).digest('base64url').slice(0, 32)}`;
}

/** The ledger's name for the one notice an email gets (a refusal, or how its faxes went). */
export const noticeId = (identity: string): string => `mail#${identity}`;
