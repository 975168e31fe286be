// What each answer from Telnyx, and each job an earlier delivery left in the ledger, means for
// the job's status and for the sender.
import type {
  FaxJob,
  FaxNotSentCode,
  FaxSendResult,
  FaxUnknownCode,
  StatusChange,
} from '../shared/ports';
import type { RecipientResult } from './inbound-notice';

const NOT_SENT_CODES: Record<FaxNotSentCode, true> = {
  api_key_unreadable: true,
  api_key_refused: true,
  busy: true,
  unreachable: true,
};

const UNKNOWN_CODES: Record<FaxUnknownCode, true> = {
  timeout: true,
  connection_broken: true,
  server_error: true,
  no_fax_id: true,
  request_failed: true,
};

const isNotSentCode = (code: string | undefined): code is FaxNotSentCode =>
  code !== undefined && Object.hasOwn(NOT_SENT_CODES, code);

const isUnknownCode = (code: string | undefined): code is FaxUnknownCode =>
  code !== undefined && Object.hasOwn(UNKNOWN_CODES, code);

// The job's note keeps Telnyx's answer as `<code>: <detail>`, so that a later delivery of the
// same email tells the sender what the first one would have.
const noteOf = (sent: { code: string; detail: string }) => `${sent.code}: ${sent.detail}`;

function readNote(note = ''): { code?: string; detail: string } {
  const match = /^([a-z_]+): ([\s\S]*)$/.exec(note);
  return match ? { code: match[1], detail: match[2] ?? '' } : { detail: note };
}

export function statusChangeFor(sent: FaxSendResult, at: string): StatusChange {
  switch (sent.kind) {
    case 'accepted':
      return { status: 'queued', at, faxId: sent.faxId };
    case 'refused':
    case 'not_sent':
      return { status: 'not_sent', at, note: noteOf(sent) };
    case 'unknown':
      return { status: 'unknown', at, note: noteOf(sent) };
  }
}

export function resultOfSend(e164: string, sent: FaxSendResult): RecipientResult {
  switch (sent.kind) {
    case 'accepted':
      return { kind: 'queued', e164, faxId: sent.faxId };
    case 'refused':
      return { kind: 'refused_by_telnyx', e164, detail: sent.detail };
    case 'not_sent':
      return { kind: 'not_sent', e164, code: sent.code, reason: sent.detail };
    case 'unknown':
      return { kind: 'unknown', e164, code: sent.code, reason: sent.detail };
  }
}

/** A job from an earlier delivery of the same email: report it, never resend it. */
export function resultOfExisting(job: FaxJob): RecipientResult {
  const e164 = job.recipient;
  if (job.faxId) return { kind: 'queued', e164, faxId: job.faxId };
  if (job.status === 'claimed') {
    return { kind: 'unknown', e164, code: 'interrupted', reason: 'no answer from Telnyx recorded' };
  }
  const { code, detail } = readNote(job.note);
  if (job.status !== 'not_sent') {
    return {
      kind: 'unknown',
      e164,
      code: isUnknownCode(code) ? code : 'unrecorded',
      reason: detail,
    };
  }
  if (code === 'invalid_request') return { kind: 'refused_by_telnyx', e164, detail };
  return {
    kind: 'not_sent',
    e164,
    code: isNotSentCode(code) ? code : 'unrecorded',
    reason: detail,
  };
}
