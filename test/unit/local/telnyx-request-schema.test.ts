import { existsSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { checkSendFaxRequest, sendFaxRequestSchema } from '../../../local/telnyx-request-schema';
import { sharedName, sharedPath } from '../../support/paths';

const openApiFile = sharedPath('telnyx', 'fax-openapi.json');

const good = {
  connection_id: '234423',
  from: '+13125790015',
  to: '+13127367276',
  media_url: 'https://bucket.example.com/media/a.pdf?X-Amz-Signature=abc',
};

const requests: [string, unknown][] = [
  ['the minimal request', good],
  [
    'every documented field',
    {
      ...good,
      from_display_name: 'Fax Bridge',
      quality: 'ultra_dark',
      t38_enabled: false,
      monochrome: true,
      black_threshold: 100,
      store_media: true,
      store_preview: true,
      preview_format: 'pdf',
      webhook_url: 'https://hooks.example.com/telnyx',
      client_state: 'aGF2ZSBhIG5pY2UgZGF5ID1d',
    },
  ],
  ['an unknown extra key', { ...good, cover_page: true }],
  ['media_name instead of media_url', { ...good, media_url: undefined, media_name: 'doc' }],
  ['no connection_id', { ...good, connection_id: undefined }],
  ['no from', { ...good, from: undefined }],
  ['no to', { ...good, to: undefined }],
  ['a numeric to', { ...good, to: 13127367276 }],
  ['media_url as a list', { ...good, media_url: [good.media_url] }],
  ['quality ultra', { ...good, quality: 'ultra' }],
  ['preview_format png', { ...good, preview_format: 'png' }],
  ['black_threshold 0', { ...good, black_threshold: 0 }],
  ['black_threshold 101', { ...good, black_threshold: 101 }],
  ['black_threshold 50.5', { ...good, black_threshold: 50.5 }],
  ['monochrome as a string', { ...good, monochrome: 'true' }],
  ['client_state null', { ...good, client_state: null }],
  ['an array body', [good]],
  ['a string body', 'fax please'],
];

const withoutUndefined = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe.runIf(existsSync(openApiFile))(sharedName('the zod SendFaxRequest schema'), () => {
  // runIf still runs this callback to collect the tests: read the schema only where it exists.
  const validate = existsSync(openApiFile) ? realSchema() : undefined;

  it.each(requests)('agrees with ajv on the real schema for %s', (_name, request) => {
    const body = withoutUndefined(request);
    expect(validate).toBeDefined();
    expect(sendFaxRequestSchema.safeParse(body).success).toBe(validate?.(body));
  });
});

describe('checkSendFaxRequest', () => {
  it('accepts a request with one media_url and valid numbers', () => {
    expect(checkSendFaxRequest(good)).toMatchObject({ ok: true, request: good });
  });

  it('names every failing field at once', () => {
    const result = checkSendFaxRequest({ ...good, from: '312', quality: 'best', media_url: 4 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.source?.pointer).sort()).toEqual(['/media_url', '/quality']);
  });

  it.each([
    [
      'a media_url longer than 2000 characters',
      { media_url: `https://a.example/${'x'.repeat(2000)}` },
    ],
    ['a data: media_url', { media_url: 'data:application/pdf;base64,JVBERi0=' }],
    ['a to that is neither E.164 nor SIP', { to: 'fax me' }],
    ['an empty client_state', { client_state: '' }],
    ['a display name with a comma', { from_display_name: 'Acme, Inc' }],
    ['a relative webhook_url', { webhook_url: '/webhooks/telnyx' }],
  ])('refuses %s, which the schema alone allows', (_name, overrides) => {
    const request = { ...good, ...overrides };
    expect(sendFaxRequestSchema.safeParse(request).success).toBe(true);
    expect(checkSendFaxRequest(request).ok).toBe(false);
  });

  it('accepts a SIP URI as the destination', () => {
    expect(checkSendFaxRequest({ ...good, to: 'sip:fax@pbx.example.com' }).ok).toBe(true);
  });
});

function realSchema() {
  const document = JSON.parse(readFileSync(openApiFile, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'fax-openapi', components: document.components });
  return ajv.getSchema('fax-openapi#/components/schemas/SendFaxRequest');
}
