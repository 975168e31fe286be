// The real webhook handler module against dynalite, s3rver and aws-ses-v2-local, fed signed
// Telnyx events the way a Function URL delivers them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyStructuredResultV2,
  LambdaFunctionURLEvent,
  LambdaFunctionURLHandler,
} from 'aws-lambda';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { localObservability } from '../../functions/adapters/observability';
import { S3Store } from '../../functions/adapters/s3-store';
import { readFaxInMessage } from '../../functions/adapters/sqs-fax-in-queue';
import { DOWNLOAD_PATH } from '../../functions/adapters/storage-layout';
import { loadWebhookSettings } from '../../functions/config/webhook-settings';
import { encodeClientState } from '../../functions/core/shared/client-state';
import { signDownloadToken } from '../../functions/core/shared/download-link';
import type { JobKey } from '../../functions/core/shared/ports';
import { wireWebhook } from '../../functions/fax-webhook/wiring';
import type { SesStoredEmail } from '../../local/stand-ins';
import { localS3Client } from '../../local/stand-ins';
import { createTestSigner } from '../support/signature-vectors';
import {
  localClientConfig,
  TEST_BUCKET,
  TEST_FAX_IN_QUEUE,
  TEST_QUEUE,
  TEST_TABLE,
  useStandIns,
} from '../support/stand-ins';
import {
  CLIENT_STATE_SECRET,
  faxEventBody,
  inboundFaxBody,
  inboundMediaUrl,
} from '../support/telnyx-events';

const signer = createTestSigner();
const OCCURRED_AT = '2026-03-05T15:14:07.677850Z';
const CREATED_AT = '2026-03-05T15:13:02.000Z';

/** The document as the inbound path stores it: a cover page and two pages of the file. */
async function faxDocument(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (let i = 0; i < 3; i++) pdf.addPage([612, 792]);
  return pdf.save();
}

/** Stands between the handler and aws-ses-v2-local, and answers 503 while `down`. */
async function startSesSwitch(target: string) {
  const state = { down: false, refused: 0 };
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (state.down) {
      state.refused++;
      response.writeHead(503, { 'content-type': 'text/xml' });
      response.end(
        '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>' +
          '<Message>stand-in outage</Message></Error><RequestId>outage</RequestId></ErrorResponse>',
      );
      return;
    }
    const upstream = await fetch(`${target}${request.url}`, {
      method: request.method,
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] =>
            typeof entry[1] === 'string' &&
            !['host', 'content-length', 'connection'].includes(entry[0]),
        ),
      ),
      body: Buffer.concat(chunks),
    });
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'text/xml',
    });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    state,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function urlEvent(
  body: string,
  headers: Record<string, string>,
  options: { method?: string; isBase64Encoded?: boolean; path?: string } = {},
): LambdaFunctionURLEvent {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'telnyx-webhooks', ...headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'fax-webhook',
      domainName: 'fax-webhook.lambda-url.us-east-1.on.aws',
      domainPrefix: 'fax-webhook',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'telnyx' },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: '05/Mar/2026:15:14:08 +0000',
      timeEpoch: Date.now(),
    },
    body: options.isBase64Encoded ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

function faxEvent(key: JobKey, type: string, payload: Record<string, unknown> = {}, id?: string) {
  return faxEventBody(key, `fax-${key.messageId}`, type, payload, { id, occurredAt: OCCURRED_AT });
}

function signedHeaders(body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'telnyx-timestamp': timestamp,
    'telnyx-signature-ed25519': signer.sign(timestamp, body),
  };
}

