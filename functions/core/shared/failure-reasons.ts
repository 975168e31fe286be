// Every fax.failed `failure_reason` Telnyx documents (FAX_API.md §5.3), in the sender's words,
// grouped by what the sender can do about it.

export type FailureAdvice =
  | 'try_again_later'
  | 'check_number'
  | 'recipient_machine'
  | 'contact_administrator';

export interface FailureExplanation {
  /** Telnyx's code as received, for the small print. */
  code: string;
  /** Completes "Fax to <number> failed: …". */
  summary: string;
  /** What happened, one or two sentences. */
  sentence: string;
  advice: FailureAdvice;
  /** What the sender should do next. */
  nextStep: string;
}

type Reason = Omit<FailureExplanation, 'code' | 'nextStep'>;

const reason = (advice: FailureAdvice, summary: string, sentence: string): Reason => ({
  advice,
  summary,
  sentence,
});

export const FAILURE_REASONS: Readonly<Record<string, Reason>> = {
  // Telephony and the destination
  receiver_call_dropped: reason(
    'try_again_later',
    'the call dropped',
    'The call to the fax machine dropped before the whole fax had gone through.',
  ),
  receiver_communication_error: reason(
    'recipient_machine',
    'the fax machines could not communicate',
    'The receiving fax machine answered but could not exchange the fax with ours.',
  ),
  receiver_decline: reason(
    'recipient_machine',
    'the receiving line declined the call',
    'The receiving line declined the call, so no fax could be sent.',
  ),
  receiver_recovery_on_timer_expire: reason(
    'try_again_later',
    'the phone network did not answer in time',
    "The recipient's phone carrier did not answer the call in time.",
  ),
  receiver_no_response: reason(
    'try_again_later',
    'the number did not respond',
    'The call to the number got no response from the phone network.',
  ),
  receiver_invalid_number_format: reason(
    'check_number',
    'the number is not in a format the phone network accepts',
    'The phone network did not accept the number as written.',
  ),
  receiver_no_answer: reason(
    'recipient_machine',
    'nobody answered',
    'The line rang but no fax machine picked up.',
  ),
  receiver_incompatible_destination: reason(
    'check_number',
    'the number is not a fax line',
    'The number answered, but not as a fax machine (it may be a phone or voicemail).',
  ),
  receiver_unallocated_number: reason(
    'check_number',
    'the number is not in service',
    'The phone network says this number is not in service.',
  ),
  destination_unreachable: reason(
    'check_number',
    'the number could not be reached',
    'The phone network could not reach this number.',
  ),
  user_busy: reason('try_again_later', 'the line was busy', 'The fax line was busy.'),
  invalid_ecm_response_from_receiver: reason(
    'recipient_machine',
    'the receiving fax machine gave an invalid error-correction reply',
    'The receiving fax machine sent an error-correction reply that ours could not use.',
  ),
  fax_initial_communication_timeout: reason(
    'recipient_machine',
    'no fax machine responded',
    'The call was answered, but no fax machine responded in time.',
  ),
  fax_signaling_error: reason(
    'recipient_machine',
    'the fax machines could not agree how to send',
    'The receiving fax machine and ours could not agree how to send the fax.',
  ),
  service_unavailable: reason(
    'try_again_later',
    'the phone network was unavailable',
    'The phone network was temporarily unavailable.',
  ),
  carrier_lost: reason(
    'try_again_later',
    'the connection was lost',
    'The connection to the receiving fax machine was lost during the call.',
  ),

  // The fax service's account and set-up
  account_disabled: reason(
    'contact_administrator',
    "the fax service's account is disabled",
    'The fax provider account this service uses is disabled, so it cannot send faxes.',
  ),
  destination_invalid: reason(
    'check_number',
    'the number cannot be dialled',
    'The fax provider cannot dial this number.',
  ),
  destination_not_in_service_plan: reason(
    'contact_administrator',
    "the number is outside the fax service's plan",
    "This fax service's plan does not include calls to this destination.",
  ),
  destination_not_in_countries_whitelist: reason(
    'contact_administrator',
    'faxes to this country are not allowed',
    'This fax service is not set up to send faxes to this country.',
  ),
  no_outbound_profile: reason(
    'contact_administrator',
    'the fax service is not set up to send',
    'This fax service has no outbound calling profile, so it cannot place fax calls.',
  ),
  user_channel_limit_exceeded: reason(
    'try_again_later',
    'too many faxes were being sent at once',
    'The fax service was already sending as many faxes as its account allows at the same time.',
  ),
  outbound_profile_channel_limit_exceeded: reason(
    'try_again_later',
    'too many faxes were being sent at once',
    'The fax service was already placing as many calls as its calling profile allows at the same time.',
  ),
  connection_channel_limit_exceeded: reason(
    'try_again_later',
    'too many faxes were being sent at once',
    'The fax service was already sending as many faxes as its fax application allows at the same time.',
  ),
  outbound_profile_daily_spend_limit_exceeded: reason(
    'contact_administrator',
    'the fax service reached its daily spending limit',
    'The fax service reached the daily spending limit set for its calls.',
  ),
  unverified_origination_number: reason(
    'contact_administrator',
    "the fax service's sending number is not verified",
    'The number this fax service sends from is not verified with the fax provider.',
  ),
  unverified_destination_not_allowed: reason(
    'contact_administrator',
    'the number is not on the verified list',
    'The fax provider account may only send to verified numbers, and this one is not verified.',
  ),

  // The document
  file_format_invalid: reason(
    'contact_administrator',
    'the fax provider could not read the document',
    'The fax provider could not read the document this service prepared.',
  ),
  file_download_failed: reason(
    'contact_administrator',
    'the fax provider could not fetch the document',
    'The fax provider could not download the document from this fax service.',
  ),
  file_size_limit_exceeded: reason(
    'contact_administrator',
    'the document was too large',
    "The document was larger than the fax provider's 50 MB limit.",
  ),
  page_count_limit_exceeded: reason(
    'contact_administrator',
    'the document had too many pages',
    "The document had more pages than the fax provider's limit of 350.",
  ),
  media_processing_exception: reason(
    'try_again_later',
    'the fax provider could not prepare the document',
    'The fax provider had an error while preparing the document for sending.',
  ),

  // Reasons Telnyx documents for received faxes, and odd values it lists
  sender_call_dropped: reason(
    'try_again_later',
    'the call dropped',
    'The call dropped on the sending side before the whole fax had gone through.',
  ),
  sender_canceled: reason(
    'contact_administrator',
    'the fax was cancelled',
    'The fax was cancelled before it was delivered.',
  ),
  sender_communication_error: reason(
    'try_again_later',
    'the fax machines could not communicate',
    'The sending side had trouble exchanging the fax with the receiving machine.',
  ),
  success: reason(
    'contact_administrator',
    'the fax provider reported a contradictory result',
    'The fax provider reported this fax as failed, giving "success" as the reason.',
  ),
  received: reason(
    'contact_administrator',
    'the fax provider reported a contradictory result',
    'The fax provider reported this fax as failed, giving "received" as the reason.',
  ),
  rejected: reason(
    'contact_administrator',
    'the fax provider rejected it',
    'The fax provider rejected the fax without giving a more precise reason.',
  ),
};

