import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SESEvent } from 'aws-lambda';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FrontDoorOptions,
  type SmtpFrontDoor,
  startSmtpFrontDoor,
} from '../../../local/smtp-front-door';
import { realEmailsDir, sharedName } from '../../support/paths';

const sesFixture = path.join(realEmailsDir, 'ses-events', 'aws-lambda-go-ses-lambda-event.json');

interface Harness {
  stored: Map<string, Buffer>;
  events: SESEvent[];
  send(mail: SendMailOptions): Promise<{ response: string; rejected: unknown[] }>;
}

let door: SmtpFrontDoor | undefined;

afterEach(async () => {
  await door?.stop();
  door = undefined;
});

async function startDoor(overrides: Partial<FrontDoorOptions> = {}): Promise<Harness> {
  const stored = new Map<string, Buffer>();
  const events: SESEvent[] = [];
  door = await startSmtpFrontDoor({
    port: 0,
    domains: ['fax.localhost'],
    storeRawMail: async (id, raw) => {
      stored.set(id, raw);
    },
    deliver: async (event) => {
      events.push(event);
    },
    ...overrides,
  });
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: door.port,
    secure: false,
    ignoreTLS: true,
  });
  return {
    stored,
    events,
    send: async (mail) => {
      try {
        return await transport.sendMail(mail);
      } finally {
        transport.close();
      }
    },
  };
}

const smtpAnswer = (error: unknown) =>
  (error as { response?: string; rejectedErrors?: { response: string }[] }).rejectedErrors?.[0]
    ?.response ?? (error as { response?: string }).response;

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return smtpAnswer(error) ?? '';
  }
  throw new Error('the server accepted the message');
}

describe('the SMTP front door', () => {
  it('refuses recipients outside the fax domains with 550 and says which domain it takes', async () => {
    const door = await startDoor();
    const answer = await refusal(
      door.send({ from: 'you@example.com', to: 'bob@example.org', subject: 'x', text: 'y' }),
    );
    expect(answer).toMatch(/^550 /);
    expect(answer).toContain('fax.localhost');
    expect(door.events).toEqual([]);
    expect(door.stored.size).toBe(0);
  });

  it('takes the accepted recipients from RCPT TO, Bcc included, and leaves out refused ones', async () => {
    const door = await startDoor();
    const info = await door.send({
      from: 'Alice <alice@example.com>',
      to: '+13125551234@FAX.localhost',
      bcc: ['+13125550002@fax.localhost', 'carol@example.org'],
      subject: 'x',
      text: 'y',
    });
    expect(info.rejected).toEqual(['carol@example.org']);
    const { mail, receipt } = door.events[0]?.Records[0]?.ses ?? {};
    expect(receipt?.recipients?.map((r) => r.toLowerCase())).toEqual([
      '+13125551234@fax.localhost',
      '+13125550002@fax.localhost',
    ]);
    expect(mail?.destination).toEqual(receipt?.recipients);
  });

  it('stores the raw message under its id and hands the handler an SES Lambda-action event', async () => {
    const door = await startDoor();
    const info = await door.send({
      envelope: { from: 'bounces@example.com', to: ['+13125551234@fax.localhost'] },
      from: '"Doe, Jane" <jane@example.com>',
      to: '+13125551234@fax.localhost',
      cc: 'boss@example.com',
      subject: 'Rechnung für März',
      messageId: '<abc-123@example.com>',
      text: 'Please fax this.',
      attachments: [{ filename: 'a.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') }],
    });
    const record = door.events[0]?.Records[0];
    const { mail, receipt } = record?.ses ?? {};
    const id = mail?.messageId as string;

    expect(info.response).toBe(`250 Ok: queued as ${id}`);
    expect(id).toMatch(/^[a-z0-9]{40}$/);
    const raw = door.stored.get(id)?.toString('utf8') ?? '';
    expect(raw).toMatch(/^Return-Path: <bounces@example.com>\r\nReceived: from /);
    expect(raw).toContain('Please fax this.');

    expect(record).toMatchObject({ eventSource: 'aws:ses', eventVersion: '1.0' });
    expect(mail).toMatchObject({
      source: 'bounces@example.com',
      destination: ['+13125551234@fax.localhost'],
      headersTruncated: false,
      commonHeaders: {
        returnPath: 'bounces@example.com',
        from: ['"Doe, Jane" <jane@example.com>'],
        to: ['+13125551234@fax.localhost'],
        cc: ['boss@example.com'],
        messageId: '<abc-123@example.com>',
        subject: 'Rechnung für März',
      },
    });
    const names = mail?.headers.map((h) => h.name);
    expect(names?.slice(0, 2)).toEqual(['Return-Path', 'Received']);
    expect(names).toEqual(
      expect.arrayContaining(['From', 'To', 'Subject', 'Message-ID', 'Content-Type']),
    );
    expect(mail?.headers.find((h) => h.name === 'Content-Type')?.value).not.toMatch(/\n/);
    expect(receipt).toMatchObject({
      recipients: ['+13125551234@fax.localhost'],
      spfVerdict: { status: 'GRAY' },
      dkimVerdict: { status: 'GRAY' },
      dmarcVerdict: { status: 'GRAY' },
      action: { type: 'Lambda', invocationType: 'Event' },
    });
  });

  it.runIf(existsSync(sesFixture))(
    sharedName('produces the same fields as a real SES event'),
    async () => {
      const door = await startDoor();
      await door.send({
        from: 'a@example.com',
        to: '+13125551234@fax.localhost',
        subject: 's',
        text: 't',
      });
      const real = JSON.parse(readFileSync(sesFixture, 'utf8')) as SESEvent;
      const ours = door.events[0] as SESEvent;
      const keys = (value: object | undefined) => Object.keys(value ?? {}).sort();
      const realSes = real.Records[0]?.ses;
      const ourSes = ours.Records[0]?.ses;
      expect(keys(ours.Records[0])).toEqual(keys(real.Records[0]));
      expect(keys(ourSes?.mail)).toEqual(keys(realSes?.mail));
      expect(keys(ourSes?.mail.commonHeaders)).toEqual(keys(realSes?.mail.commonHeaders));
      const { dmarcPolicy: _policy, ...realReceipt } = realSes?.receipt ?? {};
      expect(keys(ourSes?.receipt)).toEqual(keys(realReceipt));
    },
  );

  it('answers 250 only once the handler has finished', async () => {
    let finished = false;
    const door = await startDoor({
      deliver: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        finished = true;
      },
    });
    await door.send({ from: 'a@example.com', to: '+13125551234@fax.localhost', text: 't' });
    expect(finished).toBe(true);
  });

  it('answers 451 when the handler fails, naming the stored message', async () => {
    const door = await startDoor({
      deliver: async () => {
        throw new Error('ledger unreachable');
      },
    });
    const answer = await refusal(
      door.send({ from: 'a@example.com', to: '+13125551234@fax.localhost', text: 't' }),
    );
    expect(answer).toMatch(/^451 .*Stored as [a-z0-9]{40}.*ledger unreachable/);
    expect(door.stored.size).toBe(1);
  });

  it('refuses a message over the size limit with 552', async () => {
    const door = await startDoor({ maxBytes: 2048 });
    const answer = await refusal(
      door.send({
        from: 'a@example.com',
        to: '+13125551234@fax.localhost',
        text: 'x'.repeat(5000),
      }),
    );
    expect(answer).toMatch(/^552 /);
    expect(door.events).toEqual([]);
  });
});
