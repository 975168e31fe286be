import type { SESMail, SESReceipt } from 'aws-lambda';
import type { ReceivedMail } from '../core/inbound/process-inbound';

export function toReceivedMail(mail: SESMail, receipt: SESReceipt): ReceivedMail {
  return {
    messageId: mail.messageId,
    source: mail.source,
    recipients: receipt.recipients,
    headers: trustedHeaders(mail),
    commonHeaders: {
      from: mail.commonHeaders?.from,
      subject: mail.commonHeaders?.subject,
      messageId: mail.commonHeaders?.messageId,
    },
    verdicts: {
      spf: receipt.spfVerdict?.status,
      dkim: receipt.dkimVerdict?.status,
      dmarc: receipt.dmarcVerdict?.status,
      spam: receipt.spamVerdict?.status,
      virus: receipt.virusVerdict?.status,
    },
  };
}

/**
 * SES cuts `mail.headers` when they are long. A DKIM signature hidden past the cut could make a
 * forged, aligned one look like the only one, so a cut list vouches for no DKIM domain.
 */
function trustedHeaders(mail: SESMail): { name: string; value: string }[] {
  const headers = mail.headers ?? [];
  return mail.headersTruncated
    ? headers.filter((h) => h.name.toLowerCase() !== 'dkim-signature')
    : headers;
}