/**
 * How to fax this number again. An email that went to other numbers too must not be sent again:
 * that would fax them twice. `faxAddress` is the address that faxes this number alone.
 */
export interface Resend {
  otherNumbers: boolean;
  faxAddress?: string;
}

const again = ({ otherNumbers, faxAddress }: Resend, rightNumber = false) =>
  !otherNumbers
    ? `send your email again${rightNumber ? ' to the right number' : ''}`
    : `send the document in a new email addressed only to ${rightNumber ? 'the right fax number' : (faxAddress ?? 'this fax number')}`;

// Said after the advice, not inside it, so that the advice reads as one instruction.
const notTwice = ({ otherNumbers }: Resend) =>
  otherNumbers
    ? ' Do not send your email again: it also went to other numbers, which would be faxed twice.'
    : '';

const NEXT_STEP: Record<FailureAdvice, (resend: Resend) => string> = {
  try_again_later: (resend) =>
    `This is usually temporary: the bridge has stopped dialling, so in a while, ${again(resend)}.${notTwice(resend)}`,
  check_number: (resend) =>
    `Check the fax number, including the area and country code, then ${again(resend, true)}.${notTwice(resend)}`,
  recipient_machine: (resend) =>
    `Ask the recipient to check that their fax machine is switched on, connected to the line and ready to receive, then ${again(resend)}.${notTwice(resend)}`,
  contact_administrator: () =>
    'This is not a problem with your document or the number: forward this email to your fax administrator.',
};

// Codes come from a signed webhook, but still reach an email: keep them short and plain.
const printable = (code: string) => code.replace(/[^\w.:-]/g, '').slice(0, 80) || 'unknown';

const NO_REASON = reason(
  'contact_administrator',
  'no reason was given',
  'The fax provider reported that the fax failed but gave no reason.',
);

const unknownReason = (code: string) =>
  reason(
    'contact_administrator',
    code,
    `The fax provider reported the failure as "${code}", which this service does not know.`,
  );

function lookup(failureReason: string | undefined): Reason {
  if (failureReason === undefined) return NO_REASON;
  return Object.hasOwn(FAILURE_REASONS, failureReason)
    ? (FAILURE_REASONS[failureReason] as Reason)
    : unknownReason(printable(failureReason));
}

/** A failure reason in the sender's words; an unknown code is shown as the code itself. */
export function explainFailure(
  failureReason: string | undefined,
  resend: Resend = { otherNumbers: false },
): FailureExplanation {
  const found = lookup(failureReason);
  const code = failureReason === undefined ? 'none' : printable(failureReason);
  return { code, ...found, nextStep: NEXT_STEP[found.advice](resend) };
}
