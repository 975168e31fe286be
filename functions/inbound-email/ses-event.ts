import type { SESMail, SESReceipt } from 'aws-lambda';
import type { ReceivedMail } from '../core/inbound/process-inbound';

export function toReceivedMail(mail: SESMail, receipt: SESReceipt): ReceivedMail {
  return {
    messageId: mail.messageId,
    source: mail.source,
    recipients: receipt.recipients,
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
