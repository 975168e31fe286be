import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../functions/core/shared/text-safety';
import { repoRoot } from '../../support/paths';

const run = promisify(execFile);

describe('npm run notices', () => {
  let dataDir: string;
  let stdout: string;
  let page: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fax-bridge-notices-'));
    ({ stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'local', 'notices.ts')],
      { cwd: repoRoot, env: { PATH: process.env.PATH, LOCAL_DATA_DIR: dataDir } },
    ));
    page = await readFile(path.join(dataDir, 'notices.html'), 'utf8');
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes the page into the data dir and says where', () => {
    expect(stdout).toContain(`fax-bridge notices: ${path.join(dataDir, 'notices.html')}`);
  });

  // The HTML parts sit in srcdoc attributes, so each headline is escaped twice there.
  const inPage = (headline: string) => escapeHtml(escapeHtml(headline));

  it.each([
    ['delivered', 'Fax delivered to (312) 555-1234: 4 pages, 75 s'],
    ['failed, try again later', 'Fax to (312) 555-1234 failed: the line was busy'],
    ['failed, check the number', 'Fax to (312) 555-1234 failed: the number is not in service'],
    ['failed, the recipient machine', 'Fax to (312) 555-1234 failed: nobody answered'],
    [
      'failed, the administrator',
      "Fax to (312) 555-1234 failed: the fax service's account is disabled",
    ],
    ['failed abroad', 'Fax to +44 20 7183 8750 failed: nobody answered'],
    ['delivered on a retry', 'It went through on the second attempt; the first failed'],
    ['failed after retries', 'Fax to (312) 555-1234 failed after 3 attempts: the line was busy'],
    ['pages sent', '2 of 4 pages reached the receiving machine before the call ended.'],
    ['refused by Telnyx', 'Fax to (312) 555-1234 was not sent: the fax service refused the number'],
    ['never confirmed', 'Fax to (312) 555-1234 was not sent: the fax service never took it'],
    ['attachments left out', 'Your fax is being sent to 1 number, without some attachments'],
    ['a recipient problem', 'Your fax is being sent to 1 of 2 numbers'],
    ['a refusal', 'Your fax was not sent'],
  ])('holds the %s notice', (_kind, headline) => {
    expect(page).toContain(inPage(headline));
  });

  it('holds every refusal code and every recipient problem, each with its own section', () => {
    const kinds = [...page.matchAll(/<h2>\d+\. ([^<]+)<\/h2>/g)].map((m) => m[1]);
    expect(kinds.filter((k) => k?.startsWith('refused: '))).toContain('refused: daily_cap_reached');
    expect(kinds.filter((k) => k?.startsWith('refused: ')).length).toBeGreaterThanOrEqual(22);
    expect(kinds.filter((k) => k?.startsWith('recipient problem: ')).length).toBe(8);
    expect(page).toContain(inPage('Reason code: encrypted_pdf'));
    expect(page).toContain(inPage('"911" is an emergency, service or short code number'));
  });

  it('attaches the transmission report to the delivered email and writes it beside the page', async () => {
    expect(page).toContain(
      '<a href="notices/transmission-report-13125551234.pdf">transmission-report-13125551234.pdf</a>',
    );
    const report = await PDFDocument.load(
      await readFile(path.join(dataDir, 'notices', 'transmission-report-13125551234.pdf')),
    );
    expect(report.getPageCount()).toBe(1);
  });

  it('writes the text parts too, with the footer naming ADMIN_CONTACT', async () => {
    const text = await readFile(path.join(dataDir, 'notices.txt'), 'utf8');
    expect(text).toContain('Subject: Fax delivered: Referral for J. Smith');
    expect(text).toContain('Subject: Fax failed: Referral for J. Smith');
    expect(text).toContain('Subject: Fax not sent: Referral for J. Smith');
    expect(text).toContain(
      '-- \nThis email was sent automatically by your email-to-fax service.\nQuestions: Pat Admin, IT desk, ext. 204',
    );
  });
});
