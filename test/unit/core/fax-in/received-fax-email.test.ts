import { describe, expect, it } from 'vitest';
import { composeRawEmail } from '../../../../functions/adapters/ses-mailer';
import {
  attachmentName,
  emailDocument,
  failedArrivalEmail,
  receivedFaxEmail,
  receivedFaxSubject,
} from '../../../../functions/core/fax-in/received-fax-email';
import type { ReceivedFax } from '../../../../functions/core/shared/ports';

const FAX: ReceivedFax = {
  faxId: 'f0c8a1e2-inbound',
  from: '+13125551234',
  to: '+13125550100',
  pageCount: 3,
  callDurationSecs: 74,
  receivedAt: '2026-03-05T15:14:07Z',
};
const SETTINGS = {
  noticeFrom: 'Fax <fax@fax.example.com>',
  timeZone: 'America/Chicago',
  faxDomain: 'fax.example.com',
};
const AT = new Date('2026-03-05T15:14:07Z');
const PDF = new Uint8Array(Buffer.from('%PDF-1.7 three pages'));
const LINK = {
  url: 'https://hooks.example.com/faxes-in/TOKEN',
  expiresAt: new Date('2026-03-12T15:14:07Z'),
};

const email = (document: Parameters<typeof receivedFaxEmail>[0]['document'], fax = FAX) =>
  receivedFaxEmail(
    { fax, to: 'frontdesk@clinic.example', document, pages: fax.pageCount, at: AT },
    SETTINGS,
  );

describe('the subject of a received fax', () => {
  it.each<[string, Partial<ReceivedFax>, number | undefined, string]>([
    ['the caller as people write it', {}, 3, 'Fax from +1 312-555-1234, 3 pages'],
    ['one page', {}, 1, 'Fax from +1 312-555-1234, 1 page'],
    [
      'the name Telnyx gives',
      { callerName: 'Dr. Ortiz' },
      3,
      'Fax from Dr. Ortiz (+1 312-555-1234), 3 pages',
    ],
    [
      'no name when it is only the number',
      { callerName: '+1 312 555 1234' },
      3,
      'Fax from +1 312-555-1234, 3 pages',
    ],
    ['partial', { partial: true }, 2, 'Fax from +1 312-555-1234, 2 pages, partial'],
    ['no number', { from: 'anonymous' }, undefined, 'Fax from an unknown number'],
    [
      'a name that is no header',
      { callerName: 'Evil\r\nBcc: x@y.example' },
      1,
      'Fax from Evil Bcc: x@y.example (+1 312-555-1234), 1 page',
    ],
  ])('shows %s', (_, change, pages, subject) => {
    expect(receivedFaxSubject({ ...FAX, ...change }, pages)).toBe(subject);
  });
});

describe('the email of a received fax', () => {
  it('attaches the PDF, named after the caller and the day', () => {
    const sent = email({ mode: 'attach', pdf: PDF });
    expect(sent.attachments).toEqual([
      { filename: 'fax-13125551234-2026-03-05.pdf', contentType: 'application/pdf', content: PDF },
    ]);
    expect(sent.text).toContain('The fax is attached as a PDF.');
  });

  it('names the receiving number, the time in NOTICE_TIME_ZONE, pages, duration and fax id', () => {
    const { text } = email({ mode: 'attach', pdf: PDF });
    expect(text).toContain('+1 312-555-0100');
    expect(text).toContain('Thursday, March 5, 2026 at 9:14:07 AM CST');
    expect(text).toMatch(/Pages:\s+3/);
    expect(text).toContain('1 min 14 s');
    expect(text).toContain('Fax id: f0c8a1e2-inbound');
  });

  it('links to the document, with the day the link stops working, and attaches nothing', () => {
    const sent = email({ mode: 'link', ...LINK });
    expect(sent.attachments).toBeUndefined();
    expect(sent.text).toContain('Download the fax (PDF): https://hooks.example.com/faxes-in/TOKEN');
    expect(sent.text).toContain('The link works until Thursday, March 12, 2026');
  });

  it('says only that a fax arrived in notify mode: no document, no link', () => {
    const sent = email({ mode: 'notify' });
    expect(sent.attachments).toBeUndefined();
    expect(sent.text).not.toContain('http');
    expect(sent.html).not.toContain('http');
    expect(sent.text).toContain('receives notices only');
    expect(sent.subject).toBe('Fax from +1 312-555-1234, 3 pages');
  });

  it('is answered to the caller as a fax address, and marked auto-generated', async () => {
    const sent = email({ mode: 'notify' });
    expect(sent.replyTo).toBe('+13125551234@fax.example.com');
    const raw = (await composeRawEmail(sent)).toString();
    expect(raw).toMatch(/^Reply-To: \+13125551234@fax\.example\.com$/m);
    expect(raw).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(raw).toMatch(/^From: Fax <fax@fax\.example\.com>$/m);
  });

  it('has no Reply-To when the caller is no number a reply could fax', () => {
    expect(email({ mode: 'notify' }, { ...FAX, from: 'anonymous' }).replyTo).toBeUndefined();
    expect(email({ mode: 'notify' }, { ...FAX, from: '+10000000000' }).replyTo).toBeUndefined();
  });
});

describe('the mode of the document', () => {
  it('attaches up to 7 MB, and links to a larger PDF, saying why', () => {
    expect(emailDocument('attach', new Uint8Array(7 * 1024 * 1024), () => LINK).mode).toBe(
      'attach',
    );
    const large = emailDocument('attach', new Uint8Array(7 * 1024 * 1024 + 1), () => LINK);
    expect(large).toMatchObject({
      mode: 'link',
      url: LINK.url,
      tooLarge: { bytes: 7 * 1024 * 1024 + 1 },
    });
    const sent = email(large);
    expect(sent.attachments).toBeUndefined();
    expect(sent.text).toContain('too large to attach (7.0 MB)');
    expect(sent.text).toContain(LINK.url);
  });

  it('never makes a link in notify mode', () => {
    expect(
      emailDocument('notify', PDF, () => {
        throw new Error('no link wanted');
      }),
    ).toEqual({ mode: 'notify' });
  });
});

describe('a fax that did not arrive', () => {
  it('names caller, number and the reason in plain words', () => {
    const sent = failedArrivalEmail(
      { fax: FAX, failureReason: 'sender_call_dropped', to: 'frontdesk@clinic.example', at: AT },
      SETTINGS,
    );
    expect(sent.subject).toBe('Fax from +1 312-555-1234 did not arrive');
    expect(sent.text).toContain('A fax from +1 312-555-1234 to +1 312-555-0100 did not arrive');
    expect(sent.text).toContain('The call dropped on the sending side');
    expect(sent.autoSubmitted).toBe('auto-generated');
  });
});

it('names an attachment of an unknown caller without what the caller chose', () => {
  expect(attachmentName({ ...FAX, from: 'anonymous', callerName: '../etc' }, AT, 'UTC')).toBe(
    'fax-unknown-2026-03-05.pdf',
  );
});
