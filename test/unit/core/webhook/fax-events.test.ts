import { describe, expect, it } from 'vitest';
import { parseWebhook } from '../../../../functions/core/webhook/fax-events';
import { inboundFaxBody, inboundMediaUrl } from '../../../support/telnyx-events';

const FAX_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** What a received-fax event hands the receiver. */
const messageOf = (body: string) => {
  const parsed = parseWebhook(body);
  if (parsed.kind !== 'fax_in') throw new Error(`parsed as ${parsed.kind}`);
  return parsed.event.step;
};

const body = (payload: unknown, eventType = 'fax.received') =>
  JSON.stringify({ data: { id: 'evt-1', event_type: eventType, payload } });

describe('parseWebhook, faxes received', () => {
  it.each(['received', 'delivered'] as const)(
    'reads the %s shape into the same received fax',
    (shape) => {
      expect(messageOf(inboundFaxBody('received', FAX_ID, {}, { shape }))).toEqual({
        kind: 'received',
        fax: {
          faxId: FAX_ID,
          from: '+13125551234',
          to: '+13125550100',
          mediaUrl: inboundMediaUrl(FAX_ID),
          pageCount: 3,
          callDurationSecs: 74,
          partial: false,
          receivedAt: '2026-03-05T15:20:41.000Z',
        },
      });
    },
  );

  it('keeps the event id and the delivery attempt for the duplicate check', () => {
    const parsed = parseWebhook(inboundFaxBody('received', FAX_ID, {}, { id: 'evt-77' }));
    expect(parsed).toMatchObject({ kind: 'fax_in', event: { id: 'evt-77', attempt: 1 } });
  });

  it('tells an outbound delivery from an inbound one by its direction', () => {
    const outbound = inboundFaxBody(
      'received',
      FAX_ID,
      { direction: 'outbound' },
      {
        shape: 'delivered',
      },
    );
    expect(parseWebhook(outbound).kind).toBe('fax');
  });

  it('reads a partial fax', () => {
    const step = messageOf(inboundFaxBody('received', FAX_ID, { partial_content: true }));
    expect(step).toMatchObject({ fax: { partial: true } });
  });

  it.each([
    ['caller_name', { caller_name: 'Dr. Ortiz' }, 'Dr. Ortiz'],
    ['caller_id with words', { caller_id: 'ORTIZ CLINIC' }, 'ORTIZ CLINIC'],
    [
      'caller_name before caller_id',
      { caller_name: 'Dr. Ortiz', caller_id: 'CLINIC' },
      'Dr. Ortiz',
    ],
    ['caller_id that is the number again', { caller_id: '+13125551234' }, undefined],
    ['caller_id that is other digits', { caller_id: '312 555 9999' }, undefined],
    ['an empty name', { caller_name: '  ' }, undefined],
    [
      'a name with a line break',
      { caller_name: 'Dr. Ortiz\r\nBcc: x@evil.example' },
      'Dr. Ortiz Bcc: x@evil.example',
    ],
  ])('shows the caller by name from %s only when it is a name', (_, payload, name) => {
    const step = messageOf(inboundFaxBody('received', FAX_ID, payload));
    expect(step.kind === 'received' && step.fax.callerName).toBe(name ?? undefined);
    if (name === undefined) expect(step).not.toHaveProperty('fax.callerName');
  });

  it('keeps a caller name to one short line', () => {
    const step = messageOf(inboundFaxBody('received', FAX_ID, { caller_name: 'A'.repeat(500) }));
    expect(step.kind === 'received' && step.fax.callerName?.length).toBe(80);
  });

  it.each([
    ['missing', { media_url: undefined }],
    ['null', { media_url: null }],
    ['not a link', { media_url: 'not a url' }],
    ['a file link', { media_url: 'file:///etc/passwd' }],
    ['a number', { media_url: 42 }],
  ])(
    'still hands over a received fax whose media link is %s (the receiver refreshes it)',
    (_, payload) => {
      const step = messageOf(inboundFaxBody('received', FAX_ID, payload));
      expect(step).toMatchObject({ kind: 'received', fax: { faxId: FAX_ID, to: '+13125550100' } });
      expect(step).not.toHaveProperty('fax.mediaUrl');
    },
  );

  it('does not lose a fax to an odd optional field', () => {
    const step = messageOf(
      inboundFaxBody('received', FAX_ID, {
        page_count: 'three',
        call_duration_secs: -4,
        partial_content: 'no',
        from: null,
        to: 15,
      }),
    );
    expect(step).toEqual({
      kind: 'received',
      fax: {
        faxId: FAX_ID,
        from: 'anonymous',
        to: 'unknown',
        mediaUrl: inboundMediaUrl(FAX_ID),
        receivedAt: '2026-03-05T15:20:41.000Z',
      },
    });
  });

  it('reads an inbound failure with its reason', () => {
    const failed = inboundFaxBody('fax.failed', FAX_ID, { failure_reason: 'sender_call_dropped' });
    expect(messageOf(failed)).toEqual({
      kind: 'failed',
      fax: {
        faxId: FAX_ID,
        from: '+13125551234',
        to: '+13125550100',
        receivedAt: '2026-03-05T15:20:41.000Z',
      },
      failureReason: 'sender_call_dropped',
    });
  });

  it('reads the start of a call', () => {
    expect(messageOf(inboundFaxBody('fax.receiving.started', FAX_ID))).toEqual({
      kind: 'receiving_started',
      faxId: FAX_ID,
    });
  });

  it.each(['fax.media.processing.started', 'fax.queued', 'fax.media.processed'])(
    'leaves %s about a received fax alone',
    (type) => {
      const event = JSON.parse(inboundFaxBody('fax.receiving.started', FAX_ID));
      event.data.event_type = type;
      expect(parseWebhook(JSON.stringify(event))).toEqual({
        kind: 'other',
        id: event.data.id,
        type,
      });
    },
  );

  it.each([
    ['no payload', undefined],
    ['a payload that is text', 'fax'],
    ['no fax id', { direction: 'inbound', media_url: 'https://media.example.com/f.pdf' }],
    ['an empty fax id', { fax_id: '' }],
    ['a fax id that is a number', { fax_id: 12 }],
  ])('refuses a signed received-fax event with %s', (_, payload) => {
    expect(parseWebhook(body(payload))).toEqual({
      kind: 'invalid',
      problem: 'fax.received without a fax_id',
    });
  });

  it('refuses an inbound fax.delivered without a fax id, as an outbound one', () => {
    expect(parseWebhook(body({ direction: 'inbound' }, 'fax.delivered')).kind).toBe('invalid');
  });
});
