// Mail a machine sent (RFC 3834): auto-replies, bulk and list mail, bounces, and anything to the
// bridge's own notice address. Answering it could start a loop of notices, and faxing it would
// fax an out-of-office reply's logo, so it is dropped without a word.
import addressparser from 'nodemailer/lib/addressparser';
import { type HeaderField, valuesOf } from './header-block';

export type AutomaticMail =
  | 'auto_submitted'
  | 'bulk_mail'
  | 'mailing_list'
  | 'bounce'
  | 'to_notice_address';

export interface Envelope {
  /** MAIL FROM; empty (`<>`) for a bounce. */
  source: string;
  recipients: string[];
}

/** Why the message is a machine's, or undefined for a person's. */
export function automaticMail(
  fields: HeaderField[],
  envelope: Envelope,
  noticeFrom: string,
): AutomaticMail | undefined {
  if (valuesOf(fields, 'auto-submitted').some((value) => keyword(value) !== 'no')) {
    return 'auto_submitted';
  }
  if (valuesOf(fields, 'precedence').some((value) => BULK.has(keyword(value)))) return 'bulk_mail';
  if (valuesOf(fields, 'list-id').length > 0) return 'mailing_list';
  if (isBounce(envelope.source)) return 'bounce';
  const own = bare(noticeFrom);
  if (envelope.recipients.some((recipient) => bare(recipient) === own)) return 'to_notice_address';
  return undefined;
}

const BULK = new Set(['bulk', 'junk', 'list']);

/** `auto-replied; owner-email="…"` → `auto-replied`; comments in parentheses do not count. */
const keyword = (value: string) =>
  value
    .replace(/\([^)]*\)/g, '')
    .split(';')[0]
    ?.trim()
    .toLowerCase() ?? '';

function isBounce(source: string): boolean {
  const address = bare(source);
  const at = address.lastIndexOf('@');
  return address === '' || (at < 0 ? address : address.slice(0, at)) === 'mailer-daemon';
}

const bare = (address: string): string =>
  (addressparser(address, { flatten: true })[0]?.address ?? '').trim().toLowerCase();
