// The ledger job claimed for each number of an email, and the request Telnyx is sent for it.
import { encodeClientState } from '../shared/fax-job';
import type { FaxQuality, FaxRequest, JobKey, NewFaxJob } from '../shared/ports';
import type { EmailFacts } from './plan';
import type { InboundSettings } from './process-inbound';
import { formatForPeople, formatNational } from './recipients/number-format';
import type { FaxNumber } from './recipients/recipients';

export const jobKey = (email: EmailFacts, number: FaxNumber): JobKey => ({
  messageId: email.identity,
  recipient: number.e164,
});

export function faxJob(
  email: EmailFacts,
  number: FaxNumber,
  documentPages: number,
  now: Date,
  retentionDays: number,
): NewFaxJob {
  const { sender, subject, emailMessageId } = email.context;
  return {
    ...jobKey(email, number),
    typed: number.typed,
    recipientDisplay: {
      international: formatForPeople(number.e164),
      national: formatNational(number.e164),
    },
    sender,
    subject,
    emailMessageId,
    // One document per email, whichever delivery stored it.
    mediaKey: email.identity,
    documentPages,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + retentionDays * 86_400,
  };
}

export function faxRequest(
  key: JobKey,
  mediaUrl: string,
  quality: FaxQuality,
  settings: Pick<InboundSettings, 'telnyx' | 'webhookUrl'>,
): FaxRequest {
  return {
    connectionId: settings.telnyx.connectionId,
    from: settings.telnyx.fromNumber,
    to: key.recipient,
    mediaUrl,
    quality,
    webhookUrl: settings.webhookUrl,
    clientState: encodeClientState(key),
  };
}
