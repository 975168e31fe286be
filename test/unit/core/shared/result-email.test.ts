import { describe, expect, it } from 'vitest';
import { faxFacts } from '../../../../fixtures/fax-jobs';
import type { FaxJob } from '../../../../functions/core/shared/ports';
import { resultEmail } from '../../../../functions/core/shared/result-email';

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

const facts: Partial<FaxJob> = {
  ...faxFacts([
    { filename: 'referral.pdf', pages: 3 },
    { filename: 'photo.jpg', pages: 1 },
  ]),
  documentPages: 5,
  emailFaxNumbers: 3,
};

const settings = { from: 'fax@fax.example.com', timeZone: 'America/Chicago' };

describe('result email', () => {
  it('reports a delivered fax with what was faxed, from and to, times and attempts', () => {
    const email = resultEmail({
      ...settings,
      adminContact: 'IT desk, 312-555-0100',
      job: job({ ...facts, pageCount: 5, callDurationSecs: 58 }),
    });
    expect(email).toMatchObject({
      from: 'fax@fax.example.com',
      to: 'alice@example.com',
      subject: 'Fax delivered: Lab results',
      inReplyTo: '<m1@example.com>',
    });
    expect(email.text).toBe(
      [
        'Fax delivered to (312) 555-1234: 5 pages, 58 s',
        [
          'To:          (312) 555-1234 (you wrote 3125551234)',
          'From:        (312) 555-0199',
          'Files:       referral.pdf (3 pages)',
          '             photo.jpg (1 page)',
          'Cover page:  yes, 1 page',
          'Pages:       5 pages',
          'Submitted:   Thursday, March 5, 2026 at 9:13:00 AM CST',
          'Delivered:   Thursday, March 5, 2026 at 9:14:07 AM CST',
          'Attempts:    1. Thursday, March 5, 2026 at 9:14:07 AM CST: delivered, call 58 seconds',
        ].join('\n'),
        'Keep this email as your proof of delivery.',
        'Fax id: c62be5bc-9b13-4b6c-abda-34dd8b541287',
        '-- \nThis email was sent automatically by your email-to-fax service.\nQuestions: IT desk, 312-555-0100',
      ].join('\n\n'),
    );
    expect(email.html).toContain('referral.pdf (3 pages)<br>photo.jpg (1 page)');
    expect(email.html).toContain('<h1');
    expect(email.attachments).toBeUndefined();
  });

  it('tells one of several numbers how to resend to it alone, never to send the email again', () => {
    const email = resultEmail({
      ...settings,
      job: job({
        ...facts,
        status: 'failed',
        failureReason: 'user_busy',
        statusTimes: { failed: '2026-03-05T15:14:07.677Z' },
      }),
    });
    expect(email.subject).toBe('Fax failed: Lab results');
    expect(email.text.split('\n\n').slice(0, 1)).toEqual([
      'Fax to (312) 555-1234 failed: the line was busy',
    ]);
    expect(email.text).toContain(
      'The fax line was busy. Your fax was not delivered.\n\nThis is usually temporary: the bridge has stopped dialling, so in a while, send the document in a new email addressed only to +13125551234@fax.example.com. Do not send your email again: it also went to other numbers, which would be faxed twice.',
    );
    expect(email.text).not.toMatch(/send your email again (to|in)/);
    const alone = resultEmail({
      ...settings,
      job: job({
        status: 'failed',
        failureReason: 'user_busy',
        statusTimes: { failed: '2026-03-05T15:14:07.677Z' },
      }),
    });
    expect(alone.text).toContain('in a while, send your email again.');
  });

  it('shows a foreign number internationally to a domestic sender, a domestic one nationally', () => {
    const uk = resultEmail({
      ...settings,
      job: job({
        recipient: '+442079460000',
        typed: '+442079460000',
        recipientDisplay: {
          international: '+44 20 7946 0000',
          national: '020 7946 0000',
          domestic: false,
        },
      }),
    });
    expect(uk.text).toMatch(/\nTo: +\+44 20 7946 0000 \(you wrote/);
    expect(uk.text).not.toContain('020 7946 0000');
  });

  it('writes one page and one second in the singular, and leaves out what Telnyx did not say', () => {
    expect(
      resultEmail({ ...settings, job: job({ pageCount: 1, callDurationSecs: 1 }) }).text,
    ).toMatch(/^Fax delivered to \+1 312-555-1234: 1 page, 1 s\n[\s\S]*delivered, call 1 second\n/);
    const bare = resultEmail({ ...settings, job: job({}) }).text;
    expect(bare.split('\n')[0]).toBe('Fax delivered to +1 312-555-1234');
    expect(bare).not.toMatch(/Pages received|call \d/);
  });

  it('shows the completion time in the configured zone, named', () => {
    const utc = resultEmail({ ...settings, timeZone: 'UTC', job: job({}) });
    expect(utc.text).toMatch(/Delivered: +Thursday, March 5, 2026 at 3:14:07 PM UTC/);
    const berlin = resultEmail({ ...settings, timeZone: 'Europe/Berlin', job: job({}) });
    expect(berlin.text).toMatch(/Delivered: +Thursday, March 5, 2026 at 4:14:07 PM GMT\+1/);
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
    expect(email.text).not.toContain('020 7946 0000');
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
        [
          'To:         +1 312-555-1234 (you wrote 3125551234)',
          'Pages:      3 pages',
          'Submitted:  Thursday, March 5, 2026 at 9:13:00 AM CST',
          'Failed:     Thursday, March 5, 2026 at 9:20:00 AM CST',
          'Attempts:   1. Thursday, March 5, 2026 at 9:20:00 AM CST: failed (the line was busy)',
        ].join('\n'),
        'The fax line was busy. Your fax was not delivered.',
        'This is usually temporary: the bridge has stopped dialling, so in a while, send your email again.',
        'Failure code: user_busy\nFax id: c62be5bc-9b13-4b6c-abda-34dd8b541287',
        '-- \nThis email was sent automatically by your email-to-fax service.',
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
      'in a while, send your email again.',
    ],
    [
      'mystery_code_42',
      'Fax to +1 312-555-1234 failed: mystery_code_42',
      'The fax provider reported the failure as "mystery_code_42", which this service does not know.',
      'forward this email to your fax administrator',
    ],
  ])('explains %s', (code, headline, sentence, nextStep) => {
    const email = failed(code);
    const [first, , second, third] = email.text.split('\n\n');
    expect(first).toBe(headline);
    expect(second).toBe(`${sentence} Your fax was not delivered.`);
    expect(third).toContain(nextStep);
    expect(email.html).toContain(`color:#666">Failure code: ${code}<br>`);
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
    expect(email.subject).toBe('Fax delivered: Hi Bcc: x@evil.example <script>');
    expect(email.inReplyTo).toBeUndefined();
  });

  const busyDial = (attempt: number) => ({
    attempt,
    dialledAt: '2026-03-05T15:0' + attempt + ':00.000Z',
    endedAt: '2026-03-05T15:0' + attempt + ':40.000Z',
    failureReason: attempt === 1 ? 'user_busy' : 'receiver_no_answer',
    counted: true,
  });

  it('names the failure just before the dial that went through', () => {
    const email = resultEmail({
      ...settings,
      job: job({ attempt: 3, dials: [busyDial(1), busyDial(2)] }),
    });
    expect(email.text).toContain(
      'It went through on the third attempt; the one before failed (nobody answered).',
    );
  });

  it('when pages already arrived, says to check with the recipient and never to send again', () => {
    const email = resultEmail({
      ...settings,
      job: job({
        ...facts,
        status: 'failed',
        failureReason: 'receiver_call_dropped',
        pageCount: 2,
      }),
    });
    expect(email.text).toContain(
      '2 of 5 pages reached the receiving machine before the call ended.',
    );
    expect(email.text).not.toMatch(/send (your email|the document) again/i);
  });

  it('lists the dials before a fax that was then not sent', () => {
    const email = resultEmail({
      ...settings,
      job: job({
        status: 'not_sent',
        attempt: 2,
        dials: [busyDial(1)],
        note: 'api_key_refused: 401',
      }),
    });
    expect(email.text).toMatch(/Attempts: +1\. .*failed \(the line was busy\)/);
    expect(email.text).toContain("The fax service refused this bridge's API key.");
  });
});
