// Every reason an email is refused, once, with the words the sender reads.

import { formatForPeople } from '../shared/number-format';
import type { DailyCap } from '../shared/ports';
import { zonedFormat } from '../shared/zoned-format';

export type Refusal =
  | { code: 'sender_not_allowed'; sender: string }
  | { code: 'recipients_not_signed' }
  | { code: 'recipients_changed' }
  | { code: 'email_too_old'; limitHours: number }
  | { code: 'email_from_future'; limitHours: number }
  | { code: 'email_date_unsigned' }
  | { code: 'message_id_unsigned' }
  | { code: 'too_many_recipients'; count: number; limit: number }
  | { code: 'no_document' }
  | { code: 'unsupported_document'; files: string[] }
  | { code: 'winmail_dat'; file: string }
  | { code: 'encrypted_email' }
  | { code: 'encrypted_pdf'; file: string }
  | { code: 'unreadable_document'; file: string }
  | { code: 'empty_attachment'; file: string }
  | { code: 'too_many_pages'; pages: number; limit: number }
  | { code: 'too_large'; megabytes: number; limit: number }
  | { code: 'image_too_large'; file: string; width: number; height: number; limit: number }
  | {
      code: 'image_too_big_to_open';
      file: string;
      /** Decoded size of this image, and of the email's images up to and including it (MB). */
      megabytes: number;
      emailMegabytes: number;
      limit: number;
    }
  | { code: 'pdf_too_big_to_open'; file: string }
  | { code: 'too_many_attachments'; limit: number }
  | { code: 'email_too_complex' }
  | {
      code: 'daily_cap_reached';
      cap: DailyCap;
      limit: number;
      /** Faxes or pages (as `cap` counts) already counted today, and what this email needed. */
      used: number;
      requested: number;
      /** ISO time the count starts again, and the zone whose day it counts. */
      resetsAt: string;
      timeZone: string;
    };

export type RefusalCode = Refusal['code'];

/** Why one recipient address cannot be faxed. `typed` is the local part as the sender wrote it. */
export type RecipientProblem =
  | { code: 'invalid_number'; typed: string }
  | { code: 'special_number'; typed: string }
  | { code: 'premium_number'; typed: string }
  | DestinationProblem;

/**
 * A real number this fax service will not dial because of where the call goes or what it costs.
 * `e164` is the number as read; `country` an ISO 3166 code.
 */
export type DestinationProblem =
  | { code: 'country_not_allowed'; typed: string; e164: string; country: string }
  | { code: 'international_network'; typed: string; e164: string }
  | { code: 'shared_cost_number'; typed: string; e164: string }
  | { code: 'personal_number'; typed: string; e164: string }
  | { code: 'foreign_toll_free'; typed: string; e164: string; country: string };

export interface Explanation {
  problem: string;
  fix: string;
}

const quote = (name: string) => `"${name}"`;
const readableSize = (megabytes: number) =>
  megabytes >= 1024 ? `${Math.round(megabytes / 102.4) / 10} GB` : `${megabytes} MB`;
const names = (files: string[]) => files.map(quote).join(', ');

