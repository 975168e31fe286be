import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../../fixtures/documents';
import { processInbound } from '../../../../functions/core/inbound/process-inbound';
import { zoneResolver } from '../../../../local/dns-zone';
import { signingKey, signMail, signWithTags, zoneOf } from '../../../support/dkim-mail';
import { FaultPlan } from '../../../support/faulty';
import {
  composeMail,
  faxAddress,
  inboundSettings,
  memoryDeps,
  NOTICE_FROM,
  type ReceivedOptions,
  receivedMail,
  runInbound,
  SENDER,
} from '../../../support/inbound-harness';
import { MemoryMailStore } from '../../../support/memory-ports';

/** A bucket whose object arrives in small pieces, or breaks off after `failAfter` bytes. */
class TricklingMailStore extends MemoryMailStore {
  constructor(
    private readonly raw: Buffer,
    private readonly failAfter?: number,
  ) {
    super();
  }

  override async openRawMail(): Promise<Readable> {
    const { raw, failAfter } = this;
    let at = 0;
    return new Readable({
      read() {
        if (failAfter !== undefined && at >= failAfter) {
          this.destroy(new Error('socket hang up'));
        } else if (at >= raw.length) {
          this.push(null);
        } else {
          this.push(raw.subarray(at, at + 777));
          at += 777;
        }
      },
    });
  }
}

describe('processInbound reading the stored message', () => {
  it('faxes a message that arrives from the bucket in pieces as it would a whole one', async () => {
    const raw = await composeMail({
      attachments: [{ filename: 'referral.pdf', content: await makePdf(3, { padding: 20_000 }) }],
    });
    const whole = await runInbound(raw);
    const deps = memoryDeps();
    deps.mail = new TricklingMailStore(raw);
    const streamed = await processInbound(receivedMail('msg-trickle'), inboundSettings(), deps);
    expect(streamed).toMatchObject({ kind: 'faxed', pages: 3 });
    expect(streamed).toEqual(whole.outcome);
    // One email, so one document under one name, whichever delivery stored it.
    expect(deps.media.documents.size).toBe(1);
    expect([...deps.media.documents]).toEqual([...whole.deps.media.documents]);
  });

  it('fails, for Lambda to try again, when the bucket breaks off mid-message', async () => {
    const raw = await composeMail({
      attachments: [{ filename: 'referral.pdf', content: await makePdf(3, { padding: 20_000 }) }],
    });
    const deps = memoryDeps();
    deps.mail = new TricklingMailStore(raw, 5000);
    await expect(
      processInbound(receivedMail('msg-broken'), inboundSettings(), deps),
    ).rejects.toThrow('socket hang up');
    expect(deps.fax.requests).toEqual([]);
    expect(deps.mailer.sent).toEqual([]);
  });
});

