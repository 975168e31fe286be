import { beforeEach, describe, expect, it } from 'vitest';
import { signDownloadToken } from '../../../../functions/core/shared/download-link';
import type { Log } from '../../../../functions/core/shared/ports';
import {
  DOWNLOAD_SENTENCES,
  type DownloadDeps,
  MAX_DOWNLOAD_BYTES,
  serveDownload,
} from '../../../../functions/core/webhook/download';

const SECRET = 'test-client-state-key-0123456789abcdef0123456789';
const NOW = new Date('2026-03-05T15:30:00.000Z');
const LATER = new Date('2026-03-12T15:30:00.000Z');
const FAX_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const PDF = new Uint8Array(Buffer.from('%PDF-1.7\n% a received fax\n%%EOF\n'));

let stored: Map<string, Uint8Array>;
let storeDown: boolean;
let logs: unknown[];

const log: Log = {
  info: (...args) => logs.push(args),
  warn: (...args) => logs.push(args),
  error: (...args) => logs.push(args),
};

const deps = (): DownloadDeps => ({
  received: {
    async getReceived(faxId) {
      if (storeDown) throw new Error('S3 is unavailable');
      return stored.get(faxId);
    },
  },
  clock: () => NOW,
  log,
  linkSecret: async () => SECRET,
});

beforeEach(() => {
  stored = new Map([[FAX_ID, PDF]]);
  storeDown = false;
  logs = [];
});

const tokenFor = (faxId = FAX_ID, expiresAt = LATER, secret = SECRET) =>
  signDownloadToken(faxId, expiresAt, secret);

/** The token with one character changed, as a forger or a mangled copy would send it. */
const changed = (token: string, at: number) =>
  `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;

describe('serveDownload', () => {
  it('answers a valid link with the PDF, as a download nobody caches', async () => {
    const answer = await serveDownload(tokenFor(), deps());
    expect(answer).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="fax-${FAX_ID}.pdf"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    });
    expect(Buffer.from(answer.body, 'base64')).toEqual(Buffer.from(PDF));
  });

  it.each([
    ['an expired link', () => tokenFor(FAX_ID, new Date(NOW.getTime() - 1000))],
    ['a link that expires this second', () => tokenFor(FAX_ID, NOW)],
    ['a changed fax id', () => changed(tokenFor(), 2)],
    ['a changed expiry', () => tokenFor().replace(/\.(\d)/, (_, d) => `.${(Number(d) + 1) % 10}`)],
    ['a changed MAC', () => changed(tokenFor(), tokenFor().length - 3)],
    ['a link signed with another key', () => tokenFor(FAX_ID, LATER, 'another key'.repeat(4))],
    ['an empty token', () => ''],
    ['a path with more in it', () => `${tokenFor()}/../x`],
    ['a very long token', () => `${tokenFor()}${'A'.repeat(300)}`],
  ])('answers %s 403 with the same sentence', async (_, token) => {
    const answer = await serveDownload(token(), deps());
    expect(answer).toMatchObject({
      statusCode: 403,
      body: DOWNLOAD_SENTENCES.refused,
      isBase64Encoded: false,
      headers: { 'cache-control': 'no-store' },
    });
    expect(answer.body).not.toContain('%PDF');
  });

  it('answers 404 once the fax is no longer stored', async () => {
    stored.clear();
    expect(await serveDownload(tokenFor(), deps())).toMatchObject({
      statusCode: 404,
      body: DOWNLOAD_SENTENCES.gone,
    });
  });

  it('answers 413 for a fax too large for a function URL answer (6 MB, base64 included)', async () => {
    stored.set(FAX_ID, new Uint8Array(MAX_DOWNLOAD_BYTES + 1));
    const answer = await serveDownload(tokenFor(), deps());
    expect(answer.statusCode).toBe(413);
    expect(answer.body).toContain(FAX_ID);
    stored.set(FAX_ID, new Uint8Array(MAX_DOWNLOAD_BYTES));
    const served = await serveDownload(tokenFor(), deps());
    expect(served.statusCode).toBe(200);
    expect(served.body.length).toBeLessThan(6 * 1024 * 1024 - 4096);
  });

  it('answers 500 while the store fails, so that the reader can try again', async () => {
    storeDown = true;
    expect(await serveDownload(tokenFor(), deps())).toMatchObject({
      statusCode: 500,
      outcome: { kind: 'error' },
    });
  });

  it('logs verdicts as codes, never the token', async () => {
    const token = tokenFor();
    await serveDownload(token, deps());
    await serveDownload(changed(token, 2), deps());
    const logged = JSON.stringify(logs);
    expect(logged).toContain('bad_mac');
    expect(logged).not.toContain(token.split('.')[2]);
  });

  it('names the download safely whatever the fax id', async () => {
    stored.set('a"b/../c', PDF);
    const answer = await serveDownload(tokenFor('a"b/../c'), deps());
    expect(answer.headers['content-disposition']).toBe('attachment; filename="fax-abc.pdf"');
  });
});
