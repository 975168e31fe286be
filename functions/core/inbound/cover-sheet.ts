// What the cover sheet says, from the email and the settings: who the fax is for (every number of
// the email, so that one document serves them all), who it is from, and the bridge's own lines.

import { formatForPeople } from '../shared/number-format';
import type { DocumentOptions } from './document/build-document';
import type { ParsedEmail } from './mail/parse-email';
import type { InboundSettings } from './process-inbound';
import type { FaxNumber } from './recipients/recipients';

type Cover = Exclude<DocumentOptions['cover'], false>;

export function coverSheet(
  content: { subject: string; sender: string; text: string },
  parsed: ParsedEmail,
  numbers: FaxNumber[],
  settings: InboundSettings,
): Cover {
  return {
    subject: content.subject,
    sender: senderLine(content.sender, parsed),
    text: content.text,
    recipients: numbers.map((n) => ({
      name: nameOf(n, parsed.to),
      number: formatForPeople(n.e164),
    })),
    timeZone: settings.noticeTimeZone,
    ...settings.cover,
  };
}

/** The vouched-for address, with the display name the From header gives it. */
function senderLine(address: string, parsed: ParsedEmail): string {
  const from = parsed.from.find((a) => a.address?.toLowerCase() === address.toLowerCase());
  const name = from?.name?.trim();
  return name && name.toLowerCase() !== address.toLowerCase() ? `${name} <${address}>` : address;
}

/** The display name of the To address the number was typed in, when it has one. */
function nameOf(number: FaxNumber, to: ParsedEmail['to'] = []): string | undefined {
  const typed = number.typed.toLowerCase();
  const match = to.find((a) => {
    const local = a.address?.slice(0, a.address.lastIndexOf('@')).replace(/^"|"$/g, '');
    return local?.toLowerCase() === typed;
  });
  const name = match?.name?.trim();
  return name && !name.includes('@') ? name : undefined;
}
