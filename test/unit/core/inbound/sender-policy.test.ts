import { describe, expect, it } from 'vitest';
import type { DkimSignature } from '../../../../functions/core/inbound/mail/dkim';
import type { HeaderField } from '../../../../functions/core/inbound/mail/header-block';
import {
  type Authentication,
  judgeSender,
  type SenderDecision,
  type SenderDropReason,
  type SenderEvidence,
  type SenderPolicyOptions,
  type SesVerdicts,
  vouchedValue,
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

const FROM_SIGNED: HeaderField[] = [
  { name: 'from', value: 'alice@example.com' },
  { name: 'to', value: '+13125551234@fax.example.com' },
];

/** A verified signature, as mail/dkim.ts maps mailauth's result. */
const sig = (domain: string, more: Partial<DkimSignature> = {}): DkimSignature => ({
  domain,
  result: 'pass',
  partialBody: false,
  signedFields: FROM_SIGNED,
  id: `id-${domain}`,
  ...more,
});

interface Case {
  from?: string;
  envelope?: string;
  /** Verified signatures; undefined: not verified yet. */
  dkim?: DkimSignature[];
  verdicts?: SesVerdicts;
  requireSenderAuth?: boolean;
}

function evidence({ from = 'alice@example.com', envelope, dkim, verdicts }: Case): SenderEvidence {
  return {
    from: [{ address: from, name: 'Someone' }],
    envelopeFrom: envelope ?? from,
    dkim,
    verdicts: { ...allPass, ...verdicts },
  };
}

function decide(c: Case): SenderDecision {
  return judgeSender(evidence(c), {
    ...options,
    requireSenderAuth: c.requireSenderAuth ?? options.requireSenderAuth,
  });
}

const SPF: Authentication = { by: 'spf' };
const allowed = (sender = 'alice@example.com', auth: Authentication = SPF): SenderDecision => ({
  kind: 'allowed',
  sender,
  auth,
});
const byDkim = (...signatures: DkimSignature[]) => allowed(undefined, { by: 'dkim', signatures });
const refused = (sender: string, auth: Authentication = SPF): SenderDecision => ({
  kind: 'refused',
  sender,
  auth,
});
const dropped = (reason: SenderDropReason): SenderDecision => ({ kind: 'dropped', reason });
const needsDkim = (fromDomain = 'example.com'): SenderDecision => ({
  kind: 'needs_dkim',
  fromDomain,
});

const relayed = { envelope: 'bounce@esp.net' };

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
      'DMARC FAIL although SPF passes aligned',
      { verdicts: { dmarc: 'FAIL' } },
      dropped('dmarc_fail'),
    ],
    [
      'SPF PASS for an aligned bounce subdomain, no DMARC: no signature needed',
      { envelope: 'bounces@mail.example.com', verdicts: { dkim: 'FAIL', dmarc: 'GRAY' } },
      allowed(),
    ],
    [
      'SPF FAIL for the From domain: the signatures must be verified',
      { verdicts: { spf: 'FAIL', dmarc: 'GRAY' } },
      needsDkim(),
    ],
    [
      'SPF PASS for an unrelated envelope domain: the signatures must be verified',
      { ...relayed, verdicts: { dmarc: 'GRAY' } },
      needsDkim(),
    ],
    [
      'SPF PASS for an unrelated envelope domain, no signature',
      { ...relayed, dkim: [], verdicts: { dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'a signature that passes, for an unrelated domain only',
      { ...relayed, dkim: [sig('esp.net')], verdicts: { dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'a signature that passes for an aligned subdomain, SPF FAIL',
      { dkim: [sig('mail.example.com')], verdicts: { spf: 'FAIL', dmarc: 'GRAY' } },
      byDkim(sig('mail.example.com')),
    ],
    [
      'an aligned signature that fails to verify',
      { ...relayed, dkim: [sig('example.com', { result: 'fail' })] },
      dropped('not_authenticated'),
    ],
    [
      'a forged aligned signature beside a real one for another domain',
      { ...relayed, dkim: [sig('example.com', { result: 'fail' }), sig('esp.net')] },
      dropped('not_authenticated'),
    ],
    [
      'an aligned signature with an l= tag that leaves part of the body unsigned',
      { ...relayed, dkim: [sig('example.com', { partialBody: true })] },
      dropped('not_authenticated'),
    ],
    [
      'an aligned signature that does not sign the From field',
      { ...relayed, dkim: [sig('example.com', { signedFields: [{ name: 'to', value: 'x' }] })] },
      dropped('not_authenticated'),
    ],
    [
      'only the passing signatures vouch',
      { ...relayed, dkim: [sig('example.com', { result: 'fail' }), sig('example.com')] },
      byDkim(sig('example.com')),
    ],
    [
      "the From domain's key could not be looked up now",
      { ...relayed, dkim: [sig('example.com', { result: 'temperror' })] },
      { kind: 'retry' },
    ],
    [
      "another domain's key could not be looked up: nothing to wait for",
      { ...relayed, dkim: [sig('esp.net', { result: 'temperror' })] },
      dropped('not_authenticated'),
    ],
    [
      'SES DMARC PASS counts for nothing without an aligned SPF or signature',
      { ...relayed, dkim: [sig('esp.net')] },
      dropped('not_authenticated'),
    ],
    [
      'DMARC PROCESSING_FAILED with aligned SPF PASS',
      { verdicts: { dmarc: 'PROCESSING_FAILED', dkim: 'GRAY' } },
      allowed(),
    ],
    [
      'SPF PASS for a bounce with an empty envelope sender',
      { envelope: '', dkim: [], verdicts: { dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'no verdicts at all, no signature',
      { dkim: [], verdicts: { spf: undefined, dkim: undefined, dmarc: undefined } },
      dropped('not_authenticated'),
    ],
    ['virus FAIL with everything else fine', { verdicts: { virus: 'FAIL' } }, dropped('virus')],
    ['spam FAIL with everything else fine', { verdicts: { spam: 'FAIL' } }, dropped('spam')],
    ['spam GRAY is not spam', { verdicts: { spam: 'GRAY', virus: 'GRAY' } }, allowed()],
    [
      'unauthenticated and not on the list gets no reply',
      { from: 'mallory@example.org', dkim: [], verdicts: { spf: 'FAIL', dmarc: 'GRAY' } },
      dropped('not_authenticated'),
    ],
    [
      'auth not required: everything fails, on the list',
      {
        ...relayed,
        verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' },
        requireSenderAuth: false,
      },
      allowed(undefined, { by: 'none' }),
    ],
    [
      'auth not required: not on the list',
      { from: 'mallory@example.org', verdicts: { dmarc: 'FAIL' }, requireSenderAuth: false },
      refused('mallory@example.org', { by: 'none' }),
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

  it.each([
    ['smith.me.uk', 'evil.me.uk'],
    ['a.id.au', 'b.id.au'],
    ['x.uk.com', 'y.uk.com'],
    ['x.eu.org', 'y.eu.org'],
    ['gp-a.nhs.uk', 'gp-b.nhs.uk'],
    ['alice.github.io', 'mallory.github.io'],
  ])('a signature of %s does not vouch for %s (one public suffix, two organisations)', (a, b) => {
    const decision = judgeSender(
      { ...evidence({ from: `doctor@${b}`, ...relayed }), dkim: [sig(a)] },
      { ...options, allowedSenders: [`@${b}`] },
    );
    expect(decision).toEqual(dropped('not_authenticated'));
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
    [
      'an encoded word for a local part',
      [{ address: '=?utf-8?B?0LBsaWNl?=@example.com' }],
      dropped('unparsable_from'),
    ],
    ['a Cyrillic look-alike', [{ address: 'аlice@example.com' }], dropped('unparsable_from')],
  ])('%s → dropped', (_name, from, expected) => {
    expect(withFrom(from)).toEqual(expected);
  });

  it('checks the virus verdict before the From address', () => {
    expect(withFrom([], { ...allPass, virus: 'FAIL' })).toEqual(dropped('virus'));
  });
});

describe('vouchedValue: what of the header block the sender vouches for', () => {
  const fields: HeaderField[] = [
    { name: 'from', value: 'alice@example.com' },
    { name: 'subject', value: 'Referral' },
    { name: 'date', value: 'Fri, 27 Nov 2026 10:00:00 +0000' },
  ];
  const signing = (...names: string[]): Authentication => ({
    by: 'dkim',
    signatures: [sig('example.com', { signedFields: names.map((name) => ({ name, value: '' })) })],
  });

  it.each<[string, Authentication, string, string | undefined]>([
    ["any field of the sender's own servers' mail", SPF, 'subject', 'Referral'],
    ['any field when nothing is checked', { by: 'none' }, 'date', fields[2]?.value],
    ['a signed field of relayed mail', signing('from', 'subject'), 'subject', 'Referral'],
    ['an unsigned field of relayed mail', signing('from'), 'subject', undefined],
    ['a signed field the message lacks', signing('from', 'cc'), 'cc', undefined],
  ])('%s', (_name, auth, name, expected) => {
    expect(vouchedValue(auth, fields, name)).toBe(expected);
  });
});
