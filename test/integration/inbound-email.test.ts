import { existsSync, readFileSync } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import MailComposer from 'nodemailer/lib/mail-composer';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localObservability } from '../../functions/adapters/observability';
import { loadInboundSettings } from '../../functions/config/inbound-settings';
import { verifyClientState } from '../../functions/core/shared/client-state';
import { wireInbound } from '../../functions/inbound-email/wiring';
import { zoneResolver } from '../../local/dns-zone';
import { localS3Client } from '../../local/stand-ins';
import { checkSendFaxRequest } from '../../local/telnyx-request-schema';
import { type DispatchFunction, dispatchFor } from '../support/dispatch-function';
import { type SigningKey, signingKey, signMail, zoneOf } from '../support/dkim-mail';
import { startFakeTelnyx } from '../support/fake-telnyx';
import { sharedName, sharedPath } from '../support/paths';
import { sesEvent } from '../support/ses-event';
import { TEST_BUCKET, TEST_QUEUE, useStandIns } from '../support/stand-ins';
import { CLIENT_STATE_SECRET } from '../support/telnyx-events';

const openapiPath = sharedPath('telnyx', 'fax-openapi.json');

const PUBLIC_KEY = Buffer.alloc(32, 9).toString('base64');
/** example.com's DKIM key, published in the zone the function looks keys up in. */
const aliceKey = signingKey('example.com');
const standIns = useStandIns();
const dispatcher = dispatchFor();
let dispatch: DispatchFunction;
let telnyx: Awaited<ReturnType<typeof startFakeTelnyx>>;
let handler: (event: SESEvent) => Promise<void>;
let s3: S3Client;

async function makePdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++)
    doc.addPage([612, 792]).drawText(`page ${i + 1}`, { x: 50, y: 700 });
  return doc.save();
}

interface MailInput {
  from?: string;
  to?: string[];
  subject?: string;
  text?: string;
  headers?: Record<string, string>;
  replyTo?: string;
  cc?: string;
  messageIdHeader?: string;
  attachments?: readonly { filename: string; content: Uint8Array | string; contentType?: string }[];
}

let composed = 0;
function compose(input: MailInput): Promise<Buffer> {
  return new MailComposer({
    from: input.from ?? 'Alice Doctor <alice@example.com>',
    to: input.to ?? ['+13125551234@fax.example.com'],
    subject: input.subject ?? 'Referral',
    text: input.text ?? '',
    replyTo: input.replyTo,
    cc: input.cc,
    messageId: input.messageIdHeader ?? `<original-${++composed}@example.com>`,
    // The function reads the wall clock, and refuses emails older than MAX_EMAIL_AGE_HOURS.
    date: new Date(),
    headers: input.headers,
    attachments: input.attachments?.map((a) => ({
      filename: a.filename,
      content: typeof a.content === 'string' ? a.content : Buffer.from(a.content),
      contentType: a.contentType,
    })),
  })
    .compile()
    .build();
}

let counter = 0;
async function deliver(
  input: MailInput,
  options: {
    recipients?: string[];
    verdicts?: Record<string, string | undefined>;
    messageId?: string;
    /** The envelope sender, when not the From address (a relay, a replay). */
    source?: string;
    sign?: SigningKey;
  } = {},
) {
  const messageId = options.messageId ?? `msg-${Date.now()}-${++counter}`;
  const composed = await compose(input);
  const raw = options.sign
    ? await signMail(composed, options.sign, { signTime: new Date() })
    : composed;
  await s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `raw/${messageId}`, Body: raw }));
  const event = sesEvent({
    messageId,
    source: options.source ?? (input.from ?? 'alice@example.com').replace(/^.*<|>$/g, ''),
    recipients: options.recipients ?? input.to ?? ['+13125551234@fax.example.com'],
    verdicts: options.verdicts,
  });
  await dispatch.freeLines();
  await handler(event);
  await dispatch.idle();
  return { messageId, event };
}

const faxRequests = () => telnyx.requests.filter((r) => r.method === 'POST');
const emailsTo = async (address: string) =>
  (await standIns().sentEmails()).filter((e) => e.destination.to.includes(address));

