import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../../../fixtures/documents';
import { buildFixtures, FIXTURE_DIR } from '../../../../../fixtures/generate';
import {
  fileName,
  MAX_FILE_NAME_CHARACTERS,
  MAX_SUBJECT_CHARACTERS,
  parseEmail,
} from '../../../../../functions/core/inbound/mail/parse-email';

const fixture = (name: string) => readFileSync(path.join(FIXTURE_DIR, name));
const parse = (name: string) => parseEmail(fixture(name));

const message = (headers: string[], body: string[]) =>
  Buffer.from(
    [
      'From: "Alice Sender" <alice@example.com>',
      'To: fax@fax.example.com',
      'Subject: Test',
      'MIME-Version: 1.0',
      ...headers,
      '',
      ...body,
      '',
    ].join('\r\n'),
    'utf8',
  );

describe('parseEmail', () => {
  it('reads the headers and the body of a message', async () => {
    const email = await parse('body-with-text.eml');
    expect(email.from).toEqual([{ address: 'alice@example.com', name: 'Alice Sender' }]);
    expect(email.subject).toBe('Referral for Jane Roe');
    expect(email.messageId).toBe('<body-with-text@example.com>');
    expect(email.date?.toISOString()).toBe('2025-03-03T14:05:00.000Z');
    expect(email.text).toContain('Please find the referral for Jane Roe attached.');
    expect(email.encrypted).toBe(false);
  });

  it('lists attachments in MIME order with their declared type, however they are marked', async () => {
    const email = await parse('apple-inline-pdfs.eml');
    expect(email.parts.map((p) => [p.filename, p.contentType, p.disposition, p.depth])).toEqual([
      ['attachment1.pdf', 'application/pdf', 'inline', 0],
      ['attachment2.pdf', 'application/pdf', 'inline', 0],
    ]);
    expect(email.text).toContain('This is the first html part');
  });

  it('keeps the declared type of an octet-stream part (no guessing from the name)', async () => {
    const [part] = (await parse('octet-stream-pdf.eml')).parts;
    expect(part?.contentType).toBe('application/octet-stream');
    expect(part?.content.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('marks images the HTML shows through cid: links, even when disposed as attachments', async () => {
    const email = await parse('cid-logo-and-pdf.eml');
    expect(email.html).toContain('cid:logo@example.com');
    expect(
      email.parts.map((p) => [
        p.filename,
        p.contentId,
        p.related,
        p.referencedByHtml,
        p.disposition,
      ]),
    ).toEqual([
      ['logo.png', 'logo@example.com', true, true, 'inline'],
      ['banner.gif', 'banner@example.com', true, true, 'attachment'],
      ['report.pdf', undefined, false, false, 'attachment'],
    ]);
  });

  it('descends into forwarded messages and says how deep each part sits', async () => {
    const email = await parse('forwarded-jpeg.eml');
    expect(email.parts.map((p) => [p.filename, p.depth])).toEqual([['aprilfools.jpg', 2]]);
    expect(email.text).toBe('Please fax the picture in here.');
  });

  it('finds attachments inside a forwarded message sent base64-encoded', async () => {
    const inner = message(
      ['Content-Type: application/pdf; name="inner.pdf"', 'Content-Transfer-Encoding: base64'],
      [(await makePdf(1)).toString('base64')],
    );
    const outer = message(
      ['Content-Type: multipart/mixed; boundary="b"'],
      [
        '--b',
        'Content-Type: text/plain',
        '',
        'see attached',
        '--b',
        'Content-Type: message/rfc822; name="fwd.eml"',
        'Content-Transfer-Encoding: base64',
        '',
        inner.toString('base64'),
        '--b--',
      ],
    );
    const email = await parseEmail(outer);
    expect(email.parts.map((p) => [p.filename, p.depth])).toEqual([['inner.pdf', 1]]);
  });

  it('stops descending after ten levels of forwarding', async () => {
    const nest = (levels: number) => {
      let raw = message(['Content-Type: image/gif; name="deep.gif"'], ['GIF89a']);
      for (let i = 0; i < levels; i++) {
        raw = message(
          ['Content-Type: message/rfc822', 'Content-Disposition: inline'],
          [raw.toString()],
        );
      }
      return raw;
    };
    expect((await parseEmail(nest(10))).parts.map((p) => p.filename)).toEqual(['deep.gif']);
    expect((await parseEmail(nest(12))).parts.map((p) => p.filename)).not.toContain('deep.gif');
  });

  it('unwraps opaque-signed S/MIME to reach the text and attachments inside', async () => {
    const email = await parse('smime-opaque-signed.eml');
    expect(email.encrypted).toBe(false);
    expect(email.text.trim()).toBe('Signed inside.');
    expect(email.parts.map((p) => p.filename)).toEqual(['inside.pdf']);
  });

  it.each([
    ['smime-encrypted.eml', true],
    ['pgp-encrypted.eml', true],
    ['smime-signed.eml', false],
  ])('%s is encrypted: %s', async (name, encrypted) => {
    expect((await parse(name)).encrypted).toBe(encrypted);
  });

  it('sanitises file names: encoded newlines, raw 8-bit UTF-8, names cut mid-character', async () => {
    const cyrillic = Buffer.from('Картинка', 'utf8');
    const cut = Buffer.concat([Buffer.from('Отчёт', 'utf8'), Buffer.from([0xd0])]);
    const raw = Buffer.concat([
      message(['Content-Type: multipart/mixed; boundary="b"'], []),
      Buffer.from(
        [
          '--b',
          'Content-Type: image/png; name="=?utf-8?B?S29udG91dHNrcmlmdAoucGRm?="',
          'Content-Disposition: attachment',
          '',
          '',
          '--b',
          'Content-Type: image/png',
          'Content-Disposition: attachment; filename="',
        ].join('\r\n'),
      ),
      cyrillic,
      Buffer.from('.png"\r\n\r\nx\r\n--b\r\nContent-Type: image/png; name="'),
      cut,
      Buffer.from('"\r\n\r\nx\r\n--b\r\nContent-Type: application/zip\r\n\r\nx\r\n--b--\r\n'),
    ]);
    const email = await parseEmail(raw);
    expect(email.parts.map((p) => p.filename)).toEqual([
      'Kontoutskrift .pdf',
      'Картинка.png',
      'Отчёт',
      'attachment-4',
    ]);
  });

  it('parses a 200 KB folded subject and keeps its first 998 characters (a header line’s most)', async () => {
    const folded = Array.from({ length: 3300 }, (_, i) => ` part ${i} of a very long subject line`);
    const raw = Buffer.from(
      ['From: alice@example.com', `Subject:${folded.join('\r\n')}`, '', 'test', ''].join('\r\n'),
    );
    expect(raw.length).toBeGreaterThan(100_000);
    const email = await parseEmail(raw);
    expect(email.subject).toHaveLength(MAX_SUBJECT_CHARACTERS);
    expect(email.subject).toMatch(/^part 0 of a very long subject line part 1 of .* part 2\d of/);
    expect(email.text.trim()).toBe('test');
    expect(email.parts).toEqual([]);
  });

  it('reads a message streamed in small pieces exactly as the whole message', async () => {
    for (const name of ['forwarded-copy.eml', 'cid-logo-and-pdf.eml', 'smime-opaque-signed.eml']) {
      const raw = fixture(name);
      const pieces = Array.from({ length: Math.ceil(raw.length / 997) }, (_, i) =>
        raw.subarray(i * 997, (i + 1) * 997),
      );
      expect(await parseEmail(Readable.from(pieces)), name).toEqual(await parseEmail(raw));
    }
  });

  it("passes signature parts on as parts (choosing documents is documents.ts's job)", async () => {
    const email = await parse('smime-signed.eml');
    expect(email.parts.map((p) => [p.filename, p.contentType])).toEqual([
      ['signed.pdf', 'application/pdf'],
      ['smime.p7s', 'application/pkcs7-signature'],
    ]);
  });
});

describe('generated fixtures', () => {
  it('are what fixtures/generate.ts writes (run it after changing a builder)', async () => {
    for (const [name, bytes] of await buildFixtures()) {
      expect(fixture(name).equals(bytes), name).toBe(true);
    }
  });
});

describe('fileName', () => {
  const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

  it('keeps a name that fits, repairing UTF-8 read as Latin-1', () => {
    expect(fileName('scan.pdf')).toBe('scan.pdf');
    expect(fileName(latin1('Картинка.pdf'))).toBe('Картинка.pdf');
    expect(fileName(`${latin1('Картинка')}\xd0`)).toBe('Картинка');
  });

  it('cuts a long name to 255 characters, marking the cut and keeping the extension', () => {
    const name = fileName(`${'report '.repeat(100)}final.pdf`);
    expect(name).toHaveLength(MAX_FILE_NAME_CHARACTERS);
    expect(name).toMatch(/^report report .*…\.pdf$/);
    expect(fileName('a'.repeat(300))).toBe(`${'a'.repeat(254)}…`);
  });

  it('cuts a name of repaired UTF-8 by its characters, not its bytes', () => {
    const name = fileName(latin1(`${'ж'.repeat(300)}.pdf`));
    expect(name).toBe(`${'ж'.repeat(250)}….pdf`);
  });

  it('never leaves half of a surrogate pair at the cut', () => {
    const name = fileName(`${'a'.repeat(249)}${'😀'.repeat(10)}.pdf`);
    expect(name).toBe(`${'a'.repeat(249)}….pdf`);
  });

  it('reads a name of 300,000 bytes that are not UTF-8 as fast as a short one', () => {
    const raw = `${'\xff'.repeat(300_000)}x.pdf`;
    const name = fileName(raw);
    expect(name).toHaveLength(MAX_FILE_NAME_CHARACTERS);
    expect(name.endsWith('….pdf')).toBe(true);
  });
});
