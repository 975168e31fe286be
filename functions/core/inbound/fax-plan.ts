// The ledger job claimed for each number of an email.

import { formatForPeople, formatNational, isDomestic } from '../shared/number-format';
import type { JobKey, NewFaxJob, NumberDisplay } from '../shared/ports';
import type { EmailFacts } from './plan';
import type { InboundSettings } from './process-inbound';
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

const display = (e164: string, country: string): NumberDisplay => ({
  international: formatForPeople(e164),
  national: formatNational(e164),
  domestic: isDomestic(e164, country),
});

type JobFacts = Pick<
  NewFaxJob,
  'recipientDisplay' | 'fromNumber' | 'contents' | 'emailFaxNumbers' | 'faxAddress'
>;

/**
 * What the result email tells about a fax, worked out here where the phone metadata is: the
 * webhook function has none. `document.pages` counts the cover page, `files` do not.
 */
export function jobFacts(
  number: FaxNumber,
  document: { pages: number; files: { filename: string; pages: number }[] },
  emailFaxNumbers: number,
  settings: Pick<InboundSettings, 'telnyx' | 'defaultCountry' | 'faxDomains'>,
): JobFacts {
  const filePages = document.files.reduce((sum, file) => sum + file.pages, 0);
  const { fromNumber } = settings.telnyx;
  const faxDomain = settings.faxDomains[0];
  return {
    recipientDisplay: display(number.e164, settings.defaultCountry),
    fromNumber: { e164: fromNumber, ...display(fromNumber, settings.defaultCountry) },
    contents: {
      files: document.files.map(({ filename, pages }) => ({ filename, pages })),
      coverPage: document.pages > filePages,
    },
    emailFaxNumbers,
    faxAddress: faxDomain ? `${number.e164}@${faxDomain}` : undefined,
  };
}
