// The bridge must not become a way to send email to others: no reply to a forged sender, no
// reply anywhere but the authenticated From address, and no recipient list that reaches a mailbox.
import { afterAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import type { ReceivedMail } from '../../functions/core/inbound/process-inbound';
import { zoneResolver } from '../../local/dns-zone';
import { signingKey, signMail, zoneOf } from '../support/dkim-mail';
import {
  composeMail,
  faxAddress,
  memoryDeps,
  runInbound,
  SENDER,
} from '../support/inbound-harness';

const tally = { inputs: 0 };
afterAll(() => console.info(`relay: ${tally.inputs} inputs`));

const withPdf = async (extra: Parameters<typeof composeMail>[0] = {}) =>
  composeMail({ attachments: [{ filename: 'a.pdf', content: await makePdf(1) }], ...extra });

const evil = signingKey('evil.example');
const own = signingKey('example.com');
// The attacker's key is in DNS; the allowed domain's is too, but the attacker does not hold it.
const zone = zoneOf(evil.zone, own.zone);
type Signer = (raw: Buffer) => Promise<Buffer>;
const byEvil: Signer = (raw) => signMail(raw, evil);
/** A signature claiming the allowed domain, made with the attacker's key. */
const forgedAligned: Signer = (raw) => signMail(raw, { ...evil, domain: 'example.com' });

describe('a From that is allowed but not authenticated gets no reply at all', () => {
  const forged: [string, Partial<ReceivedMail> & { sign?: Signer }][] = [
    ['SPF and DKIM fail', { verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' } }],
    ['DMARC fails though SPF passes', { verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'FAIL' } }],
    ['nothing could be checked', { verdicts: { spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' } }],
    [
      'SPF passes for another domain (envelope not aligned)',
      { source: 'bounce@mailer.evil.example', verdicts: { spf: 'PASS', dkim: 'FAIL' } },
    ],
    [
      'DKIM passes for another domain only',
      {
        source: 'bounce@mailer.evil.example',
        sign: byEvil,
        verdicts: { spf: 'FAIL', dkim: 'PASS', dmarc: 'GRAY' },
      },
    ],
    [
      'a forged aligned signature beside a real one for another domain',
      {
        source: 'bounce@mailer.evil.example',
        sign: async (raw) => forgedAligned(await byEvil(raw)),
        verdicts: { spf: 'FAIL', dkim: 'PASS', dmarc: 'GRAY' },
      },
    ],
    [
      'a forged aligned signature alone',
      {
        source: 'bounce@mailer.evil.example',
        sign: forgedAligned,
        verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'GRAY' },
      },
    ],
    [
      'SES found a virus',
      { verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', virus: 'FAIL' } },
    ],
    ['SES found spam', { verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'FAIL' } }],
  ];

  it.each(forged)('%s: dropped, no fax, no email', async (_name, received) => {
    tally.inputs += 1;
    const raw = await withPdf();
    const deps = memoryDeps();
    deps.resolver = zoneResolver(zone);
    const { outcome } = await runInbound(received.sign ? await received.sign(raw) : raw, {
      source: received.source,
      verdicts: received.verdicts,
      deps,
    });
    expect(outcome).toMatchObject({ kind: 'dropped' });
    expect(deps.mailer.sent).toEqual([]);
    expect(deps.fax.requests).toEqual([]);
  });

  it.each([
    ['two From addresses', `${SENDER}, victim@example.org`],
    ['a display name that is an allowed address', `"${SENDER}" <mallory@evil.example>`],
    ['a Cyrillic look-alike of an allowed address', 'аlice@example.com'],
  ])('%s: no reply to anyone', async (_name, from) => {
    tally.inputs += 1;
    const { deps } = await runInbound(await withPdf({ from }), {
      source: 'mallory@evil.example',
      verdicts: { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' },
    });
    expect(deps.mailer.sent).toEqual([]);
    expect(deps.fax.requests).toEqual([]);
  });

  it('a look-alike address that does pass SPF for its own domain is dropped, not answered', async () => {
    tally.inputs += 1;
    const { outcome, deps } = await runInbound(await withPdf({ from: 'аlice@example.com' }), {
      source: 'аlice@example.com',
    });
    expect(outcome).toMatchObject({ kind: 'dropped', reason: 'unparsable_from' });
    expect(deps.mailer.sent).toEqual([]);
  });
});

describe('notices go to the authenticated sender and no one else', () => {
  it('Reply-To, Cc, Sender, Return-Path and read-receipt headers naming others are ignored', async () => {
    tally.inputs += 1;
    const raw = await composeMail({
      replyTo: 'victim@example.org',
      cc: 'victim2@example.org',
      sender: 'victim3@example.org',
      headers: {
        'Return-Path': '<victim4@example.org>',
        'Disposition-Notification-To': 'victim5@example.org',
        'Errors-To': 'victim6@example.org',
        'Return-Receipt-To': 'victim7@example.org',
      },
      text: 'no attachment',
    });
    const { outcome, deps } = await runInbound(raw);
    expect(outcome).toMatchObject({ kind: 'refused', noticeSent: true });
    expect(deps.mailer.sent.map((n) => n.to)).toEqual([SENDER]);
  });

  it('an authenticated sender who is not allowed hears only at their own address', async () => {
    tally.inputs += 1;
    const raw = await withPdf({ from: 'Mallory <mallory@evil.example>', replyTo: SENDER });
    const { outcome, deps } = await runInbound(raw, { source: 'mallory@evil.example' });
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'sender_not_allowed' } });
    expect(deps.mailer.sent.map((n) => n.to)).toEqual(['mallory@evil.example']);
    expect(deps.fax.requests).toEqual([]);
  });
});

describe('no recipient list makes the bridge email a third party', () => {
  it('mailboxes, look-alike fax domains and address tricks among the recipients', async () => {
    tally.inputs += 1;
    const recipients = [
      'victim@example.org',
      '+13125551299@fax.example.com.evil.example',
      '+13125551299@evil-fax.example.com',
      '"victim@example.org"@fax.example.com',
      'victim%example.org@fax.example.com',
      '+13125551234%victim@example.org',
      '@fax.example.com:victim@example.org',
      'victim@example.org@fax.example.com',
      faxAddress('+13125551234'),
    ];
    const { outcome, deps } = await runInbound(await withPdf({ to: recipients }), { recipients });
    expect(deps.fax.requests.map((r) => r.to)).toEqual(['+13125551234']);
    expect(outcome).toMatchObject({ kind: 'faxed', noticeSent: true });
    expect(deps.mailer.sent.map((n) => n.to)).toEqual([SENDER]);
  });

  it('an email to mailboxes only is not ours: dropped, nothing sent', async () => {
    tally.inputs += 1;
    const recipients = ['victim@example.org', 'postmaster@example.com'];
    const { outcome, deps } = await runInbound(await withPdf({ to: recipients }), { recipients });
    expect(outcome).toEqual({ kind: 'dropped', reason: 'no_fax_recipient' });
    expect(deps.mailer.sent).toEqual([]);
  });
});