describe('processInbound on an email its server sends again (new SES id, same From and Message-ID)', () => {
  const recipients = [faxAddress('+13125551234'), faxAddress('911')];

  it('faxes once, stores one document and sends one notice', async () => {
    const raw = await composeMail({
      to: recipients,
      attachments: [{ filename: 'referral.pdf', content: await makePdf(1) }],
    });
    const deps = memoryDeps();
    const first = await runInbound(raw, { recipients, deps });
    const again = await runInbound(raw, { recipients, deps });
    expect(again.received.messageId).not.toBe(first.received.messageId);
    expect(deps.fax.requests).toHaveLength(1);
    expect(deps.media.documents.size).toBe(1);
    expect(deps.mailer.sent).toHaveLength(1);
    expect(first.outcome).toMatchObject({ kind: 'faxed', noticeSent: true });
    expect(again.outcome).toMatchObject({ kind: 'faxed', noticeSent: false });
  });

  it('sends its refusal notice once', async () => {
    const raw = await composeMail({ text: 'the referral is attached' });
    const deps = memoryDeps();
    await runInbound(raw, { deps });
    const again = await runInbound(raw, { deps });
    expect(again.outcome).toMatchObject({ kind: 'refused', refusal: { code: 'no_document' } });
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('stores one document when the first delivery failed before claiming its fax', async () => {
    const raw = await composeMail({
      attachments: [{ filename: 'referral.pdf', content: await makePdf(1) }],
    });
    const deps = memoryDeps();
    const plan = new FaultPlan({ call: 'ledger.claimFax', when: 'before', mode: 'fail' });
    const failing = { ...deps, ledger: plan.wrap('ledger', deps.ledger) };
    await expect(runInbound(raw, { deps: failing })).rejects.toThrow('injected failure');
    await runInbound(raw, { deps });
    expect(deps.fax.requests).toHaveLength(1);
    expect(deps.media.documents.size).toBe(1);
  });
});

// Sender trust: every finding of the review (issue 11) that a message, as SES hands it over, can
// make the bridge fax what the sender never asked for, or answer where it must not.
const alice = signingKey('example.com');
const clinic = signingKey('clinic.example');
const attacker = signingKey('attacker.example');
const ZONE = zoneOf(alice.zone, clinic.zone, attacker.zone);

/** Delivered by a server that is not the sender's: SPF passes, but for the relay's domain. */
const RELAYED: ReceivedOptions = {
  source: 'bounce@relay.attacker.example',
  verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' },
};

const trusting = () => {
  const deps = memoryDeps();
  deps.resolver = zoneResolver(ZONE);
  return deps;
};

const withPdf = async (options: Parameters<typeof composeMail>[0] = {}) =>
  composeMail({
    attachments: [{ filename: 'referral.pdf', content: await makePdf(1) }],
    ...options,
  });

/** A bucket that counts how often each message is opened: once means it was never parsed. */
class CountingMailStore extends MemoryMailStore {
  opens = 0;
  override async openRawMail(messageId: string) {
    this.opens += 1;
    return super.openRawMail(messageId);
  }
}

const nothingSent = (deps: ReturnType<typeof memoryDeps>) => {
  expect(deps.fax.requests).toEqual([]);
  expect(deps.mailer.sent).toEqual([]);
};

describe('processInbound on a signed email replayed with another envelope', () => {
  it('drops a signed email with a line DKIM folds and the MIME parser reads as a field', async () => {
    const signed = await signMail(await withPdf(), alice);
    const raw = Buffer.concat([Buffer.from('X-Note: a\r\n\vContent-Type: text/plain\r\n'), signed]);
    const deps = trusting();
    const { outcome } = await runInbound(raw, { ...RELAYED, deps });
    expect(outcome).toEqual({ kind: 'dropped', reason: 'ambiguous_line_breaks' });
    nothingSent(deps);
  });

  it('refuses relayed mail whose signature leaves out the Message-ID, so no copy is faxed again', async () => {
    const headerList = ['from', 'to', 'subject', 'date', 'content-type', 'mime-version'];
    const raw = await signMail(await withPdf(), alice, { headerList });
    const deps = trusting();
    const first = await runInbound(raw, { ...RELAYED, deps });
    expect(first.outcome).toMatchObject({
      kind: 'refused',
      refusal: { code: 'message_id_unsigned' },
    });
    expect(deps.fax.requests).toEqual([]);
    expect(deps.mailer.sent[0]?.text).toContain('does not cover its Message-ID');
  });

  it('refuses numbers the signed To and Cc do not name: nothing faxed, one notice', async () => {
    const raw = await signMail(await withPdf(), alice);
    const deps = trusting();
    const recipients = [faxAddress('+13125559999'), faxAddress('+13125558888')];
    const { outcome } = await runInbound(raw, { ...RELAYED, recipients, deps });
    expect(outcome).toEqual({
      kind: 'refused',
      refusal: { code: 'recipients_not_signed' },
      noticeSent: true,
    });
    expect(deps.fax.requests).toEqual([]);
    expect(deps.mailer.sent.map((n) => n.to)).toEqual([SENDER]);
    expect(deps.mailer.sent[0]?.text).toContain(
      'Put the fax address in the To or Cc line (not Bcc)',
    );
  });

  it('faxes the numbers the signed To names, though SPF does not vouch', async () => {
    const raw = await signMail(await withPdf(), alice);
    const deps = trusting();
    const { outcome } = await runInbound(raw, { ...RELAYED, deps });
    expect(outcome).toMatchObject({
      kind: 'faxed',
      results: [{ kind: 'queued', e164: '+13125551234' }],
    });
    expect(deps.fax.requests.map((r) => r.to)).toEqual(['+13125551234']);
  });

  it("keeps Bcc for mail from the sender's own servers", async () => {
    const deps = trusting();
    const raw = await withPdf({ to: 'bob@example.org' });
    const { outcome } = await runInbound(raw, { recipients: [faxAddress('+13125559999')], deps });
    expect(outcome).toMatchObject({ kind: 'faxed' });
    expect(deps.fax.requests.map((r) => r.to)).toEqual(['+13125559999']);
  });

  it.each([
    ['Message-ID', 'Message-ID: <fresh-1@attacker.example>\r\n'],
    ['Subject', 'Subject: URGENT: call +1 900 555 0100\r\n'],
  ])('drops it with a %s prepended above the signed one: no fax, no notice', async (_name, top) => {
    const signed = await signMail(await withPdf(), alice);
    const deps = trusting();
    const { outcome } = await runInbound(Buffer.concat([Buffer.from(top), signed]), {
      ...RELAYED,
      deps,
    });
    expect(outcome).toMatchObject({ kind: 'dropped', reason: 'repeated_field' });
    nothingSent(deps);
  });
});

describe('processInbound on signatures that must not count for the From domain', () => {
  const fromClinic = () => withPdf({ from: 'Doctor <doctor@clinic.example>' });
  // No DMARC record for clinic.example: SES's DMARC verdict cannot save the day.
  const noDmarc: ReceivedOptions = {
    ...RELAYED,
    verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'GRAY' },
  };
  const SIGNED = ['from', 'to', 'subject', 'date', 'message-id'];

  it.each([
    ['D=clinic.example; d=attacker.example'],
    ['d=clinic.example; d=attacker.example'],
    ['d=attacker.example; D=clinic.example'],
  ])('"%s", valid for the attacker’s key: dropped', async (tags) => {
    const raw = signWithTags(await fromClinic(), attacker, tags, SIGNED);
    const deps = trusting();
    const { outcome } = await runInbound(raw, { ...noDmarc, deps });
    expect(outcome).toEqual({ kind: 'dropped', reason: 'not_authenticated' });
    nothingSent(deps);
  });

  it.each([
    ['evil.me.uk', 'smith.me.uk'],
    ['evil.id.au', 'smith.id.au'],
    ['evil.uk.com', 'smith.uk.com'],
    ['evil.eu.org', 'smith.eu.org'],
    ['evil-surgery.nhs.uk', 'smith-surgery.nhs.uk'],
  ])('a valid signature of %s for mail From doctor@%s: dropped', async (evil, victim) => {
    const key = signingKey(evil);
    const raw = await signMail(await withPdf({ from: `doctor@${victim}` }), key);
    const deps = memoryDeps();
    deps.resolver = zoneResolver(key.zone);
    const { outcome } = await runInbound(raw, {
      ...noDmarc,
      settings: { allowedSenders: [`@${victim}`] },
      deps,
    });
    expect(outcome).toEqual({ kind: 'dropped', reason: 'not_authenticated' });
    nothingSent(deps);
  });

  it('an l= signature with a PDF appended after it: does not vouch, nothing faxed', async () => {
    const raw = await composeMail({
      from: 'Doctor <doctor@clinic.example>',
      text: 'Notes from today.',
      attachments: [{ filename: 'notes.txt', content: 'nothing to fax' }],
    });
    const text = raw.toString('latin1');
    const boundary = /boundary="?([^";\r\n]+)/.exec(text)?.[1] ?? '';
    const bodyStart = raw.indexOf('\r\n\r\n') + 4;
    const closing = text.lastIndexOf(`--${boundary}--`);
    // The signer covered the body up to its closing boundary: what follows is anyone's.
    const signed = await signMail(raw, clinic, { maxBodyLength: closing - bodyStart });
    const pdf = Buffer.from(await makePdf(1)).toString('base64');
    const appended = Buffer.concat([
      signed.subarray(0, signed.length - (raw.length - closing)),
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/pdf; name="x.pdf"\r\nContent-Disposition: attachment; filename="x.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${pdf}\r\n--${boundary}--\r\n`,
      ),
    ]);
    const deps = trusting();
    const { outcome } = await runInbound(appended, { ...RELAYED, deps });
    expect(outcome).toEqual({ kind: 'dropped', reason: 'not_authenticated' });
    nothingSent(deps);
  });

  it("judges a stranger's mail before parsing it: the message is opened once", async () => {
    const mail = new CountingMailStore();
    const deps = { ...trusting(), mail };
    const { outcome } = await runInbound(await withPdf(), { ...RELAYED, deps });
    expect(outcome).toEqual({ kind: 'dropped', reason: 'not_authenticated' });
    expect(mail.opens).toBe(1);
  });

  it('judges an unparseable message the same way: a stranger is dropped unread', async () => {
    // 1,200 MIME parts, more than mailparser reads.
    const parts = Array.from({ length: 1200 }, (_, i) => ({ filename: `p${i}.txt`, content: 'x' }));
    const raw = await composeMail({ attachments: parts });
    const mail = new CountingMailStore();
    const stranger = await runInbound(raw, { ...RELAYED, deps: { ...trusting(), mail } });
    expect(stranger.outcome).toEqual({ kind: 'dropped', reason: 'not_authenticated' });
    expect(mail.opens).toBe(1);
    const own = await runInbound(raw, { deps: trusting() });
    expect(own.outcome).toMatchObject({
      kind: 'refused',
      refusal: { code: 'too_many_attachments' },
      noticeSent: true,
    });
  });
});