beforeAll(async () => {
  telnyx = await startFakeTelnyx();
  s3 = localS3Client(standIns().endpoints.s3);
  const env = {
    ...standIns().env,
    DISPATCH_QUEUE_URL: standIns().queueUrl(TEST_QUEUE),
    FAX_DOMAINS: 'fax.example.com',
    ALLOWED_SENDERS: 'alice@example.com,@clinic.example',
    REQUIRE_SENDER_AUTH: 'true',
    TELNYX_API_URL: telnyx.url,
    TELNYX_API_KEY: 'KEY-test',
    CLIENT_STATE_SECRET,
    TELNYX_CONNECTION_ID: '234423',
    FAX_FROM_NUMBER: '+13125790015',
    TELNYX_PUBLIC_KEY: PUBLIC_KEY,
    WEBHOOK_URL: 'https://hooks.example.com/webhooks/telnyx',
    NOTICE_FROM: 'fax@fax.example.com',
  };
  const settings = loadInboundSettings(env);
  dispatch = await dispatcher.start(env);
  const resolver = zoneResolver(zoneOf(aliceKey.zone));
  handler = wireInbound(settings, localObservability('ERROR'), { resolver }).handle;
});

afterAll(async () => {
  await telnyx?.stop();
});

beforeEach(async () => {
  telnyx.reset();
  await standIns().clearEmails();
});

describe('inbound email → fax request', () => {
  it('sends one fax request Telnyx accepts, with a media_url that downloads the document', async () => {
    const pdf = await makePdf(2);
    await deliver({ attachments: [{ filename: 'referral.pdf', content: pdf }] });

    expect(faxRequests()).toHaveLength(1);
    const request = faxRequests()[0];
    expect(request?.url).toBe('/v2/faxes');
    expect(request?.headers.authorization).toBe('Bearer KEY-test');
    const body = request?.body as Record<string, string>;
    expect(checkSendFaxRequest(body)).toMatchObject({ ok: true });
    expect(body).toMatchObject({
      connection_id: '234423',
      from: '+13125790015',
      to: '+13125551234',
      quality: 'high',
      webhook_url: 'https://hooks.example.com/webhooks/telnyx',
    });
    // The job is named by sender and Message-ID, so a resent copy finds it (see the test below).
    expect(verifyClientState(body.client_state, CLIENT_STATE_SECRET)).toEqual({
      valid: true,
      key: { messageId: expect.stringMatching(/^mid-[\w-]{32}$/), recipient: '+13125551234' },
      attempt: 1,
    });
    expect(body.media_url?.length).toBeLessThan(2000);

    const media = await fetch(body.media_url as string, { redirect: 'manual' });
    expect(media.status).toBe(200);
    const bytes = new Uint8Array(await media.arrayBuffer());
    expect(Buffer.from(bytes).equals(Buffer.from(pdf))).toBe(true);
    expect((await PDFDocument.load(bytes)).getPageCount()).toBe(2);
    expect(await emailsTo('alice@example.com')).toHaveLength(0);
  });

  it.runIf(existsSync(openapiPath))(
    sharedName("the request validates against Telnyx's own SendFaxRequest schema"),
    async () => {
      const { default: Ajv } = await import('ajv/dist/2020');
      const spec = JSON.parse(readFileSync(openapiPath, 'utf8'));
      const ajv = new Ajv({ strict: false });
      ajv.addSchema(spec, 'spec.json');
      const validate = ajv.getSchema('spec.json#/components/schemas/SendFaxRequest');
      await deliver({ attachments: [{ filename: 'a.pdf', content: await makePdf(1) }] });
      expect(validate?.(faxRequests()[0]?.body)).toBe(true);
    },
  );

  it('sends nothing new when SES delivers the same event twice', async () => {
    const { event } = await deliver({
      to: ['+13125551234@fax.example.com', '+13125551299@fax.example.com'],
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    });
    await handler(event);
    await dispatch.idle();
    expect(faxRequests().map((r) => (r.body as { to: string }).to)).toEqual([
      '+13125551234',
      '+13125551299',
    ]);
  });

  it('faxes an email once when its server sends it again (new SES id, same Message-ID)', async () => {
    const email = {
      messageIdHeader: '<resent-1@example.com>',
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    };
    await deliver(email);
    await deliver(email);
    expect(faxRequests()).toHaveLength(1);
    expect(await standIns().sentEmails()).toHaveLength(0);
  });

  it('adds a cover page when the body has text of its own, unless [no cover]', async () => {
    const pdf = await makePdf(2);
    await deliver({
      subject: 'Referral for J. Smith',
      text: 'Please find the referral attached.\n\nThanks,\nAlice\n\nSent from my iPhone',
      attachments: [{ filename: 'a.pdf', content: pdf }],
    });
    await deliver({
      subject: 'Referral [no cover] [fine]',
      text: 'Please find the referral attached.',
      attachments: [{ filename: 'a.pdf', content: pdf }],
    });
    const [withCover, withoutCover] = faxRequests().map((r) => r.body as Record<string, string>);
    const pages = async (url: string | undefined) =>
      (await PDFDocument.load(await (await fetch(url as string)).arrayBuffer())).getPageCount();
    expect(await pages(withCover?.media_url)).toBe(3);
    expect(await pages(withoutCover?.media_url)).toBe(2);
    expect(withoutCover?.quality).toBe('very_high');
  });

  it('faxes the valid numbers and tells the sender, naming what they typed, about the others', async () => {
    await deliver({
      subject: 'Lab results',
      to: [
        '+13125551234@fax.example.com',
        '1-312-555-1234@fax.example.com',
        '911@fax.example.com',
        'not-a-number@fax.example.com',
      ],
      replyTo: 'someone-else@example.net',
      cc: 'third-party@example.org',
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    });
    expect(faxRequests()).toHaveLength(1);
    const all = await standIns().sentEmails();
    expect(all).toHaveLength(1);
    const [notice] = all;
    expect(notice?.destination).toEqual({ to: ['alice@example.com'], cc: [], bcc: [] });
    expect(notice?.from).toBe('fax@fax.example.com');
    expect(notice?.subject).toBe('Fax not sent to every number: Lab results');
    const text = notice?.body.text ?? '';
    expect(text.split('\n\n')[0]).toBe('Your fax is being sent to 1 of 3 numbers');
    expect(text).toMatch(/^\(312\) 555-1234: +being sent$/m);
    expect(text).toContain(
      '"911" is an emergency, service or short code number, which cannot receive faxes.',
    );
    expect(text).toContain('"not-a-number" is not a valid fax number.');
  });
});

