// What the sender controls (subject, names, file names, the local part of the fax address) never
// reaches a notice's headers, never runs as HTML, and never dials anything but a plain fax number.
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import { composeRawEmail } from '../../functions/adapters/ses-mailer';
import type { OutgoingEmail } from '../../functions/core/shared/ports';
import {
  composeMail,
  faxAddress,
  NOTICE_FROM,
  runInbound,
  SENDER,
} from '../support/inbound-harness';

const tally = { inputs: 0 };
afterAll(() => console.info(`injection: ${tally.inputs} inputs`));

const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;

/** A message written by hand, so that nothing cleans the hostile headers on the way in. */
function handWritten(headers: string[], parts: { name: string; type: string; body: string }[]) {
  const mime = parts
    .map(
      (p) =>
        `--b\r\nContent-Type: ${p.type}; name="${p.name}"\r\nContent-Disposition: attachment; filename="${p.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(p.body).toString('base64')}\r\n`,
    )
    .join('');
  return Buffer.from(
    [
      `From: Alice <${SENDER}>`,
      `To: ${faxAddress('+13125551234')}`,
      'Message-ID: <m-1@example.com>',
      'MIME-Version: 1.0',
      ...headers,
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      `--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n${mime}--b--\r\n`,
    ].join('\r\n'),
  );
}

/** The notice as SES would send it, parsed back. */
async function sentAs(notice: OutgoingEmail | undefined) {
  expect(notice).toBeDefined();
  const raw = await composeRawEmail(notice as OutgoingEmail);
  const parsed = await simpleParser(raw);
  const head = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  return { parsed, head };
}

const ALLOWED_HEADERS = new Set([
  'from',
  'to',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'in-reply-to',
  'references',
  'auto-submitted',
]);

async function expectCleanHeaders(notice: OutgoingEmail | undefined) {
  const { parsed, head } = await sentAs(notice);
  const names = head
    .split(/\r\n(?![ \t])/)
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
  expect(names.filter((name) => !ALLOWED_HEADERS.has(name))).toEqual([]);
  expect(parsed.to).toMatchObject({ value: [{ address: SENDER }] });
  expect(parsed.from).toMatchObject({ value: [{ address: NOTICE_FROM }] });
  expect(parsed.cc).toBeUndefined();
  expect(parsed.bcc).toBeUndefined();
  return parsed;
}

const tricks = [
  'Lab results\r\nBcc: victim@example.org',
  'Lab results\nTo: victim@example.org\n\n<script>alert(1)</script>',
  'Lab\u0000results\u0007\u001b[31m',
  'invoice\u202Efdp.exe \u200B\u2066hidden\u2069',
  '=?UTF-8?Q?nested=0D=0ABcc:_victim@example.org?=',
];

describe('subject, names and file names never reach the notice headers', () => {
  it.each(tricks)('subject %j', async (subject) => {
    tally.inputs += 1;
    const raw = handWritten([`Subject: ${encodedWord(subject)}`], []);
    const { outcome, deps } = await runInbound(raw);
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'no_document' } });
    const parsed = await expectCleanHeaders(deps.mailer.sent[0]);
    expect(parsed.subject).not.toMatch(/[\r\n\u0000-\u001f\u202e\u200b\u2066]/);
    expect(parsed.subject?.startsWith('Fax not sent: ')).toBe(true);
  });

  it.each(tricks)(
    'file name %j, and HTML in names is escaped in the HTML notice',
    async (trick) => {
      tally.inputs += 1;
      const names = [
        `${trick}.docx`,
        '<img src=x onerror=alert(1)>.docx',
        '"><svg onload=alert(2)>.odt',
      ];
      const raw = handWritten(
        [`Subject: Forms`],
        names.map((name) => ({
          name: encodedWord(name),
          type: 'application/msword',
          body: 'PK\u0003\u0004',
        })),
      );
      const { outcome, deps } = await runInbound(raw);
      expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'unsupported_document' } });
      const parsed = await expectCleanHeaders(deps.mailer.sent[0]);
      const html = String(parsed.html);
      expect(html).not.toMatch(/<img|<svg|<script/i);
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.docx');
      expect(parsed.text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e\u200b\u2066]/);
      expect(parsed.text).not.toMatch(/\nBcc:|\nTo:/);
    },
  );

  it('a display name with line breaks and an HTML body change nothing in the notice', async () => {
    tally.inputs += 1;
    const raw = await composeMail({
      from: { name: 'Alice\r\nBcc: victim@example.org', address: SENDER },
      subject: 'Referral',
      html: '<p>Hi</p><script>alert(1)</script><img src="https://tracker.example/pixel">',
      to: [faxAddress('+13125551234'), faxAddress('<b>bold</b>')],
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    });
    const { outcome, deps } = await runInbound(raw, {
      recipients: [faxAddress('+13125551234'), faxAddress('"<b>bold</b>"')],
    });
    expect(outcome).toMatchObject({ kind: 'faxed' });
    const parsed = await expectCleanHeaders(deps.mailer.sent[0]);
    expect(String(parsed.html)).toContain(
      '&quot;&lt;b&gt;bold&lt;/b&gt;&quot; is not a valid fax number.',
    );
    expect(String(parsed.html)).not.toMatch(/<script|tracker\.example|<b>/);
  });
});

describe('numbers that must never be dialled', () => {
  const hostile = [
    '+19005551234',
    '1-900-555-1234',
    '+1 (976) 555-1234',
    '911',
    '112',
    '999',
    '*67 312 555 1234',
    '*67+13125551234',
    '#31#3125551234',
    '**21*3125551234#',
    'sip:+13125551234',
    'sips:13125551234',
    'tel:+13125551234',
    '3125551234;ext=99',
    '3125551234,,,1234',
    '+13125551234%victim',
    '＋１３１２５５５１２３４',
    '٣١٢٥٥٥١٢٣٤',
    '+44 909 879 0000',
    '0044 909 879 0000',
  ];

  it.each(hostile)('%s is refused and nothing is sent', async (typed) => {
    tally.inputs += 1;
    const raw = await composeMail({
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    });
    const address = /[\s"(),;:<>@\\[\]]/.test(typed)
      ? `"${typed}"@fax.example.com`
      : faxAddress(typed);
    const { outcome, deps } = await runInbound(raw, { recipients: [address] });
    expect(deps.fax.requests).toEqual([]);
    expect(outcome).toMatchObject({
      kind: 'faxed',
      results: [{ kind: 'problem' }],
      noticeSent: true,
    });
    const parsed = await expectCleanHeaders(deps.mailer.sent[0]);
    expect(parsed.text).toContain('Your fax was not sent to any number');
  });

  it('one bad number among good ones: only the good ones are dialled', async () => {
    tally.inputs += 1;
    const raw = await composeMail({
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    });
    const { deps } = await runInbound(raw, {
      recipients: [
        faxAddress('+13125551234'),
        faxAddress('+19005551234'),
        faxAddress('*67+13125551299'),
      ],
    });
    expect(deps.fax.requests.map((r) => r.to)).toEqual(['+13125551234']);
  });
});
