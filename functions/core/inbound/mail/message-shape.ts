// One message, one shape: a field that names the sender, the recipients, the subject, the date or
// the thread appears at most once (RFC 5322 §3.6). Readers disagree on which copy of a repeated
// field counts (mailparser reads the first, a DKIM verifier signs the last), so a second copy
// is how a replayed message shows the bridge one thing while its signature vouches for another.
import type { HeaderField } from './header-block';

/**
 * RFC 5322's once-only fields, and the two that decide how the body is read: a second
 * Content-Type would have the MIME parser read a body the signature did not describe.
 */
export const ONCE_ONLY_FIELDS = [
  'from',
  'sender',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'content-type',
  'content-transfer-encoding',
] as const;

export type OnceOnlyField = (typeof ONCE_ONLY_FIELDS)[number];

const ONCE_ONLY = new Set<string>(ONCE_ONLY_FIELDS);

/** The first once-only field the header block holds twice, if any. */
export function repeatedField(fields: HeaderField[]): OnceOnlyField | undefined {
  const seen = new Set<string>();
  for (const { name } of fields) {
    if (!ONCE_ONLY.has(name)) continue;
    if (seen.has(name)) return name as OnceOnlyField;
    seen.add(name);
  }
  return undefined;
}

/** More signatures than any person's mail carries: each costs a pass over the body to check. */
export const MAX_DKIM_SIGNATURES = 10;

export const tooManySignatures = (fields: HeaderField[]): boolean =>
  fields.filter((field) => field.name === 'dkim-signature').length > MAX_DKIM_SIGNATURES;