describe('inbound email → refusal notice', () => {
  it.each([
    [
      'no document',
      { text: 'hello' },
      'The email had no document to fax.',
      'Attach the document as a PDF (or a JPEG, PNG, GIF or TIFF image) and send it again.',
    ],
    [
      'a Word document',
      {
        attachments: [
          {
            filename: 'letter.docx',
            content: Buffer.from('PK\u0003\u0004word/document.xml'),
            contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          },
        ],
      },
      'This fax service cannot fax "letter.docx": only PDF files and images (JPEG, PNG, GIF, TIFF) can be faxed.',
      'Open the file and print it to PDF ("Save as PDF" or "Print to PDF"), then attach the PDF and send again.',
    ],
    [
      'a truncated PDF',
      {
        attachments: [
          {
            filename: 'scan.pdf',
            content: '%PDF-1.4\n1 0 obj\n<< /Type /Catalog',
            contentType: 'application/pdf',
          },
        ],
      },
      'The file "scan.pdf" is damaged or incomplete and cannot be read.',
      'Open the file to check it, save or export it again, and send the new copy.',
    ],
  ] as const)('%s', async (_name, input, problem, fix) => {
    await deliver({ subject: 'Forms', ...input });
    expect(faxRequests()).toHaveLength(0);
    const [notice, ...rest] = await emailsTo('alice@example.com');
    expect(rest).toHaveLength(0);
    expect(notice?.subject).toBe('Fax not sent: Forms');
    const paragraphs = notice?.body.text?.split('\n\n') ?? [];
    expect(paragraphs[0]).toBe('Your fax was not sent');
    expect(paragraphs[1]).toMatch(/^Your email: +Forms\nResult: +Nothing was faxed$/);
    expect(paragraphs.slice(2, 4)).toEqual([problem, fix]);
  });

  it('refuses a whole email addressed to too many numbers', async () => {
    const to = Array.from({ length: 11 }, (_, i) => `+1312555${String(1000 + i)}@fax.example.com`);
    await deliver({ to, attachments: [{ filename: 'a.pdf', content: await makePdf(1) }] });
    expect(faxRequests()).toHaveLength(0);
    const [notice] = await emailsTo('alice@example.com');
    expect(notice?.subject).toBe('Fax not sent: Referral');
    expect(notice?.body.text?.split('\n\n').slice(2, 4)).toEqual([
      'The email was addressed to 11 fax numbers; at most 10 are allowed in one email.',
      'Split the recipients over several emails of at most 10 fax numbers each.',
    ]);
  });

  it('politely refuses an authenticated sender who is not on the list', async () => {
    await deliver({
      from: 'mallory@example.net',
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    });
    expect(faxRequests()).toHaveLength(0);
    const [notice] = await emailsTo('mallory@example.net');
    expect(notice?.subject).toBe('Fax not sent: Referral');
    expect(notice?.body.text?.split('\n\n')[2]).toBe(
      "mallory@example.net is not on this fax service's list of allowed senders.",
    );
  });

  it('never answers an allowed From that fails SPF, DKIM or DMARC (no backscatter)', async () => {
    for (const verdicts of [{ spf: 'FAIL', dkim: 'FAIL' }, { dmarc: 'FAIL' }, { virus: 'FAIL' }]) {
      await deliver(
        { attachments: [{ filename: 'a.pdf', content: await makePdf(1) }] },
        { verdicts },
      );
    }
    expect(faxRequests()).toHaveLength(0);
    expect(await standIns().sentEmails()).toHaveLength(0);
  });

  it('verifies DKIM itself: a relayed email is faxed to its signed To, a forged one dropped', async () => {
    const pdf = await makePdf(1);
    const relayed = {
      source: 'bounce@relay.example.net',
      verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'GRAY' },
    };
    const mail = { attachments: [{ filename: 'a.pdf', content: pdf }] };
    await deliver(mail, { ...relayed, sign: aliceKey });
    expect(faxRequests()).toHaveLength(1);
    await deliver(mail, { ...relayed, sign: { ...signingKey('example.com'), selector: 'sel' } });
    await deliver(mail, {
      ...relayed,
      sign: aliceKey,
      recipients: ['+13125559999@fax.example.com'],
      messageId: 'replayed-elsewhere',
    });
    expect(faxRequests()).toHaveLength(1);
    const notices = await emailsTo('alice@example.com');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.body.text).toContain('The fax address was not in the To or Cc line');
  });

  it('sends the refusal notice once when the event is delivered again', async () => {
    const { event } = await deliver({ text: 'no attachment here' });
    await handler(event);
    expect(await emailsTo('alice@example.com')).toHaveLength(1);
  });

  it("reports Telnyx's refusal of a number in plain words, in that number's result email", async () => {
    telnyx.answerNext({
      status: 422,
      body: {
        errors: [
          {
            code: '10016',
            title: 'Invalid number',
            detail: 'Phone number must be in +E.164 format',
          },
        ],
      },
    });
    await deliver({
      to: ['+13125550003@fax.example.com'],
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    });
    expect(faxRequests()).toHaveLength(1);
    const [result, ...more] = await emailsTo('alice@example.com');
    expect(more).toEqual([]);
    expect(result?.subject).toMatch(/^Fax failed: /);
    const paragraphs = (result?.body.text ?? '').split('\n\n');
    expect(paragraphs[0]).toBe(
      'Fax to (312) 555-0003 was not sent: the fax service refused the number',
    );
    expect(paragraphs).toContain(
      'The fax service refused to send it, saying "Phone number must be in +E.164 format". Nothing was faxed to this number.',
    );
  });

  it('says nothing of a fax whose request Telnyx answered 500: the sweeper finds out', async () => {
    telnyx.answerNext({
      status: 500,
      body: { errors: [{ code: '10000', title: 'Internal error' }] },
    });
    await deliver({
      to: ['+13125550005@fax.example.com'],
      attachments: [{ filename: 'a.pdf', content: await makePdf(1) }],
    });
    expect(faxRequests()).toHaveLength(1);
    expect(await emailsTo('alice@example.com')).toEqual([]);
  });
});
