// What the bridge does about each `failure_reason` Telnyx gives for an outbound fax: the one place
// retries are decided by reason (RETRIES.md §2.4). Telnyx never redials; the bridge does.

/**
 * - `transient`: the line or the network, worth dialling again.
 * - `protocol`: the machines did not agree; dialled again with T.38 off.
 * - `once`: probably a person or a voice line; one more dial at most.
 * - `capacity`: the account's call limit; dialled again soon, and the dial does not count.
 * - `permanent`: the number is wrong or cannot be reached from this account.
 * - `configuration`: the operator's Telnyx account must change; never dialled again.
 * - `document`: Telnyx could not use the document; `file_download_failed` may be a lapsed link.
 */
export type FailureClass =
  | 'transient'
  | 'protocol'
  | 'once'
  | 'capacity'
  | 'permanent'
  | 'configuration'
  | 'document'
  | 'cancelled';

const CLASSES: Readonly<Record<string, FailureClass>> = {
  user_busy: 'transient',
  receiver_no_answer: 'transient',
  receiver_no_response: 'transient',
  receiver_call_dropped: 'transient',
  sender_call_dropped: 'transient',
  carrier_lost: 'transient',
  service_unavailable: 'transient',
  destination_unreachable: 'transient',
  fax_initial_communication_timeout: 'once',
  fax_signaling_error: 'protocol',
  receiver_communication_error: 'protocol',
  sender_communication_error: 'protocol',
  invalid_ecm_response_from_receiver: 'protocol',
  receiver_recovery_on_timer_expire: 'protocol',
  receiver_decline: 'once',
  receiver_incompatible_destination: 'once',
  user_channel_limit_exceeded: 'capacity',
  outbound_profile_channel_limit_exceeded: 'capacity',
  connection_channel_limit_exceeded: 'capacity',
  outbound_profile_daily_spend_limit_exceeded: 'configuration',
  receiver_invalid_number_format: 'permanent',
  receiver_unallocated_number: 'permanent',
  destination_invalid: 'permanent',
  destination_not_in_service_plan: 'permanent',
  destination_not_in_countries_whitelist: 'permanent',
  unverified_destination_not_allowed: 'permanent',
  account_disabled: 'configuration',
  no_outbound_profile: 'configuration',
  unverified_origination_number: 'configuration',
  file_format_invalid: 'document',
  file_size_limit_exceeded: 'document',
  page_count_limit_exceeded: 'document',
  file_download_failed: 'once',
  media_processing_exception: 'once',
  sender_canceled: 'cancelled',
};

/** A reason Telnyx adds later, or none at all, is treated as transient: bounded by the attempts. */
export const failureClass = (reason: string | undefined): FailureClass =>
  (reason !== undefined && Object.hasOwn(CLASSES, reason) && CLASSES[reason]) || 'transient';

export const isKnownReason = (reason: string | undefined): boolean =>
  reason !== undefined && Object.hasOwn(CLASSES, reason);

/** Every reason classified, for the tests that hold this table to Telnyx's schema. */
export const CLASSIFIED_REASONS: readonly string[] = Object.keys(CLASSES);

/** The dial after a protocol failure goes without T.38, as FusionPBX and HylaFAX do. */
export const t38After = (reason: string | undefined): boolean | undefined =>
  failureClass(reason) === 'protocol' ? false : undefined;