describe('processInbound on mail a machine sent (RFC 3834)', () => {
  it.each<[string, Parameters<typeof composeMail>[0], ReceivedOptions]>([
    ['an out-of-office reply with a logo', { headers: { 'Auto-Submitted': 'auto-replied' } }, {}],
    ['bulk mail', { headers: { Precedence: 'bulk' } }, {}],
    ['a mailing list', { headers: { 'List-Id': 'Staff <staff.example.com>' } }, {}],
    ['a bounce', {}, { source: '' }],
    ['a reply to a notice', { to: NOTICE_FROM }, { recipients: [NOTICE_FROM] }],
    [
      'a reply to a notice, with a number beside it',
      {},
      { recipients: [NOTICE_FROM, faxAddress('+13125551234')] },
    ],
  ])('%s: no notice, no fax', async (_name, mail, received) => {
    const deps = trusting();
    const { outcome } = await runInbound(await withPdf(mail), { ...received, deps });
    expect(outcome).toMatchObject({ kind: 'dropped' });
    nothingSent(deps);
  });
});

describe('processInbound on the age of an email', () => {
  it.each([
    ['written four days ago', '2026-11-23T10:00:00Z', 'email_too_old'],
    ['dated tomorrow', '2026-11-28T10:00:00Z', 'email_from_future'],
  ])('%s: refused, with a notice', async (_name, date, code) => {
    const deps = trusting();
    const { outcome } = await runInbound(await withPdf({ date: new Date(date) }), { deps });
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code }, noticeSent: true });
    expect(deps.fax.requests).toEqual([]);
  });

  it('a signed email of four days ago, replayed with a fresh unsigned Date on top: dropped', async () => {
    const old = await signMail(await withPdf({ date: new Date('2026-11-23T10:00:00Z') }), alice, {
      signTime: new Date('2026-11-23T10:00:00Z'),
    });
    const deps = trusting();
    const fresh = Buffer.concat([Buffer.from('Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n'), old]);
    const { outcome } = await runInbound(fresh, { ...RELAYED, deps });
    expect(outcome).toMatchObject({ kind: 'dropped', reason: 'repeated_field', field: 'date' });
    nothingSent(deps);
  });
});

