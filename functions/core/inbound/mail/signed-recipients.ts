// The fax numbers a DKIM signature binds: those in the To and Cc fields it signs. A message that
// did not come from the sender's own servers may be a replay of one they signed for someone
// else, sent on with RCPT TO numbers of the replayer's choosing; the envelope cannot be believed.
import addressparser from 'nodemailer/lib/addressparser';
import { type FaxNumber, parseRecipients, type RecipientOptions } from '../recipients/recipients';
import type { RecipientProblem } from '../refusals';

export interface EnvelopeRecipients {
  numbers: FaxNumber[];
  problems: RecipientProblem[];
}

/**
 * What the envelope names on a fax domain that the signed To and Cc fields (their values) do not:
 * numbers compared as E.164, anything unreadable as typed. Empty when the signature covers all.
 */
export function unsignedRecipients(
  envelope: EnvelopeRecipients,
  signedFields: string[],
  options: RecipientOptions,
): string[] {
  const addresses = signedFields.flatMap((value) =>
    addressparser(value, { flatten: true }).flatMap((entry) => entry.address ?? []),
  );
  // Every address counts, however many: the limit is on what the envelope asks to fax.
  const signed = parseRecipients(addresses, {
    ...options,
    maxRecipients: Number.POSITIVE_INFINITY,
  });
  if (signed.kind !== 'ok') return [];
  const numbers = new Set(signed.numbers.map((number) => number.e164));
  const typed = new Set(signed.problems.map((problem) => problem.typed));
  return [
    ...envelope.numbers.filter((number) => !numbers.has(number.e164)).map((n) => n.typed),
    ...envelope.problems.filter((problem) => !typed.has(problem.typed)).map((p) => p.typed),
  ];
}
