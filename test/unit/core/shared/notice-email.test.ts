import { describe, expect, it } from 'vitest';
import {
  composeNotice,
  noticeSubject,
  threadId,
} from '../../../../functions/core/shared/notice-email';
import { headerSafe } from '../../../../functions/core/shared/text-safety';

describe('notice sanitising', () => {
  it('keeps CR/LF and header injection out of the subject', () => {
    const subject = noticeSubject('failed', 'Invoice\r\nBcc: victim@example.com\r\n\r\nbody');
    expect(subject).toBe('Fax failed: Invoice Bcc: victim@example.com body');
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('removes bidi overrides and zero-width characters', () => {
    expect(headerSafe('fax\u202Efdp.exe\u200B')).toBe('faxfdp.exe');
  });

  it('says what happened first in the subject, and stands alone without one', () => {
    expect(noticeSubject('delivered', 'RE: hello')).toBe('Fax delivered: RE: hello');
    expect(noticeSubject('not_sent', 'Referral')).toBe('Fax not sent: Referral');
    expect(noticeSubject('failed', '  ')).toBe('Fax failed');
  });

  it('cuts very long subjects', () => {
    expect(noticeSubject('failed', 'x'.repeat(5000)).length).toBeLessThanOrEqual(212);
  });

  it('threads only under a well-formed Message-ID', () => {
    expect(threadId('<abc@example.com>')).toBe('<abc@example.com>');
    expect(threadId('<abc@example.com>\r\nBcc: x@y.z')).toBeUndefined();
    expect(threadId('abc@example.com')).toBeUndefined();
  });

  it('escapes HTML from the email in the HTML part', () => {
    const email = composeNotice({
      outcome: 'failed',
      from: 'fax@fax.example.com',
      to: 'alice@example.com',
      originalSubject: '<b>hi</b>',
      originalMessageId: '<m1@example.com>',
      headline: 'Fax to <script>alert(1)</script> failed',
      paragraphs: ['File "<img src=x onerror=alert(1)>.pdf" & more'],
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;.pdf');
    expect(email.text).toContain('File "<img src=x onerror=alert(1)>.pdf" & more');
    expect(email.inReplyTo).toBe('<m1@example.com>');
    expect(email.subject).toBe('Fax failed: <b>hi</b>');
  });
});
