import { SESClient, type SendRawEmailCommandInput } from '@aws-sdk/client-ses';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { SesMailer } from '../../../functions/adapters/ses-mailer';
import type { OutgoingEmail } from '../../../functions/core/shared/ports';
import { localClientConfig, useStandIns } from '../../support/stand-ins';

const PDF = new TextEncoder().encode('%PDF-1.7\n%%EOF\n');

const notice: OutgoingEmail = {
  from: 'fax@fax.example.com',
  to: 'alice@example.com',
  subject: 'Fax delivered: Lease, signed',
  text: 'Your fax to +1 312 555 0100 was delivered (3 pages).',
  html: '<p>Your fax to +1 312 555 0100 was delivered (3 pages).</p>',
  inReplyTo: '<CAF=abc123@mail.example.com>',
  attachments: [{ filename: 'fax.pdf', contentType: 'application/pdf', content: PDF }],
};

describe('SesMailer', () => {
  const standIns = useStandIns();

  /** A mailer whose client also keeps what it sent, since the stand-in drops raw headers. */
  function mailer() {
    const sent: SendRawEmailCommandInput[] = [];
    const client = new SESClient(localClientConfig(standIns().endpoints.ses));
    client.middlewareStack.add(
      (next) => (args) => {
        sent.push(args.input as SendRawEmailCommandInput);
        return next(args);
      },
      { step: 'initialize' },
    );
    return { mailer: new SesMailer({ client }), sent };
  }

  it('delivers the notice with its subject, recipient, both bodies and the attachment', async () => {
    await standIns().clearEmails();
    await mailer().mailer.send(notice);

    const [email] = await standIns().sentEmails();
    expect(email).toMatchObject({
      from: 'fax@fax.example.com',
      destination: { to: ['alice@example.com'] },
      subject: 'Fax delivered: Lease, signed',
    });
    expect(email?.body.text?.trim()).toBe(notice.text);
    expect(email?.body.html).toContain('<p>Your fax to +1 312 555 0100 was delivered');
    expect(email?.attachments).toHaveLength(1);
    expect(email?.attachments[0]).toMatchObject({
      filename: 'fax.pdf',
      contentType: 'application/pdf',
    });
    expect(Buffer.from(email?.attachments[0]?.content ?? '', 'base64')).toEqual(Buffer.from(PDF));
  });

  it('threads the notice under the original email and names only the recipient in the envelope', async () => {
    const { mailer: sesMailer, sent } = mailer();
    await sesMailer.send(notice);

    expect(sent[0]?.Destinations).toEqual(['alice@example.com']);
    const parsed = await simpleParser(Buffer.from(sent[0]?.RawMessage?.Data ?? []));
    expect(parsed.inReplyTo).toBe('<CAF=abc123@mail.example.com>');
    expect(parsed.references).toBe('<CAF=abc123@mail.example.com>');
  });

  it('marks the notice as an automatic reply (RFC 3834), so that no autoresponder answers it', async () => {
    const { mailer: sesMailer, sent } = mailer();
    await sesMailer.send(notice);

    const parsed = await simpleParser(Buffer.from(sent[0]?.RawMessage?.Data ?? []));
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('shows NOTICE_FROM with its display name, encoded where it is not ASCII', async () => {
    const { mailer: sesMailer, sent } = mailer();
    await sesMailer.send({ ...notice, from: 'Praxis Müller Fax <fax@fax.example.com>' });

    const parsed = await simpleParser(Buffer.from(sent[0]?.RawMessage?.Data ?? []));
    expect(parsed.from?.value).toEqual([
      { name: 'Praxis Müller Fax', address: 'fax@fax.example.com' },
    ]);
    expect(Buffer.from(sent[0]?.RawMessage?.Data ?? []).toString()).toMatch(
      /^From: =\?UTF-8\?Q\?Praxis_M=C3=BCller_Fax\?= <fax@fax\.example\.com>\r$/m,
    );
  });

  it('leaves out threading headers when there is no original Message-ID', async () => {
    const { mailer: sesMailer, sent } = mailer();
    await sesMailer.send({ ...notice, inReplyTo: undefined, attachments: undefined });

    const parsed = await simpleParser(Buffer.from(sent[0]?.RawMessage?.Data ?? []));
    expect(parsed.inReplyTo).toBeUndefined();
    expect(parsed.references).toBeUndefined();
    expect(parsed.attachments).toEqual([]);
    expect(parsed.subject).toBe(notice.subject);
  });

  it('rejects when SES refuses the message', async () => {
    const client = new SESClient({
      ...localClientConfig(standIns().endpoints.ses),
      endpoint: `${standIns().endpoints.ses}/no-such-path`,
    });
    await expect(new SesMailer({ client }).send(notice)).rejects.toThrow();
  });
});
