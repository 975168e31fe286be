import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import {
  decodedSubject,
  headerFields,
  MAX_SUBJECT_CHARS,
  messageIdOf,
  readHeaderBlock,
} from '../../../../../functions/core/inbound/mail/header-block';

/** `raw` from the bucket in pieces of `size` bytes. */
const pieces = (raw: string, size: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(raw.length / size) }, (_, i) =>
      Buffer.from(raw.slice(i * size, (i + 1) * size), 'latin1'),
    ),
  );

const MESSAGE =
  'From: Alice <alice@example.com>\r\nSubject: two\r\n lines\r\nTo:  +13125551234@fax.example.com \r\n\r\nbody\r\n\r\nmore\r\n';

describe('readHeaderBlock', () => {
  it.each([
    ['a line opening with a vertical tab', 'X-Note: a\r\n\vContent-Type: text/plain\r\n'],
    ['a line opening with a form feed', 'X-Note: a\r\n\fFrom: "Dr Evil" <alice@example.com>\r\n'],
    [
      'a line opening with a no-break space',
      'X-Note: a\r\n\u00a0To: +13125550000@fax.example.com\r\n',
    ],
    ['a CR without its LF', 'X-Note: a\rContent-Type: text/plain\r\n'],
  ])(
    'calls a block ambiguous for %s, which DKIM and MIME would read differently',
    async (_, extra) => {
      const block = await readHeaderBlock(pieces(`${extra}${MESSAGE}`, 1000));
      expect(block.kind).toBe('ambiguous');
    },
  );

  it('judges 500,000 carriage returns in one field at once, not in minutes', async () => {
    const raw = `From: a@b.example\r\nX: ${'\r'.repeat(500_000)}y\r\n\r\nbody`;
    expect((await readHeaderBlock(pieces(raw, 65_536))).kind).toBe('ambiguous');
    const trailing = `From: a@b.example\r\n${'\r\n'.repeat(200_000)}`;
    expect(headerFields(Buffer.from(trailing, 'latin1'))).toEqual([
      { name: 'from', value: 'a@b.example' },
    ]);
  });

  it.each([1, 2, 3, 7, 1000])(
    'reads the fields up to the blank line, in pieces of %i bytes',
    async (size) => {
      const block = await readHeaderBlock(pieces(MESSAGE, size));
      expect(block.kind === 'read' && block.fields).toEqual([
        { name: 'from', value: 'Alice <alice@example.com>' },
        { name: 'subject', value: 'two lines' },
        { name: 'to', value: '+13125551234@fax.example.com' },
      ]);
    },
  );

  it('gives the whole message back for one more pass', async () => {
    const block = await readHeaderBlock(pieces(MESSAGE, 5));
    expect(block.kind === 'read' && (await text(block.message))).toBe(MESSAGE);
  });

  it.each([
    ['bare line feeds', 'From: a@example.com\nTo: b@example.com\n\nTo: c@example.com\n'],
    ['a line feed then CR LF', 'From: a@example.com\r\nTo: b@example.com\n\r\nTo: c@example.com'],
  ])('ends the block where DKIM verifiers do: %s', async (_name, raw) => {
    const block = await readHeaderBlock(pieces(raw, 4));
    expect(block.kind === 'read' && block.fields.map((f) => f.value)).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
  });

  it('reads a message that is all header', async () => {
    const block = await readHeaderBlock(pieces('From: a@example.com\r\nSubject: x', 3));
    expect(block.kind === 'read' && block.fields).toHaveLength(2);
  });

  it('stops at the cap and closes the stream', async () => {
    const stream = pieces(`X-Padding: ${'x'.repeat(5000)}\r\n\r\nbody`, 100);
    expect(await readHeaderBlock(stream, 1000)).toEqual({ kind: 'too_large' });
    expect(stream.destroyed).toBe(true);
  });

  it('refuses a block that ends past the cap', async () => {
    expect(await readHeaderBlock(pieces(`X: ${'x'.repeat(1000)}\r\n\r\n`, 2000), 1000)).toEqual({
      kind: 'too_large',
    });
  });

  it('passes on a failing bucket, for Lambda to try again', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(readHeaderBlock(failing)).rejects.toThrow('socket hang up');
  });
});

describe('headerFields', () => {
  it.each([
    ['Subject : spaced name', [{ name: 'subject', value: 'spaced name' }]],
    ['SUBJECT:upper', [{ name: 'subject', value: 'upper' }]],
    ['Subject:\r\n\tfolded\r\n  twice', [{ name: 'subject', value: 'folded  twice' }]],
    ['no colon here', [{ name: 'no colon here', value: '' }]],
    ['Subject: caf\u00e9', [{ name: 'subject', value: 'caf\u00e9' }]],
  ])('%j', (block, fields) => {
    expect(headerFields(Buffer.from(`${block}\r\n\r\n`, 'latin1'))).toEqual(fields);
  });
});

describe('messageIdOf', () => {
  it.each([
    ['<a@b>', '<a@b>'],
    [' a@b ', '<a@b>'],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (value, id) => {
    expect(messageIdOf(value)).toBe(id);
  });
});

describe('decodedSubject', () => {
  it.each([
    ['Referral', 'Referral'],
    ['=?UTF-8?B?UsOpZsOpcmFs?=', 'Référal'],
    ['=?utf-8?Q?Lab_results?= =?utf-8?Q?_today?=', 'Lab results today'],
    // 8-bit UTF-8, as Latin-1 in the header block.
    [Buffer.from('Référal', 'utf8').toString('latin1'), 'Référal'],
  ])('%j → %j', async (value, subject) => {
    expect(await decodedSubject(value)).toBe(subject);
  });

  it('cuts a subject no person writes', async () => {
    const subject = await decodedSubject(`Referral ${'and more '.repeat(25_000)}`);
    expect(subject).toHaveLength(MAX_SUBJECT_CHARS);
    expect(subject.startsWith('Referral and more')).toBe(true);
  });
});
