import { describe, expect, it } from 'vitest';
import { faxInMessageBody, readFaxInMessage } from '../../../functions/adapters/sqs-fax-in-queue';
import type { FaxInMessage } from '../../../functions/core/shared/ports';

const RECEIVED: FaxInMessage = {
  kind: 'received',
  fax: {
    faxId: 'inbound-1',
    from: '+13125551234',
    to: '+13125550100',
    callerName: 'Dr. Ortiz',
    mediaUrl: 'https://media.example.com/f?X-Amz-Expires=600',
    pageCount: 3,
    callDurationSecs: 74,
    partial: false,
    receivedAt: '2026-03-05T15:14:07Z',
  },
};

describe('the fax-in queue message', () => {
  it('reads back what was sent, for a received and a failed fax', () => {
    expect(readFaxInMessage(faxInMessageBody(RECEIVED))).toEqual(RECEIVED);
    const failed: FaxInMessage = {
      kind: 'failed',
      fax: { faxId: 'inbound-2', from: 'anonymous', to: '+13125550100' },
      failureReason: 'sender_call_dropped',
    };
    expect(readFaxInMessage(faxInMessageBody(failed))).toEqual(failed);
  });

  it('carries only its own fields', () => {
    const extra = { ...RECEIVED, secret: 'x', fax: { ...RECEIVED.fax, document: 'base64…' } };
    expect(faxInMessageBody(extra as FaxInMessage)).not.toMatch(/secret|document/);
  });

  it.each([
    'not json',
    '{}',
    '{"kind": "received", "fax": {"from": "+1", "to": "+13125550100"}}',
    '{"kind": "delivered", "fax": {"faxId": "a", "from": "", "to": "+13125550100"}}',
    '{"kind": "received", "fax": {"faxId": "a", "from": "", "to": "b", "pageCount": -1}}',
  ])('is unreadable when the body is %s', (body) => {
    expect(readFaxInMessage(body)).toBeUndefined();
  });
});
