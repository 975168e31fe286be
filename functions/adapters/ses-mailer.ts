import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Mailer, OutgoingEmail } from '../core/shared/ports';

/** The MIME message of an email: text and HTML alternatives, threading headers, attachments. */
export function composeRawEmail(email: OutgoingEmail): Promise<Buffer> {
  return new MailComposer({
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    replyTo: email.replyTo,
    inReplyTo: email.inReplyTo,
    references: email.inReplyTo,
    // RFC 3834: an out-of-office or another bridge must not answer the notice, or they loop.
    headers: { 'Auto-Submitted': email.autoSubmitted ?? 'auto-replied' },
    attachments: email.attachments?.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: Buffer.from(attachment.content),
    })),
  })
    .compile()
    .build();
}

/** Sends through SES; the envelope names only `to`, whatever the headers say. */
export class SesMailer implements Mailer {
  private readonly client: SESClient;

  // Bounded well under the notice claim's lease, so a hung send cannot outlive its claim.
  constructor({
    client = new SESClient({
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
    }),
  }: { client?: SESClient } = {}) {
    this.client = client;
  }

  async send(email: OutgoingEmail): Promise<void> {
    await this.client.send(
      new SendRawEmailCommand({
        Destinations: [email.to],
        RawMessage: { Data: await composeRawEmail(email) },
      }),
    );
  }
}
