import { describe, expect, it } from 'vitest';
import {
  type DropReason,
  dkimDomains,
  isAligned,
  judgeSender,
  type SenderDecision,
  type SenderEvidence,
  type SenderPolicyOptions,
  type SesVerdicts,
} from '../../../../functions/core/inbound/sender-policy';

const allPass: SesVerdicts = {
  spf: 'PASS',
  dkim: 'PASS',
  dmarc: 'PASS',
  spam: 'PASS',
  virus: 'PASS',
};

const options: SenderPolicyOptions = {
  allowedSenders: ['alice@example.com', '@partner.co.uk', '@shop.com.au'],
  requireSenderAuth: true,
};

interface Case {
  from?: string;
  envelope?: string;
  dkim?: string[];
  verdicts?: SesVerdicts;
  requireSenderAuth?: boolean;
}

function evidence({ from = 'alice@example.com', envelope, dkim, verdicts }: Case): SenderEvidence {
  const fromDomain = from.slice(from.lastIndexOf('@') + 1);
  return {
    from: [{ address: from, name: 'Someone' }],
    envelopeFrom: envelope ?? from,
    dkimDomains: dkim ?? [fromDomain],
    verdicts: { ...allPass, ...verdicts },
  };
}

function decide(c: Case): SenderDecision {
  return judgeSender(evidence(c), {
    ...options,
    requireSenderAuth: c.requireSenderAuth ?? options.requireSenderAuth,
  });
}

const allowed = (sender = 'alice@example.com'): SenderDecision => ({ kind: 'allowed', sender });
const refused = (sender: string): SenderDecision => ({ kind: 'refused', sender });
const dropped = (reason: DropReason): SenderDecision => ({ kind: 'dropped', reason });

const unaligned = { envelope: 'bounce@esp.net', dkim: ['esp.net'] };

