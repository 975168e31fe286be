import { describe, expect, it } from 'vitest';
import type { HeaderField } from '../../../../../functions/core/inbound/mail/header-block';
import {
  MAX_DKIM_SIGNATURES,
  ONCE_ONLY_FIELDS,
  repeatedField,
  tooManySignatures,
} from '../../../../../functions/core/inbound/mail/message-shape';

const field = (name: string, value = 'x'): HeaderField => ({ name, value });
const ordinary = [field('from'), field('to'), field('subject'), field('date'), field('message-id')];

describe('repeatedField', () => {
  it('finds nothing in an ordinary message, however many Received fields it has', () => {
    expect(repeatedField([...ordinary, field('received'), field('received')])).toBeUndefined();
  });

  it.each(ONCE_ONLY_FIELDS)('names a second %s', (name) => {
    expect(
      repeatedField([
        field(name, 'prepended'),
        ...ordinary.filter((f) => f.name !== name),
        field(name),
      ]),
    ).toBe(name);
  });

  it.each(['received', 'dkim-signature', 'comments', 'keywords', 'resent-to'])(
    'lets %s repeat, as RFC 5322 does',
    (name) => {
      expect(repeatedField([...ordinary, field(name), field(name)])).toBeUndefined();
    },
  );
});

describe('tooManySignatures', () => {
  const signatures = (n: number) => Array.from({ length: n }, () => field('dkim-signature'));
  it.each([
    [0, false],
    [MAX_DKIM_SIGNATURES, false],
    [MAX_DKIM_SIGNATURES + 1, true],
  ])('%i signatures: %s', (n, expected) => {
    expect(tooManySignatures([...ordinary, ...signatures(n)])).toBe(expected);
  });
});