describe('fax webhook handler with the local stand-ins', () => {
  const standIns = useStandIns();
  let ses: Awaited<ReturnType<typeof startSesSwitch>>;
  let ledger: DynamoDbLedger;
  let media: S3Store;
  async function loadHandler(
    extra: Record<string, string> = {},
  ): Promise<LambdaFunctionURLHandler> {
    const settings = loadWebhookSettings({
      ...standIns().env,
      DISPATCH_QUEUE_URL: standIns().queueUrl(TEST_QUEUE),
      FAX_IN_QUEUE_URL: standIns().queueUrl(TEST_FAX_IN_QUEUE),
      // Each failure here is the last dial: retries have their tests (retries.test.ts, the e2e).
      RETRY_ATTEMPTS: '1',
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      FAX_DOMAINS: 'fax.example.com',
      ALLOWED_SENDERS: '@example.com',
      TELNYX_API_KEY: 'KEY-local',
      TELNYX_CONNECTION_ID: '234423',
      FAX_FROM_NUMBER: '+13125790015',
      TELNYX_PUBLIC_KEY: signer.publicKey,
      CLIENT_STATE_SECRET,
      WEBHOOK_URL: 'https://hooks.example.com/fax',
      NOTICE_FROM: 'fax@fax.example.com',
      NOTICE_TIME_ZONE: 'America/Chicago',
      ATTACH_FAILED_DOCUMENT: 'false',
      ...extra,
    });
    const { handle } = wireWebhook(settings, localObservability('SILENT'));
    return ((event: Parameters<typeof handle>[0]) => handle(event)) as LambdaFunctionURLHandler;
  }

  let handler: LambdaFunctionURLHandler;
  const post = async (body: string, options?: Parameters<typeof urlEvent>[2]) =>
    (await handler(
      urlEvent(body, signedHeaders(body), options),
      {} as never,
      () => {},
    )) as APIGatewayProxyStructuredResultV2;

  let jobCount = 0;
  /** A job as the inbound path leaves it: claimed, then queued with Telnyx's fax id. */
  async function seedJob(
    options: { status?: 'queued' | 'unknown'; subject?: string } = {},
  ): Promise<JobKey & { sender: string }> {
    const n = ++jobCount;
    const key = { messageId: `ses-${n}-${Date.now()}`, recipient: '+13125551234' };
    const sender = `sender${n}@example.com`;
    await ledger.claimFax({
      ...key,
      typed: '312-555-1234',
      sender,
      subject: options.subject ?? `Referral ${n}`,
      emailMessageId: `<m${n}@example.com>`,
      mediaKey: key.messageId,
      documentPages: 3,
      recipientDisplay: {
        international: '+1 312-555-1234',
        national: '(312) 555-1234',
        domestic: true,
      },
      fromNumber: {
        e164: '+13125550100',
        international: '+1 312-555-0100',
        national: '(312) 555-0100',
        domestic: true,
      },
      contents: { files: [{ filename: 'referral.pdf', pages: 2 }], coverPage: true },
      emailFaxNumbers: 1,
      faxAddress: '+13125551234@fax.example.com',
      createdAt: CREATED_AT,
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    });
    await media.putDocument(key.messageId, await faxDocument());
    const status = options.status ?? 'queued';
    const faxId = status === 'queued' ? `fax-${key.messageId}` : undefined;
    await ledger.advance(key, { status, at: new Date().toISOString(), faxId });
    return { ...key, sender };
  }

  const emailsTo = async (sender: string): Promise<SesStoredEmail[]> =>
    (await standIns().sentEmails()).filter((email) => email.destination.to.includes(sender));

  beforeAll(async () => {
    ses = await startSesSwitch(standIns().endpoints.ses);
    ledger = new DynamoDbLedger({
      table: TEST_TABLE,
      client: new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb)),
    });
    media = new S3Store({
      bucket: TEST_BUCKET,
      client: localS3Client(standIns().endpoints.s3),
    });
    handler = await loadHandler();
  });

  afterAll(async () => {
    await ses?.stop();
  });

  it('records the whole sequence and sends one delivery email', async () => {
    const job = await seedJob({ subject: 'Lab results' });
    for (const type of ['fax.queued', 'fax.media.processed', 'fax.sending.started']) {
      expect((await post(faxEvent(job, type))).statusCode).toBe(200);
    }
    const delivered = faxEvent(job, 'fax.delivered', { page_count: 3, call_duration_secs: 58 });
    expect(await post(delivered)).toMatchObject({ statusCode: 200, body: 'result_sent' });

    expect(await ledger.getJob(job)).toMatchObject({
      status: 'delivered',
      faxId: `fax-${job.messageId}`,
      pageCount: 3,
      callDurationSecs: 58,
      statusTimes: {
        queued: expect.any(String),
        'media.processed': '2026-03-05T15:14:07.677Z',
        sending: '2026-03-05T15:14:07.677Z',
        delivered: '2026-03-05T15:14:07.677Z',
      },
    });
    const emails = await emailsTo(job.sender);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({
      from: 'fax@fax.example.com',
      subject: 'Fax delivered: Lab results',
    });
    expect(emails[0]?.body.text?.trim()).toBe(
      [
        'Fax delivered to (312) 555-1234: 3 pages, 58 s',
        [
          'To:          (312) 555-1234 (you wrote 312-555-1234)',
          'From:        (312) 555-0100',
          'Files:       referral.pdf (2 pages)',
          'Cover page:  yes, 1 page',
          'Pages:       3 pages',
          'Submitted:   Thursday, March 5, 2026 at 9:13:02 AM CST',
          'Delivered:   Thursday, March 5, 2026 at 9:14:07 AM CST',
          'Attempts:    1. Thursday, March 5, 2026 at 9:14:07 AM CST: delivered, call 58 seconds',
        ].join('\n'),
        'The transmission report attached to this email is your proof of delivery.',
        `Fax id: fax-${job.messageId}`,
        '-- \nThis email was sent automatically by your email-to-fax service.',
      ].join('\n\n'),
    );
    const [report, ...more] = emails[0]?.attachments ?? [];
    expect(more).toEqual([]);
    expect(report).toMatchObject({
      contentType: 'application/pdf',
      filename: 'transmission-report-13125551234.pdf',
    });
    const pdf = await PDFDocument.load(Buffer.from(report?.content ?? '', 'base64'));
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getTitle()).toBe('Fax transmission report');
  });

  it('sends one email for duplicates, sequential and concurrent', async () => {
    const job = await seedJob();
    const delivered = faxEvent(job, 'fax.delivered', { page_count: 1, call_duration_secs: 20 });
    const answers = await Promise.all([post(delivered), post(delivered), post(delivered)]);
    expect(answers.filter((a) => a.body === 'result_sent')).toHaveLength(1);
    // A delivery that found the email being sent asks Telnyx to come back (503), in case it fails.
    for (const answer of answers.filter((a) => a.body !== 'result_sent')) {
      expect([200, 503]).toContain(answer.statusCode);
    }
    expect(await post(delivered)).toMatchObject({ statusCode: 200, body: 'duplicate' });
    const again = faxEvent(job, 'fax.delivered', { page_count: 1, call_duration_secs: 20 });
    expect(await post(again)).toMatchObject({ statusCode: 200, body: 'result_already_sent' });
    expect(await emailsTo(job.sender)).toHaveLength(1);
  });

  it('takes events in any order and never moves the status back', async () => {
    const job = await seedJob();
    await post(faxEvent(job, 'fax.delivered', { page_count: 2, call_duration_secs: 40 }));
    for (const type of ['fax.sending.started', 'fax.queued', 'fax.media.processed']) {
      expect(await post(faxEvent(job, type))).toMatchObject({ statusCode: 200, body: 'recorded' });
    }
    expect(await ledger.getJob(job)).toMatchObject({ status: 'delivered', pageCount: 2 });
    expect(await emailsTo(job.sender)).toHaveLength(1);
  });

  it('answers 500 while SES fails; Telnyx’s retry sends exactly one email', async () => {
    const job = await seedJob();
    const failed = faxEvent(job, 'fax.failed', { failure_reason: 'user_busy' }, 'evt-ses-outage');
    ses.state.down = true;
    try {
      expect(await post(failed)).toMatchObject({ statusCode: 500 });
    } finally {
      ses.state.down = false;
    }
    expect(ses.state.refused).toBeGreaterThan(0);
    expect(await ledger.getJob(job)).toMatchObject({ status: 'failed' });
    expect(await emailsTo(job.sender)).toHaveLength(0);

    expect(await post(failed)).toMatchObject({ statusCode: 200, body: 'result_sent' });
    expect(await post(failed)).toMatchObject({ statusCode: 200, body: 'duplicate' });
    const emails = await emailsTo(job.sender);
    expect(emails.map((email) => email.body.text?.split('\n')[0])).toEqual([
      'Fax to (312) 555-1234 failed: the line was busy',
    ]);
  });

  it.each([
    [
      'user_busy',
      'the line was busy',
      'The fax line was busy.',
      'This is usually temporary: the bridge has stopped dialling, so in a while, send your email again.',
    ],
    [
      'receiver_unallocated_number',
      'the number is not in service',
      'The phone network says this number is not in service.',
      'Check the fax number, including the area and country code, then send your email again to the right number.',
    ],
    [
      'receiver_no_answer',
      'nobody answered',
      'The line rang but no fax machine picked up.',
      'Ask the recipient to check that their fax machine is switched on, connected to the line and ready to receive, then send your email again.',
    ],
    [
      'fax_initial_communication_timeout',
      'no fax machine responded',
      'The call was answered, but no fax machine responded in time.',
      'Ask the recipient to check that their fax machine is switched on',
    ],
    [
      'account_disabled',
      "the fax service's account is disabled",
      'The fax provider account this service uses is disabled, so it cannot send faxes.',
      'This is not a problem with your document or the number: forward this email to your fax administrator.',
    ],
    [
      'destination_not_in_countries_whitelist',
      'faxes to this country are not allowed',
      'This fax service is not set up to send faxes to this country.',
      'forward this email to your fax administrator.',
    ],
    [
      'brand_new_reason',
      'brand_new_reason',
      'The fax provider reported the failure as "brand_new_reason", which this service does not know.',
      'forward this email to your fax administrator.',
    ],
  ])('explains %s to the sender', async (code, summary, sentence, nextStep) => {
    const job = await seedJob({ subject: 'Referral' });
    await post(faxEvent(job, 'fax.failed', { failure_reason: code }));
    const [email, ...others] = await emailsTo(job.sender);
    expect(others).toHaveLength(0);
    expect(email?.subject).toBe('Fax failed: Referral');
    const [headline, facts, what, next, small] = email?.body.text?.split('\n\n') ?? [];
    expect(headline).toBe(`Fax to (312) 555-1234 failed: ${summary}`);
    expect(facts?.split('\n').slice(0, 2)).toEqual([
      'To:          (312) 555-1234 (you wrote 312-555-1234)',
      'From:        (312) 555-0100',
    ]);
    expect(facts).toContain(
      `Attempts:    1. Thursday, March 5, 2026 at 9:14:07 AM CST: failed (${summary})`,
    );
    expect(what).toBe(`${sentence} Your fax was not delivered.`);
    expect(next).toContain(nextStep);
    expect(small).toBe(`Failure code: ${code}\nFax id: fax-${job.messageId}`);
    expect(email?.attachments).toEqual([]);
  });

  it('ends an ambiguous send (no fax id recorded) in a proper result email', async () => {
    const job = await seedJob({ status: 'unknown' });
    await post(faxEvent(job, 'fax.delivered', { page_count: 3, call_duration_secs: 58 }));
    expect(await ledger.getJob(job)).toMatchObject({
      status: 'delivered',
      faxId: `fax-${job.messageId}`,
    });
    expect(await emailsTo(job.sender)).toHaveLength(1);
  });

  it('reads a base64-encoded body', async () => {
    const job = await seedJob();
    const delivered = faxEvent(job, 'fax.delivered', { page_count: 1, call_duration_secs: 9 });
    expect(await post(delivered, { isBase64Encoded: true })).toMatchObject({ statusCode: 200 });
    expect(await emailsTo(job.sender)).toHaveLength(1);
  });

  it('changes and sends nothing for forged, replayed or malformed webhooks', async () => {
    const job = await seedJob();
    const body = faxEvent(job, 'fax.delivered', { page_count: 3 });
    const forged = body.replace('"page_count":3', '"page_count":4');
    const old = String(Math.floor(Date.now() / 1000) - 600);
    const replayed = {
      'telnyx-timestamp': old,
      'telnyx-signature-ed25519': signer.sign(old, body),
    };
    const answers = await Promise.all([
      handler(urlEvent(forged, signedHeaders(body)), {} as never, () => {}),
      handler(urlEvent(body, replayed), {} as never, () => {}),
      handler(urlEvent(body, {}), {} as never, () => {}),
      handler(urlEvent(body, signedHeaders(body), { method: 'GET' }), {} as never, () => {}),
      post('{"not":"telnyx"}'),
      post(JSON.stringify({ data: { padding: 'x'.repeat(300_000) } })),
    ]);
    expect(
      answers.map((answer) => (answer as APIGatewayProxyStructuredResultV2).statusCode),
    ).toEqual([401, 401, 401, 405, 400, 413]);
    expect(await ledger.getJob(job)).toMatchObject({ status: 'queued' });
    expect(await emailsTo(job.sender)).toHaveLength(0);
  });

  it('lets no signed event about another fax take over a job still waiting for its fax id', async () => {
    const job = await seedJob({ status: 'unknown' });
    const theirs = (payload: Record<string, unknown>) =>
      faxEventBody(job, 'their-fax', 'fax.delivered', { page_count: 9, ...payload });
    const answers = [
      await post(theirs({ client_state: encodeClientState(job, 1, 'their own key'.repeat(3)) })),
      await post(theirs({ to: '+13125550000' })),
    ];
    expect(answers.map((answer) => [answer.statusCode, answer.body])).toEqual([
      [200, 'ignored'],
      [200, 'ignored'],
    ]);
    const after = await ledger.getJob(job);
    expect(after).toMatchObject({ status: 'unknown' });
    expect(after?.faxId).toBeUndefined();
    expect(await emailsTo(job.sender)).toHaveLength(0);
  });

  it('acknowledges events for faxes it does not know', async () => {
    const stranger = { messageId: 'someone-else', recipient: '+13125550000' };
    expect(await post(faxEvent(stranger, 'fax.delivered'))).toMatchObject({
      statusCode: 200,
      body: 'ignored',
    });
    expect(await post(faxEvent(stranger, 'fax.delivered', { client_state: null }))).toMatchObject({
      statusCode: 200,
      body: 'ignored',
    });
  });

  describe('with ATTACH_FAILED_DOCUMENT', () => {
    let attaching: LambdaFunctionURLHandler;
    beforeAll(async () => {
      attaching = await loadHandler({ ATTACH_FAILED_DOCUMENT: 'true' });
    });

    it('attaches the document to the failure email', async () => {
      const job = await seedJob();
      const body = faxEvent(job, 'fax.failed', { failure_reason: 'receiver_no_answer' });
      await attaching(urlEvent(body, signedHeaders(body)), {} as never, () => {});
      const [email] = await emailsTo(job.sender);
      expect(email?.attachments).toHaveLength(1);
      expect(email?.attachments[0]).toMatchObject({
        contentType: 'application/pdf',
        filename: 'fax-13125551234.pdf',
      });
      expect(Buffer.from(email?.attachments[0]?.content ?? '', 'base64').toString()).toContain(
        '%PDF-1.7',
      );
      expect(email?.body.text).toContain('The document you sent is attached to this email.');
    });
  });
  describe('faxes received', () => {
    let sqs: SQSClient;
    beforeAll(() => {
      sqs = new SQSClient(localClientConfig(standIns().endpoints.sqs));
    });
    afterAll(() => sqs?.destroy());

    /** What the receiver would find on the fax-in queue now. */
    async function faxInMessages() {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: standIns().queueUrl(TEST_FAX_IN_QUEUE),
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 30,
        }),
      );
      return Messages.map((message) => readFaxInMessage(message.Body ?? ''));
    }

    it.each(['received', 'delivered'] as const)(
      'puts a fax received (%s shape) on the fax-in queue, once however often Telnyx delivers it',
      async (shape) => {
        const faxId = `in-${shape}-${Date.now()}`;
        const body = inboundFaxBody('received', faxId, { caller_name: 'Dr. Ortiz' }, { shape });
        expect(await post(body)).toMatchObject({ statusCode: 200, body: 'fax_in_queued' });
        expect(await post(body)).toMatchObject({ statusCode: 200, body: 'duplicate' });
        expect(await faxInMessages()).toEqual([
          {
            kind: 'received',
            fax: {
              faxId,
              from: '+13125551234',
              to: '+13125550100',
              callerName: 'Dr. Ortiz',
              mediaUrl: inboundMediaUrl(faxId),
              pageCount: 3,
              callDurationSecs: 74,
              partial: false,
              receivedAt: '2026-03-05T15:20:41.000Z',
            },
          },
        ]);
      },
    );

    it('puts an inbound failure on the queue, and only logs the start of a call', async () => {
      const faxId = `in-failed-${Date.now()}`;
      expect(await post(inboundFaxBody('fax.receiving.started', faxId))).toMatchObject({
        statusCode: 200,
        body: 'fax_in_started',
      });
      const failed = inboundFaxBody('fax.failed', faxId, { failure_reason: 'sender_call_dropped' });
      expect(await post(failed)).toMatchObject({ statusCode: 200, body: 'fax_in_queued' });
      expect(await faxInMessages()).toEqual([
        {
          kind: 'failed',
          fax: expect.objectContaining({ faxId, to: '+13125550100' }),
          failureReason: 'sender_call_dropped',
        },
      ]);
    });
  });

  describe('download links', () => {
    const PDF = Buffer.from('%PDF-1.7\n% a received fax\n%%EOF\n');
    let faxId: string;
    beforeAll(async () => {
      faxId = `in-link-${Date.now()}`;
      await media.putReceived(faxId, PDF);
    });

    const get = async (token: string, path = `${DOWNLOAD_PATH}${token}`) =>
      (await handler(
        urlEvent('', {}, { method: 'GET', path }),
        {} as never,
        () => {},
      )) as APIGatewayProxyStructuredResultV2;
    const inAWeek = () => new Date(Date.now() + 7 * 86_400_000);

    it('serves the PDF for a valid link', async () => {
      const answer = await get(signDownloadToken(faxId, inAWeek(), CLIENT_STATE_SECRET));
      expect(answer).toMatchObject({
        statusCode: 200,
        isBase64Encoded: true,
        headers: {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="fax-${faxId}.pdf"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        },
      });
      expect(Buffer.from(answer.body ?? '', 'base64')).toEqual(PDF);
    });

    it('refuses a link with one character changed, or expired, alike (403)', async () => {
      const token = signDownloadToken(faxId, inAWeek(), CLIENT_STATE_SECRET);
      const last = token.at(-1) === 'A' ? 'B' : 'A';
      const answers = [
        await get(`${token.slice(0, -1)}${last}`),
        await get(signDownloadToken(faxId, new Date(Date.now() - 1000), CLIENT_STATE_SECRET)),
      ];
      expect(answers.map((a) => a.statusCode)).toEqual([403, 403]);
      expect(answers[0]?.body).toBe(answers[1]?.body);
      expect(answers[0]?.body).not.toContain('%PDF');
    });

    it('answers 404 for a fax no longer stored', async () => {
      const gone = signDownloadToken('in-never-stored', inAWeek(), CLIENT_STATE_SECRET);
      expect(await get(gone)).toMatchObject({ statusCode: 404 });
    });

    it('leaves a GET anywhere else to the webhook, which refuses it (405)', async () => {
      const token = signDownloadToken(faxId, inAWeek(), CLIENT_STATE_SECRET);
      expect(await get(token, `/webhooks/${token}`)).toMatchObject({ statusCode: 405 });
    });
  });
});