describe('judgeSender: verdicts × alignment × allow-list × REQUIRE_SENDER_AUTH', () => {
  it.each<[string, Case, SenderDecision]>([
    ['everything passes, on the list', {}, allowed()],
    [
      'everything passes, not on the list',
      { from: 'mallory@example.org' },
      refused('mallory@example.org'),
    ],
    [
      'allowed From failing SPF, DKIM and DMARC',
      { verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' } },
      dropped('dmarc_fail'),
    ],
    [
      'allowed From failing SPF and DKIM, domain without DMARC',
      { verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'DMARC FAIL although SPF and DKIM pass aligned',
      { verdicts: { dmarc: 'FAIL' } },
      dropped('dmarc_fail'),
    ],
    [
      'SPF PASS for an aligned bounce subdomain, DKIM FAIL, no DMARC',
      { envelope: 'bounces@mail.example.com', verdicts: { dkim: 'FAIL', dmarc: 'GRAY' } },
      allowed(),
    ],
    [
      'SPF PASS for an unrelated envelope domain, DKIM FAIL, no DMARC',
      { envelope: 'bounce@esp.net', verdicts: { dkim: 'FAIL', dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'DKIM PASS but d= an unrelated domain, SPF not aligned, no DMARC',
      { ...unaligned, verdicts: { dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'DKIM PASS with d= an aligned subdomain, SPF FAIL, no DMARC',
      { dkim: ['mail.example.com'], verdicts: { spf: 'FAIL', dmarc: 'GRAY' } },
      allowed(),
    ],
    [
      'DKIM signature aligned but DKIM verdict FAIL, SPF not aligned',
      { envelope: 'bounce@esp.net', verdicts: { dkim: 'FAIL', dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'DKIM PASS, aligned and unrelated signatures, no DMARC: the pass may be the unrelated one',
      { envelope: 'bounce@esp.net', dkim: ['example.com', 'esp.net'], verdicts: { dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'DKIM PASS, aligned and unrelated signatures, DMARC PASS',
      { envelope: 'bounce@esp.net', dkim: ['example.com', 'esp.net'] },
      allowed(),
    ],
    [
      'DMARC PASS reported but nothing aligned with the From domain',
      unaligned,
      dropped('not_authenticated'),
    ],
    [
      'DMARC PROCESSING_FAILED with aligned SPF PASS',
      { verdicts: { dmarc: 'PROCESSING_FAILED', dkim: 'GRAY' } },
      allowed(),
    ],
    [
      'SPF PASS for a bounce with an empty envelope sender',
      { envelope: '', verdicts: { dkim: 'FAIL', dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'no verdicts at all',
      { verdicts: { spf: undefined, dkim: undefined, dmarc: undefined } },
      dropped('not_authenticated'),
    ],
    ['virus FAIL with everything else fine', { verdicts: { virus: 'FAIL' } }, dropped('virus')],
    ['spam FAIL with everything else fine', { verdicts: { spam: 'FAIL' } }, dropped('spam')],
    ['spam GRAY is not spam', { verdicts: { spam: 'GRAY', virus: 'GRAY' } }, allowed()],
    [
      'unauthenticated and not on the list gets no reply',
      { from: 'mallory@example.org', verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'auth not required: everything fails, on the list',
      {
        ...unaligned,
        verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' },
        requireSenderAuth: false,
      },
      allowed(),
    ],
    [
      'auth not required: not on the list',
      { from: 'mallory@example.org', verdicts: { dmarc: 'FAIL' }, requireSenderAuth: false },
      refused('mallory@example.org'),
    ],
    [
      'auth not required: virus FAIL still drops',
      { verdicts: { virus: 'FAIL' }, requireSenderAuth: false },
      dropped('virus'),
    ],
    [
      'auth not required: spam FAIL still drops',
      { verdicts: { spam: 'FAIL' }, requireSenderAuth: false },
      dropped('spam'),
    ],
  ])('%s', (_name, c, expected) => {
    expect(decide(c)).toEqual(expected);
  });
});

describe('judgeSender: the allow-list', () => {
  it.each<[string, Case, SenderDecision]>([
    ['an @domain entry', { from: 'bob@partner.co.uk' }, allowed('bob@partner.co.uk')],
    [
      'an @domain entry does not cover subdomains',
      { from: 'bob@mail.partner.co.uk' },
      refused('bob@mail.partner.co.uk'),
    ],
    [
      'an address entry does not allow the rest of its domain',
      { from: 'carol@example.com' },
      refused('carol@example.com'),
    ],
    ['From in another case; sender reported lower-case', { from: 'Alice@EXAMPLE.Com' }, allowed()],
    [
      'same name, other domain',
      { from: 'alice@example.com.evil.net' },
      refused('alice@example.com.evil.net'),
    ],
  ])('%s', (_name, c, expected) => {
    expect(decide(c)).toEqual(expected);
  });

  it('matches list entries whatever their case', () => {
    const decision = judgeSender(evidence({}), {
      ...options,
      allowedSenders: ['ALICE@Example.com'],
    });
    expect(decision).toEqual(allowed());
  });
});

describe('judgeSender: the From address', () => {
  const withFrom = (from: SenderEvidence['from'], verdicts: SesVerdicts = allPass) =>
    judgeSender({ ...evidence({}), from, verdicts }, options);

  it.each<[string, SenderEvidence['from'], SenderDecision]>([
    ['missing', [], dropped('no_from')],
    [
      'two addresses',
      [{ address: 'alice@example.com' }, { address: 'bob@partner.co.uk' }],
      dropped('several_from'),
    ],
    ['a name without an address', [{ name: 'Alice' }], dropped('unparsable_from')],
    ['not an address', [{ address: 'alice' }], dropped('unparsable_from')],
    ['an empty address', [{ address: '' }], dropped('unparsable_from')],
    ['two @ signs', [{ address: 'alice@evil.net@example.com' }], dropped('unparsable_from')],
    ['a domain without a dot', [{ address: 'alice@localhost' }], dropped('unparsable_from')],
  ])('%s → dropped', (_name, from, expected) => {
    expect(withFrom(from)).toEqual(expected);
  });

  it('checks the virus verdict before the From address', () => {
    expect(withFrom([], { ...allPass, virus: 'FAIL' })).toEqual(dropped('virus'));
  });
});

describe('isAligned (relaxed: same organisational domain)', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['EXAMPLE.com', 'example.COM.', true],
    ['mail.example.com', 'example.com', true],
    ['a.example.com', 'b.example.com', true],
    ['example.com', 'example.net', false],
    ['example.com', 'notexample.com', false],
    ['example.com', 'example.com.evil.net', false],
    ['mail.partner.co.uk', 'partner.co.uk', true],
    ['partner.co.uk', 'other.co.uk', false],
    ['shop.com.au', 'bounce.shop.com.au', true],
    ['shop.com.au', 'evil.com.au', false],
  ])('%s ~ %s: %s', (a, b, expected) => {
    expect(isAligned(a, b)).toBe(expected);
  });
});

describe('dkimDomains', () => {
  it('reads d= from each DKIM-Signature header of SES mail.headers, once each', () => {
    const headers = [
      { name: 'Return-Path', value: '<aws@amazon.com>' },
      {
        name: 'DKIM-Signature',
        value:
          'v=1; a=rsa-sha256; c=relaxed/relaxed; d=iatn.net; s=amazon; h=mime-version:from:date; bh=chlJ=; b=SsoN+ok=',
      },
      {
        name: 'dkim-signature',
        value: 'v=1; a=rsa-sha256;\r\n\td = Mail.Example.COM. ;\r\n s=s1; b=x',
      },
      { name: 'DKIM-Signature', value: 'v=1; d=iatn.net; s=other; b=y' },
      { name: 'DKIM-Signature', value: 'v=1; s=no-domain; b=z' },
      { name: 'DKIM-Signature', value: 'v=1; d=; b=z' },
      { name: 'X-Google-DKIM-Signature', value: 'v=1; d=1e100.net; b=z' },
      { name: 'From', value: 'd=evil.net; Amazon Web Services <aws@amazon.com>' },
    ];
    expect(dkimDomains(headers)).toEqual(['iatn.net', 'mail.example.com']);
  });

  it('finds nothing in an unsigned message', () => {
    expect(dkimDomains([{ name: 'Subject', value: 'fax' }])).toEqual([]);
  });
});
