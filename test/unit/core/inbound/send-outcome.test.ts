import { describe, expect, it } from 'vitest';
import {
  resultOfExisting,
  resultOfSend,
  statusChangeFor,
} from '../../../../functions/core/inbound/send-outcome';
import type { FaxJob, FaxSendResult, FaxStatus } from '../../../../functions/core/shared/ports';

const E164 = '+13125551234';
const AT = '2026-11-27T10:00:05.000Z';

const job = (status: FaxStatus, extra: Partial<FaxJob> = {}): FaxJob => ({
  messageId: 'mid-x',
  recipient: E164,
  typed: E164,
  recipientDisplay: { international: '+1 312-555-1234', national: '(312) 555-1234' },
  sender: 'alice@example.com',
  subject: 'Referral',
  mediaKey: 'mid-x',
  documentPages: 1,
  createdAt: AT,
  expiresAt: 0,
  status,
  statusTimes: { [status]: AT },
  updatedAt: AT,
  ...extra,
});

const ANSWERS: [string, FaxSendResult][] = [
  ['accepted', { kind: 'accepted', faxId: 'fax-1' }],
  [
    'a refused number',
    { kind: 'refused', code: 'invalid_request', status: 422, detail: 'Bad number' },
  ],
  ['a refused API key', { kind: 'not_sent', code: 'api_key_refused', detail: '401 Unauthorized' }],
  [
    'busy on every try',
    { kind: 'not_sent', code: 'busy', detail: '429 Too Many Requests, 3 tries' },
  ],
  ['no answer in time', { kind: 'unknown', code: 'timeout', detail: 'UND_ERR_HEADERS_TIMEOUT' }],
  ['a 500', { kind: 'unknown', code: 'server_error', detail: '500 Internal Server Error' }],
];

describe('statusChangeFor', () => {
  it.each([
    ['accepted', { status: 'queued', at: AT, faxId: 'fax-1' }],
    ['a refused number', { status: 'not_sent', at: AT, note: 'invalid_request: Bad number' }],
    [
      'a refused API key',
      { status: 'not_sent', at: AT, note: 'api_key_refused: 401 Unauthorized' },
    ],
    [
      'busy on every try',
      { status: 'not_sent', at: AT, note: 'busy: 429 Too Many Requests, 3 tries' },
    ],
    ['no answer in time', { status: 'unknown', at: AT, note: 'timeout: UND_ERR_HEADERS_TIMEOUT' }],
    ['a 500', { status: 'unknown', at: AT, note: 'server_error: 500 Internal Server Error' }],
  ])('%s → %o', (name, change) => {
    const sent = ANSWERS.find(([n]) => n === name)?.[1] as FaxSendResult;
    expect(statusChangeFor(sent, AT)).toEqual(change);
  });
});

describe('resultOfSend', () => {
  it.each([
    ['accepted', { kind: 'queued', e164: E164, faxId: 'fax-1' }],
    ['a refused number', { kind: 'refused_by_telnyx', e164: E164, detail: 'Bad number' }],
    [
      'a refused API key',
      { kind: 'not_sent', e164: E164, code: 'api_key_refused', reason: '401 Unauthorized' },
    ],
    [
      'busy on every try',
      { kind: 'not_sent', e164: E164, code: 'busy', reason: '429 Too Many Requests, 3 tries' },
    ],
    [
      'no answer in time',
      { kind: 'unknown', e164: E164, code: 'timeout', reason: 'UND_ERR_HEADERS_TIMEOUT' },
    ],
    [
      'a 500',
      { kind: 'unknown', e164: E164, code: 'server_error', reason: '500 Internal Server Error' },
    ],
  ])('%s → %o', (name, result) => {
    const sent = ANSWERS.find(([n]) => n === name)?.[1] as FaxSendResult;
    expect(resultOfSend(E164, sent)).toEqual(result);
  });
});

describe('resultOfExisting: a later delivery tells the sender what the first one would have', () => {
  it.each(ANSWERS)('after %s', (_, sent) => {
    const change = statusChangeFor(sent, AT);
    const left = job(change.status, { faxId: change.faxId, note: change.note });
    expect(resultOfExisting(left)).toEqual(resultOfSend(E164, sent));
  });

  it.each([
    ['a job claimed and never answered', job('claimed'), { kind: 'unknown', code: 'interrupted' }],
    [
      'a job delivered since',
      job('delivered', { faxId: 'fax-9' }),
      { kind: 'queued', faxId: 'fax-9' },
    ],
    [
      'a not-sent job with an older note',
      job('not_sent', { note: 'Telnyx was busy' }),
      { kind: 'not_sent', code: 'unrecorded', reason: 'Telnyx was busy' },
    ],
    ['a not-sent job without a note', job('not_sent'), { kind: 'not_sent', code: 'unrecorded' }],
    [
      'an unknown job with a code of another kind',
      job('unknown', { note: 'busy: 429' }),
      { kind: 'unknown', code: 'unrecorded' },
    ],
    ['an unknown job without a note', job('unknown'), { kind: 'unknown', code: 'unrecorded' }],
  ])('%s', (_, left, result) => {
    expect(resultOfExisting(left)).toMatchObject({ e164: E164, ...result });
  });
});