export function explainRefusal(refusal: Refusal): Explanation {
  switch (refusal.code) {
    case 'sender_not_allowed':
      return {
        problem: `${refusal.sender} is not on this fax service's list of allowed senders.`,
        fix: 'Ask your fax administrator to add your address, or send from an address that is allowed.',
      };
    case 'recipients_not_signed':
      return {
        problem:
          'The fax address was not in the To or Cc line of the email as your mail server signed it: it was a Bcc, or the email reached this fax service through another server than yours, so this fax service cannot tell that you chose that number.',
        fix: 'Put the fax address in the To or Cc line (not Bcc) and send the email again from your own email account.',
      };
    case 'recipients_changed':
      return {
        problem:
          'This email was already faxed to other numbers. An email is faxed only to the numbers it was first sent to, so that a copy of it cannot be sent on to anyone else.',
        fix: 'To fax the document to another number, attach it to a new email.',
      };
    case 'email_too_old':
      return {
        problem: `The email was written more than ${refusal.limitHours} hours ago. This fax service faxes only emails of the last ${refusal.limitHours} hours, so that an old email cannot be sent again.`,
        fix: 'Attach the document to a new email and send that.',
      };
    case 'email_from_future':
      return {
        problem: `The email is dated more than ${refusal.limitHours} hours in the future, so this fax service cannot tell when it was written.`,
        fix: 'Check the date, time and time zone of your computer or phone, then send the document in a new email.',
      };
    case 'message_id_unsigned':
      return {
        problem:
          "The email reached this fax service through another server than your own, and your mail server's signature does not cover its Message-ID, so this fax service cannot tell it apart from a copy sent again.",
        fix: 'Send the email from your own email account, not through a forwarding or mailing service.',
      };
    case 'email_date_unsigned':
      return {
        problem:
          "The email reached this fax service through another server than your own, and your mail server's signature does not cover its date, so this fax service cannot tell when it was written.",
        fix: 'Send the email from your own email account, not through a forwarding or mailing service.',
      };
    case 'too_many_recipients':
      return {
        problem: `The email was addressed to ${refusal.count} fax numbers; at most ${refusal.limit} are allowed in one email.`,
        fix: `Split the recipients over several emails of at most ${refusal.limit} fax numbers each.`,
      };
    case 'no_document':
      return {
        problem: 'The email had no document to fax.',
        fix: 'Attach the document as a PDF (or a JPEG, PNG, GIF or TIFF image) and send it again.',
      };
    case 'unsupported_document':
      return {
        problem: `This fax service cannot fax ${names(refusal.files)}: only PDF files and images (JPEG, PNG, GIF, TIFF) can be faxed.`,
        fix: 'Open the file and print it to PDF ("Save as PDF" or "Print to PDF"), then attach the PDF and send again.',
      };
    case 'winmail_dat':
      return {
        problem: `Your mail program packed the attachments into ${quote(refusal.file)} (Outlook's Rich Text format), which cannot be faxed.`,
        fix: 'In Outlook, set the message format to HTML or plain text, attach the document as a PDF and send again.',
      };
    case 'encrypted_email':
      return {
        problem: 'The email was encrypted (S/MIME or PGP), so its attachments cannot be read.',
        fix: 'Send the email again without encryption. The link from this service to the fax line is protected.',
      };
    case 'encrypted_pdf':
      return {
        problem: `The PDF ${quote(refusal.file)} is password-protected or encrypted, so it cannot be faxed.`,
        fix: 'Remove the password (or print the document to a new PDF) and send it again.',
      };
    case 'unreadable_document':
      return {
        problem: `The file ${quote(refusal.file)} is damaged or incomplete and cannot be read.`,
        fix: 'Open the file to check it, save or export it again, and send the new copy.',
      };
    case 'empty_attachment':
      return {
        problem: `The attachment ${quote(refusal.file)} is empty (0 bytes).`,
        fix: 'Attach the file again; if it keeps arriving empty, save it to your computer first and attach that copy.',
      };
    case 'too_many_pages':
      return {
        problem: `The document has ${refusal.pages} pages; this fax service sends at most ${refusal.limit} pages in one fax.`,
        fix: `Split the document into parts of at most ${refusal.limit} pages and send each in its own email.`,
      };
    case 'too_large':
      return {
        problem: `The fax document would be ${refusal.megabytes} MB; the limit is ${refusal.limit} MB.`,
        fix: 'Send fewer or smaller files (for example scans at 200 dpi in black and white), or split them over several emails.',
      };
    case 'image_too_large':
      return {
        problem: `The image ${quote(refusal.file)} is ${refusal.width} × ${refusal.height} pixels, more than this fax service opens (${refusal.limit / 1_000_000} million pixels).`,
        fix: 'Scale the image down (a full page at 300 dpi is about 2550 × 3300 pixels) or save it as a PDF, and send it again.',
      };
    case 'image_too_big_to_open':
      return explainImageTooBig(refusal);
    case 'pdf_too_big_to_open':
      return {
        problem: `The PDF ${quote(refusal.file)} unpacks to far more than its size, more than this fax service can open.`,
        fix: 'Print it to a new PDF ("Save as PDF" or "Print to PDF") and send that, or send fewer PDFs in one email.',
      };
    case 'too_many_attachments':
      return {
        problem: `The email has more than ${refusal.limit.toLocaleString('en-US')} attachments and parts, more than this fax service reads.`,
        fix: 'Put the documents into one PDF (or a few), attach it to a new email and send that.',
      };
    case 'email_too_complex':
      return {
        problem: 'The email could not be read: its headers or structure are too large or damaged.',
        fix: 'Write a new email, attach the document as a PDF, and send that instead of forwarding or replying.',
      };
    case 'daily_cap_reached':
      return explainDailyCap(refusal);
  }
}

type DailyCapRefusal = Extract<Refusal, { code: 'daily_cap_reached' }>;

const count = (n: number) => n.toLocaleString('en-US');

const CAP_NAMES: Record<DailyCap, (limit: string) => string> = {
  sender_faxes: (limit) => `your ${limit} faxes a day`,
  sender_pages: (limit) => `your ${limit} pages a day`,
  bridge_pages: (limit) =>
    `this fax service's ${limit} pages a day, shared by everyone who uses it`,
};

const UNITS: Record<DailyCap, string> = {
  sender_faxes: 'faxes',
  sender_pages: 'pages',
  bridge_pages: 'pages',
};

