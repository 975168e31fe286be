// The receiver's wiring against the stand-ins (S3, DynamoDB, SES), fed SQS events as the event
// source delivers them, with a test server in the place of Telnyx and of its media links.
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../fixtures/documents';
import { localObservability } from '../../functions/adapters/observability';
import { S3Store } from '../../functions/adapters/s3-store';
import { faxInMessageBody } from '../../functions/adapters/sqs-fax-in-queue';
import { loadReceiverSettings } from '../../functions/config/receiver-settings';
import type { FaxInMessage } from '../../functions/core/shared/ports';
import { wireReceiver } from '../../functions/fax-receiver/wiring';
import { localS3Client } from '../../local/stand-ins';
import { useStandIns } from '../support/stand-ins';
import { startTestServer, type TestServer } from '../support/test-server';

const ROUTES = {
  '+13125550100': {
    to: ['frontdesk@clinic.example', 'dr.ortiz@clinic.example'],
    delivery: 'attach',
  },
  '*': { to: ['admin@clinic.example'], delivery: 'link' },
};

const sqsEvent = (...messages: FaxInMessage[]): SQSEvent => ({
  Records: messages.map((message, i) => ({
    messageId: `sqs-${i}`,
    receiptHandle: `handle-${i}`,
    body: faxInMessageBody(message),
    attributes: {} as never,
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:fax-in',
    awsRegion: 'us-east-1',
  })),
});

describe('the receiver function with the local stand-ins', () => {
  const standIns = useStandIns();
  let server: TestServer;
  let pdf: Buffer;

  beforeAll(async () => {
    pdf = await makePdf(2);
    // A fax's link has lapsed until it is refreshed, as Telnyx's does after 10 minutes.
    const refreshed = new Set<string>();
    server = await startTestServer((request, res) => {
      const fresh = /^\/v2\/faxes\/([\w-]+)$/.exec(request.path);
      const refresh = /^\/v2\/faxes\/([\w-]+)\/actions\/refresh$/.exec(request.path);
      if (request.path.startsWith('/media/expired')) {
        res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
      } else if (request.path.startsWith('/media/')) {
        res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf);
      } else if (request.path.startsWith('/v2/faxes/gone')) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"errors":[{"title":"Internal error"}]}');
      } else if (request.method === 'POST' && refresh) {
        refreshed.add(refresh[1] as string);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":"ok"}');
      } else if (fresh) {
        const id = fresh[1] as string;
        const lapsed = id.startsWith('inbound-link') && !refreshed.has(id);
        const data = {
          id,
          direction: 'inbound',
          to: id.startsWith('inbound-link') ? '+13125550199' : '+13125550100',
          media_url: `${server.url}/media/${lapsed ? 'expired-' : ''}${id}`,
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  afterAll(() => server.close());

  const receiver = () =>
    wireReceiver(
      loadReceiverSettings({
        ...standIns().env,
        TELNYX_API_URL: `${server.url}/v2`,
        TELNYX_API_KEY: 'KEY-local',
        CLIENT_STATE_SECRET: 'a-client-state-key-of-32-characters-at-least',
        FAX_DOMAINS: 'fax.example.com',
        NOTICE_FROM: 'fax@fax.example.com',
        NOTICE_TIME_ZONE: 'America/Chicago',
        PUBLIC_URL: 'https://hooks.example.com/',
        INBOUND_ROUTES: JSON.stringify(ROUTES),
      }),
      localObservability('SILENT'),
    );

  const received = (
    faxId: string,
    change: Partial<Extract<FaxInMessage, { kind: 'received' }>['fax']> = {},
  ): FaxInMessage => ({
    kind: 'received',
    fax: {
      faxId,
      from: '+13125551234',
      to: '+13125550100',
      mediaUrl: `${server.url}/media/${faxId}`,
      pageCount: 2,
      ...change,
    },
  });

  it('stores the fax under inbound/ and emails it to each address once, however often it comes', async () => {
    await standIns().clearEmails();
    const { handle } = receiver();
    const message = received('inbound-attach');
    expect(await handle(sqsEvent(message, message))).toEqual({ batchItemFailures: [] });
    expect(await handle(sqsEvent(message))).toEqual({ batchItemFailures: [] });

    const store = new S3Store({
      bucket: standIns().env.FAX_BUCKET as string,
      client: localS3Client(standIns().endpoints.s3),
    });
    expect(Buffer.from((await store.getReceived('inbound-attach')) ?? [])).toEqual(pdf);
    const emails = await standIns().sentEmails();
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([
      'dr.ortiz@clinic.example',
      'frontdesk@clinic.example',
    ]);
    const [email] = emails;
    expect(email?.subject).toBe('Fax from +1 312-555-1234, 2 pages');
    expect(email?.replyTo).toEqual(['+13125551234@fax.example.com']);
    expect(email?.attachments).toMatchObject([
      { contentType: 'application/pdf', size: pdf.length },
    ]);
  });

  it('fetches an expired link again after refreshing it at Telnyx, and links to it on the * route', async () => {
    await standIns().clearEmails();
    const { handle } = receiver();
    const message = received('inbound-link', {
      to: '+13125550199',
      mediaUrl: `${server.url}/media/expired?X-Amz-Expires=600`,
    });
    expect(await handle(sqsEvent(message))).toEqual({ batchItemFailures: [] });
    expect(server.received.some((r) => r.path === '/v2/faxes/inbound-link/actions/refresh')).toBe(
      true,
    );
    const media = server.received.filter((r) => r.path.startsWith('/media/'));
    expect(media.every((r) => r.headers.authorization === undefined)).toBe(true);
    const [email] = await standIns().sentEmails();
    expect(email?.destination.to).toEqual(['admin@clinic.example']);
    expect(email?.attachments).toEqual([]);
    expect(email?.body.text).toMatch(/https:\/\/hooks\.example\.com\/faxes-in\/\S+/);
  });

  it('asks for the message again when the document cannot be fetched', async () => {
    const { handle } = receiver();
    await standIns().clearEmails();
    const message = received('gone-1', { mediaUrl: `${server.url}/media/expired` });
    const answer = await handle(sqsEvent(message));
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'sqs-0' }]);
    expect(await standIns().sentEmails()).toEqual([]);
  });
});