describe('processInbound on the same email delivered again to other numbers', () => {
  it('faxes the first numbers and refuses the others, with a notice', async () => {
    const raw = await withPdf({ to: 'bob@example.org' });
    const deps = trusting();
    const first = await runInbound(raw, { recipients: [faxAddress('+13125551234')], deps });
    expect(first.outcome).toMatchObject({ kind: 'faxed' });
    const again = await runInbound(raw, { recipients: [faxAddress('+13125559999')], deps });
    expect(again.outcome).toEqual({
      kind: 'refused',
      refusal: { code: 'recipients_changed' },
      noticeSent: true,
    });
    expect(deps.fax.requests.map((r) => r.to)).toEqual(['+13125551234']);
    const redelivered = await runInbound(raw, { recipients: [faxAddress('+13125551234')], deps });
    expect(redelivered.outcome).toMatchObject({ kind: 'faxed' });
    expect(deps.fax.requests).toHaveLength(1);
  });
});

describe('processInbound when the DKIM key cannot be looked up now', () => {
  it('fails, for Lambda to try again, and sends nothing', async () => {
    const raw = await signMail(await withPdf(), alice);
    const deps = memoryDeps();
    deps.resolver = async () => {
      throw Object.assign(new Error('queryTxt ETIMEOUT'), { code: 'ETIMEOUT' });
    };
    await expect(runInbound(raw, { ...RELAYED, deps })).rejects.toThrow('DKIM keys');
    nothingSent(deps);
    // The retry, with DNS back, faxes it.
    deps.resolver = zoneResolver(ZONE);
    expect((await runInbound(raw, { ...RELAYED, deps })).outcome).toMatchObject({ kind: 'faxed' });
  });
});
