// What each answer Telnyx gives a fax request means for the job's status.
import { noteOf } from '../shared/not-sent-reasons';
import type { FaxSendResult, StatusChange } from '../shared/ports';

/** Telnyx's answer, once a 429 is no longer waited out. */
export type Answered = Exclude<FaxSendResult, { kind: 'throttled' }>;

/** The job's note keeps Telnyx's answer as `<code>: <detail>`, for the result email. */
export function statusChangeFor(sent: Answered, attempt: number, at: string): StatusChange {
  switch (sent.kind) {
    case 'accepted':
      return { attempt, status: 'queued', at, faxId: sent.faxId };
    case 'refused':
    case 'not_sent':
      return { attempt, status: 'not_sent', at, note: noteOf(sent.code, sent.detail) };
    case 'unknown':
      return { attempt, status: 'unknown', at, note: noteOf(sent.code, sent.detail) };
  }
}
