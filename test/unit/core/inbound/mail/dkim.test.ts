import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type DkimSignature,
  keysOf,
  verifyDkim,
} from '../../../../../functions/core/inbound/mail/dkim';
import type { DnsResolver } from '../../../../../functions/core/shared/ports';
import { zoneResolver } from '../../../../../local/dns-zone';
import { signingKey, signMail, signWithTags, zoneOf } from '../../../../support/dkim-mail';
import { composeMail } from '../../../../support/inbound-harness';

const clinic = signingKey('clinic.example');
const attacker = signingKey('attacker.example');
const zone = zoneOf(clinic.zone, attacker.zone);
const NOW = new Date('2026-11-27T10:00:05Z');

/** Every lookup the verifier asked for, answered from `zone`. */
function recordingResolver(resolver: DnsResolver = zoneResolver(zone)) {
  const asked: string[] = [];
  const answer: DnsResolver = (name, rrtype) => {
    asked.push(name);
    return resolver(name, rrtype);
  };
  return { asked, answer };
}

async function verify(raw: Buffer, fromDomain = 'clinic.example', resolver?: DnsResolver) {
  return verifyDkim(Readable.from([raw]), {
    fromDomain,
    resolver: resolver ?? zoneResolver(zone),
    now: NOW,
  });
}

const letter = () =>
  composeMail({
    from: 'Doctor <doctor@clinic.example>',
    text: 'Referral attached.',
    attachments: [{ filename: 'a.txt', content: 'abc' }],
  });

const summary = (signatures: DkimSignature[]) =>
  signatures.map(({ domain, result, partialBody }) => ({ domain, result, partialBody }));

describe('verifyDkim', () => {
  it('verifies a signature with the key in DNS, and says what it covers', async () => {
    const [signature, ...more] = await verify(await signMail(await letter(), clinic));
    expect(more).toEqual([]);
    expect(signature).toMatchObject({
      domain: 'clinic.example',
      result: 'pass',
      partialBody: false,
    });
    expect(signature?.signedFields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'subject', 'date', 'message-id']),
    );
    expect(signature?.signedFields).toContainEqual({
      name: 'to',
      value: '+13125551234@fax.example.com',
    });
    expect(signature?.signedAt?.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    expect(signature?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds no signature in an unsigned message', async () => {
    expect(await verify(await letter())).toEqual([]);
  });

  it('fails a signature over a body changed after signing', async () => {
    const signed = await signMail(await letter(), clinic);
    const changed = Buffer.from(
      signed.toString('latin1').replace('Referral attached.', 'Referral attachef.'),
      'latin1',
    );
    expect(summary(await verify(changed))).toEqual([
      { domain: 'clinic.example', result: 'fail', partialBody: false },
    ]);
  });

  it('fails a signature whose key is not the domain’s', async () => {
    const forged = await signMail(await letter(), { ...attacker, domain: 'clinic.example' });
    expect(summary(await verify(forged))).toEqual([
      { domain: 'clinic.example', result: 'fail', partialBody: false },
    ]);
  });

  const SIGNED = ['from', 'to', 'subject', 'date', 'message-id'];

  it.each([
    ['D=clinic.example; d=attacker.example', attacker, 'attacker.example', 'pass'],
    ['d=clinic.example; d=attacker.example', attacker, 'attacker.example', 'pass'],
    ['d=attacker.example; D=clinic.example', attacker, 'clinic.example', 'fail'],
  ] as const)(
    'reads "%s" as the verifier does: the domain whose key checks it',
    async (tags, key, domain, result) => {
      const raw = signWithTags(await letter(), key, tags, SIGNED);
      const { asked, answer } = recordingResolver();
      const signatures = await verify(raw, domain, answer);
      expect(summary(signatures)).toEqual([{ domain, result, partialBody: false }]);
      expect(asked).toEqual([`sel._domainkey.${domain}`]);
    },
  );

  it('marks a signature whose l= tag leaves part of the body unsigned', async () => {
    const raw = await letter();
    const body = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
    const signed = await signMail(raw, clinic, { maxBodyLength: body.length });
    const appended = Buffer.concat([signed, Buffer.from('\r\nappended after signing\r\n')]);
    expect(summary(await verify(signed))).toEqual([
      { domain: 'clinic.example', result: 'pass', partialBody: false },
    ]);
    expect(summary(await verify(appended))).toEqual([
      { domain: 'clinic.example', result: 'pass', partialBody: true },
    ]);
  });

  it('looks up no key of a domain outside the From’s organisation', async () => {
    const raw = await signMail(await signMail(await letter(), attacker), clinic);
    const { asked, answer } = recordingResolver();
    const signatures = await verify(raw, 'clinic.example', answer);
    expect(asked).toEqual(['sel._domainkey.clinic.example']);
    expect(summary(signatures)).toEqual([
      { domain: 'clinic.example', result: 'pass', partialBody: false },
      { domain: 'attacker.example', result: 'fail', partialBody: false },
    ]);
  });

  it('tells a key that could not be looked up now from one that does not exist', async () => {
    const timeout: DnsResolver = async () => {
      throw Object.assign(new Error('queryTxt ETIMEOUT'), { code: 'ETIMEOUT' });
    };
    const raw = await signMail(await letter(), clinic);
    expect(summary(await verify(raw, 'clinic.example', timeout))).toEqual([
      { domain: 'clinic.example', result: 'temperror', partialBody: false },
    ]);
    expect(summary(await verify(raw, 'clinic.example', zoneResolver({})))).toEqual([
      { domain: 'clinic.example', result: 'fail', partialBody: false },
    ]);
  });
});

describe('keysOf', () => {
  it.each([
    ['sel._domainkey.clinic.example', true],
    ['sel._domainkey.mail.clinic.example', true],
    ['SEL._DOMAINKEY.Clinic.Example', true],
    ['sel._domainkey.attacker.example', false],
    ['sel._domainkey.clinic.example.attacker.example', false],
    ['clinic.example', false],
    ['_dmarc.clinic.example', false],
  ])('%s is looked up: %s', async (name, expected) => {
    const { asked, answer } = recordingResolver(async () => [['v=DKIM1; p=']]);
    const guarded = keysOf('clinic.example', answer);
    const looked = await guarded(name, 'TXT').then(
      () => true,
      (error: { code?: string }) => {
        expect(error.code).toBe('ENOTFOUND');
        return false;
      },
    );
    expect(looked).toBe(expected);
    expect(asked.length).toBe(expected ? 1 : 0);
  });
});