function explainDailyCap(refusal: DailyCapRefusal): Explanation {
  const { cap, requested } = refusal;
  const limit = count(refusal.limit);
  const used = count(refusal.used);
  const counted =
    cap === 'bridge_pages'
      ? `${used} pages have been sent today`
      : `You have sent ${used} ${UNITS[cap]} today`;
  const again = `The count starts again after midnight, ${resetTime(refusal)}`;
  return {
    problem: `This email would go over ${CAP_NAMES[cap](limit)}. ${counted} and it needs ${count(requested)} more, so none of its faxes were sent.`,
    fix:
      requested > refusal.limit
        ? `One email can never take more than ${limit} ${UNITS[cap]}: split the fax numbers or the document over several emails. ${again}.`
        : `${again}: send the email again then.${cap === 'bridge_pages' ? ' If it cannot wait, ask your fax administrator.' : ''}`,
  };
}

const RESET = {
  hour: 'numeric',
  minute: '2-digit',
  weekday: 'long',
  month: 'long',
  day: 'numeric',
} as const;

/** "12:00 AM America/Chicago on Saturday, November 28", in the zone whose day was counted. */
function resetTime({ resetsAt, timeZone }: DailyCapRefusal): string {
  const format = zonedFormat(RESET, timeZone);
  const part = Object.fromEntries(
    format.formatToParts(new Date(resetsAt)).map((p) => [p.type, p.value]),
  );
  return `${part.hour}:${part.minute} ${part.dayPeriod} ${timeZone} on ${part.weekday}, ${part.month} ${part.day}`;
}

/** `faxDomain` lets the example be an address the sender can copy. */
function explainImageTooBig(
  refusal: Extract<Refusal, { code: 'image_too_big_to_open' }>,
): Explanation {
  const { file, megabytes, emailMegabytes, limit } = refusal;
  const size =
    emailMegabytes > megabytes
      ? `The images in this email would be ${readableSize(emailMegabytes)} once opened (${quote(file)} alone ${readableSize(megabytes)})`
      : `The image ${quote(file)} would be ${readableSize(megabytes)} once opened`;
  return {
    problem: `${size}, more than this fax service can handle (${readableSize(limit)} of images in one email).`,
    fix: 'Send it as a PDF or a smaller image (a page scanned at 200 dpi is plenty for a fax), or spread the images over several emails.',
  };
}

export function explainRecipientProblem(
  problem: RecipientProblem,
  faxDomain?: string,
): Explanation {
  switch (problem.code) {
    case 'invalid_number':
      return {
        problem: `${quote(problem.typed)} is not a valid fax number.`,
        fix: `Write the number in full with its country code, for example ${faxDomain ? `+13125551234@${faxDomain}` : '+13125551234 before the @'}, and send again.`,
      };
    case 'special_number':
      return {
        problem: `${quote(problem.typed)} is an emergency, service or short code number, which cannot receive faxes.`,
        fix: 'Check the fax number with the recipient and send again to the full number.',
      };
    case 'premium_number':
      return {
        problem: `${quote(problem.typed)} is a premium-rate number; this fax service does not call those.`,
        fix: 'Check the fax number with the recipient; ask your administrator if you really need to fax it.',
      };
    case 'country_not_allowed':
      return {
        problem: `${dialled(problem)} is in ${countryName(problem.country)}, which this fax service is not set up to dial.`,
        fix: `Ask your fax administrator to add ${problem.country} to ALLOWED_COUNTRIES if you need to fax there.`,
      };
    case 'international_network':
      return {
        problem: `${dialled(problem)} is a satellite or international network number, not a number in any country. Calls to these cost many times an ordinary call, so this fax service never dials them.`,
        fix: 'Ask the recipient for a fax number in their country.',
      };
    case 'shared_cost_number':
      return {
        problem: `${dialled(problem)} is a shared-cost service number, which costs more to call than an ordinary number; this fax service does not dial those.`,
        fix: 'Ask the recipient for their ordinary fax number, the one with an area code.',
      };
    case 'personal_number':
      return {
        problem: `${dialled(problem)} is a personal forwarding number (such as UK numbers starting 070), which can pass the call on anywhere at a high price; this fax service does not dial those.`,
        fix: 'Ask the recipient for the fax number itself and send again to that.',
      };
    case 'foreign_toll_free':
      return {
        problem: `${dialled(problem)} is a freephone number in ${countryName(problem.country)}. Freephone numbers are free only from inside their own country and can cost a lot from abroad, so this fax service does not dial them.`,
        fix: 'Ask the recipient for an ordinary fax number with an area code.',
      };
  }
}

/** `"8765550100" (+1 876-555-0100)`: what the sender wrote, and the number it was read as. */
const dialled = (problem: { typed: string; e164: string }) =>
  `${quote(problem.typed)} (${formatForPeople(problem.e164)})`;

const regions = new Intl.DisplayNames(['en'], { type: 'region' });
// "in Jamaica" but "in the United Kingdom": names that read as a plural or a title take "the".
const WITH_THE =
  /^(United |Isle of |Caribbean |British Indian |Palestinian |Vatican )|(Islands|Republic|Netherlands|Philippines|Bahamas|Gambia|Maldives|Comoros)$/;
const countryName = (code: string) => {
  const name = regions.of(code) ?? code;
  return WITH_THE.test(name) ? `the ${name}` : name;
};
