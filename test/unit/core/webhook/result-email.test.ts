import { describe, expect, it } from 'vitest';
import type { FaxJob } from '../../../../functions/core/shared/ports';
import { resultEmail } from '../../../../functions/core/webhook/result-email';

const job = (overrides: Partial<FaxJob>): FaxJob => ({
  messageId: 'ses-1',
  recipient: '+13125551234',
  typed: '3125551234',
  sender: 'alice@example.com',
  subject: 'Lab results',
  emailMessageId: '<m1@example.com>',
  mediaKey: 'ses-1-13125551234',
  documentPages: 3,
  recipientDisplay: { international: '+1 312-555-1234', national: '(312) 555-1234' },
  createdAt: '2026-03-05T15:13:00.000Z',
  expiresAt: 1_800_000_000,
  status: 'delivered',
  faxId: 'c62be5bc-9b13-4b6c-abda-34dd8b541287',
  statusTimes: { delivered: '2026-03-05T15:14:07.677Z' },
  updatedAt: '2026-03-05T15:14:07.677Z',
  ...overrides,
});

const settings = { from: 'fax@fax.example.com', timeZone: 'America/Chicago' };

describe('result email', () => {
  it('reports a delivered fax with numbers, pages, duration, local time and fax id', () => {
    const email = resultEmail({ ...settings, job: job({ pageCount: 3, callDurationSecs: 58 }) });
    expect(email).toMatchObject({
      from: 'fax@fax.example.com',
      to: 'alice@example.com',
      subject: 'Re: Lab results',
      inReplyTo: '<m1@example.com>',
    });
    expect(email.text).toBe(
      [
        'Fax delivered to +1 312-555-1234: 3 pages, 58 s',
        'Your fax to (312) 555-1234 was delivered.',
        [
          'Recipient: (312) 555-1234 (+13125551234)',
          'Pages delivered: 3',
          'Call duration: 58 seconds',
          'Completed: Thursday, March 5, 2026 at 9:14:07 AM CST',
        ].join('\n'),
        'Fax id: c62be5bc-9b13-4b6c-abda-34dd8b541287',
        '-- \nfax-bridge',
      ].join('\n\n'),
    );
    expect(email.html).toContain('Pages delivered: 3<br>Call duration: 58 seconds');
    expect(email.attachments).toBeUndefined();
  });

  it('writes one page and one second in the singular, and leaves out what Telnyx did not say', () => {
    expect(
      resultEmail({ ...settings, job: job({ pageCount: 1, callDurationSecs: 1 }) }).text,
    ).toMatch(/^Fax delivered to \+1 312-555-1234: 1 page, 1 s\n[\s\S]*Call duration: 1 second\n/);
    const bare = resultEmail({ ...settings, job: job({}) }).text;
    expect(bare.split('\n')[0]).toBe('Fax delivered to +1 312-555-1234');
    expect(bare).not.toMatch(/Pages delivered|Call duration/);
  });

  it('shows the completion time in the configured zone, named', () => {
    const utc = resultEmail({ ...settings, timeZone: 'UTC', job: job({}) });
    expect(utc.text).toContain('Completed: Thursday, March 5, 2026 at 3:14:07 PM UTC');
    const berlin = resultEmail({ ...settings, timeZone: 'Europe/Berlin', job: job({}) });
    expect(berlin.text).toMatch(/Completed: Thursday, March 5, 2026 at 4:14:07 PM GMT\+1/);
  });

  it('formats numbers outside North America the way their country writes them', () => {
    const email = resultEmail({
      ...settings,
      job: job({
        recipient: '+442079460000',
        recipientDisplay: { international: '+44 20 7946 0000', national: '020 7946 0000' },
      }),
    });
    expect(email.text).toContain('Fax delivered to +44 20 7946 0000');
    expect(email.text).toContain('Recipient: 020 7946 0000 (+442079460000)');
  });

  const failed = (failureReason: string | undefined) =>
    resultEmail({
      ...settings,
      job: job({
        status: 'failed',
        failureReason,
        statusTimes: { failed: '2026-03-05T15:20:00.000Z' },
      }),
    });

  it('explains a busy line and says to try again later', () => {
    expect(failed('user_busy').text).toBe(
      [
        'Fax to +1 312-555-1234 failed: the line was busy',
        'The fax line was busy. Your fax to (312) 555-1234 was not delivered.',
        'This is usually temporary: send your email again in a few minutes. The fax is not retried automatically.',
        'Recipient: (312) 555-1234 (+13125551234)\nFailed: Thursday, March 5, 2026 at 9:20:00 AM CST',
        'Failure code: user_busy\nFax id: c62be5bc-9b13-4b6c-abda-34dd8b541287',
        '-- \nfax-bridge',
      ].join('\n\n'),
    );
  });

  it.each([
    [
      'receiver_unallocated_number',
      'Fax to +1 312-555-1234 failed: the number is not in service',
      'The phone network says this number is not in service.',
      'Check the fax number, including the area and country code',
    ],
    [
      'receiver_no_answer',
      'Fax to +1 312-555-1234 failed: nobody answered',
      'The line rang but no fax machine picked up.',
      'Ask the recipient to check that their fax machine is switched on',
    ],
    [
      'fax_signaling_error',
      'Fax to +1 312-555-1234 failed: the fax machines could not agree how to send',
      'The receiving fax machine and ours could not agree how to send the fax.',
      'Ask the recipient to check',
    ],
    [
      'outbound_profile_daily_spend_limit_exceeded',
      'Fax to +1 312-555-1234 failed: the fax service reached its daily spending limit',
      'The fax service reached the daily spending limit set for its calls.',
      'forward this email to your fax administrator',
    ],
    [
      'carrier_lost',
      'Fax to +1 312-555-1234 failed: the connection was lost',
      'The connection to the receiving fax machine was lost during the call.',
      'send your email again in a few minutes',
    ],
    [
      'mystery_code_42',
      'Fax to +1 312-555-1234 failed: mystery_code_42',
      'The fax provider reported the failure as "mystery_code_42", which this service does not know.',
      'forward this email to your fax administrator',
    ],
  ])('explains %s', (code, headline, sentence, nextStep) => {
    const email = failed(code);
    const [first, second, third] = email.text.split('\n\n');
    expect(first).toBe(headline);
    expect(second).toBe(`${sentence} Your fax to (312) 555-1234 was not delivered.`);
    expect(third).toContain(nextStep);
    expect(email.html).toContain(`<p style="font-size:small;color:#666">Failure code: ${code}<br>`);
  });

  it('attaches the document to a failure email only when given it, and says when it cannot', () => {
    const pdf = new Uint8Array([37, 80, 68, 70]);
    const failedJob = job({ status: 'failed', failureReason: 'user_busy' });
    const attached = resultEmail({
      ...settings,
      job: failedJob,
      document: { kind: 'attached', pdf },
    });
    expect(attached.attachments).toEqual([
      { filename: 'fax-13125551234.pdf', contentType: 'application/pdf', content: pdf },
    ]);
    expect(attached.text).toContain('The document you sent is attached to this email.');
    const gone = resultEmail({ ...settings, job: failedJob, document: { kind: 'gone' } });
    expect(gone.attachments).toBeUndefined();
    expect(gone.text).toContain('is no longer stored here, so it could not be attached');
    expect(failed('user_busy').text).not.toContain('document you sent');
  });

  it('keeps the subject to one header line and threads only under a real Message-ID', () => {
    const email = resultEmail({
      ...settings,
      job: job({ subject: 'Hi\r\nBcc: x@evil.example <script>', emailMessageId: 'no brackets' }),
    });
    expect(email.subject).toBe('Re: Hi Bcc: x@evil.example <script>');
    expect(email.inReplyTo).toBeUndefined();
  });
});
