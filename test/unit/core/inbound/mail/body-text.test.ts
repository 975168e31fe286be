import { describe, expect, it } from 'vitest';
import { ownText } from '../../../../../functions/core/inbound/mail/body-text';

const lines = (...text: string[]) => text.join('\n');

describe('ownText', () => {
  it.each<[string, string, string]>([
    ['empty', '', ''],
    ['only whitespace', ' \n\t\n \u00a0\n', ''],
    ['iPhone signature only', '\n\nSent from my iPhone', ''],
    ['Outlook mobile signature only', 'Get Outlook for iOS<https://aka.ms/o0ukef>', ''],
    ['Android', 'Sent from my Samsung Galaxy smartphone.', ''],
    ['German mobile signature', 'Von meinem iPhone gesendet', ''],
    [
      'text with a mobile signature',
      'Please fax to Dr. Lee.\n\nSent from my iPad',
      'Please fax to Dr. Lee.',
    ],
    [
      'signature after the delimiter',
      lines(
        'Here is the lab report.',
        '',
        'Thanks,',
        'Bob',
        '-- ',
        'Bob Smith',
        'Acme Labs',
        '+1 312 555 0100',
      ),
      'Here is the lab report.\n\nThanks,\nBob',
    ],
    ['delimiter trimmed of its space', lines('See attached.', '--', 'Bob'), 'See attached.'],
    [
      'Gmail reply with a quote',
      lines(
        'Sounds good, faxing now.',
        '',
        'On Mon, Mar 3, 2025 at 9:00 AM Jane Roe <jane@example.com> wrote:',
        '> Can you fax the form?',
        '> Thanks',
      ),
      'Sounds good, faxing now.',
    ],
    [
      'reply header wrapped over two lines',
      lines(
        'Done.',
        '',
        'On Mon, Mar 3, 2025 at 9:00 AM Jane Roe <',
        'jane@example.com> wrote:',
        '',
        '> original',
      ),
      'Done.',
    ],
    [
      'Outlook reply header',
      lines(
        'Attached.',
        '',
        '________________________________',
        'From: Jane Roe <jane@example.com>',
        'Sent: Monday, March 3, 2025 9:00 AM',
        'To: Bob',
        'Subject: form',
      ),
      'Attached.',
    ],
    [
      'Outlook plain reply header without the rule',
      lines(
        'Attached.',
        '',
        'From: Jane Roe',
        'Sent: Monday, March 3, 2025 9:00 AM',
        'Subject: form',
        '',
        'please send',
      ),
      'Attached.',
    ],
    [
      'Original Message separator',
      lines('FYI', '-----Original Message-----', 'From: someone', 'old text'),
      'FYI',
    ],
    [
      'forwarded message',
      lines(
        'Please fax this on.',
        '',
        '---------- Forwarded message ---------',
        'From: Clinic <a@b.c>',
        'text',
      ),
      'Please fax this on.',
    ],
    [
      'Apple forward',
      lines('For the file.', '', 'Begin forwarded message:', '', 'From: x'),
      'For the file.',
    ],
    [
      'confidentiality notice',
      lines(
        'Invoice attached.',
        '',
        'CONFIDENTIALITY NOTICE: This e-mail message, including any attachments, is for the sole use of the intended recipient(s).',
      ),
      'Invoice attached.',
    ],
    [
      'disclaimer starting "This email and any attachments"',
      lines(
        'Signed contract attached.',
        '',
        'This email and any attachments are confidential and intended solely for the addressee.',
      ),
      'Signed contract attached.',
    ],
    [
      'received in error',
      lines(
        'Results attached.',
        'If you have received this email in error, please notify the sender.',
      ),
      'Results attached.',
    ],
    [
      'inline quotes between own paragraphs',
      lines('> Can you send page 2?', 'Yes, attached.', '> And page 3?', 'Also attached.'),
      'Yes, attached.\nAlso attached.',
    ],
    [
      'image placeholders',
      lines(
        'Logo below',
        '[cid:image001.png@01DA1234.56789AB0]',
        '[image: logo.png]',
        '\ufffcSee you',
      ),
      'Logo below\n\nSee you',
    ],
    [
      'Windows line ends and blank runs',
      'Line one\r\n\r\n\r\n\r\nLine two\r\n',
      'Line one\n\nLine two',
    ],
    [
      'a sentence that merely starts with "On"',
      lines('On Monday I will call you.', 'He wrote the form.'),
      'On Monday I will call you.\nHe wrote the form.',
    ],
    [
      'a line that starts with "From:" in prose',
      lines('From: the lab, results attached.', 'Regards'),
      'From: the lab, results attached.\nRegards',
    ],
  ])('%s', (_, body, expected) => {
    expect(ownText(body)).toBe(expected);
  });
});
