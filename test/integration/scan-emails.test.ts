// A copier's scan-to-email message, one per maker, through the inbound core: the fax Telnyx would
// download is the scan alone, with no cover page of device text.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR } from '../../fixtures/generate';
import { SCAN_EMAILS } from '../../fixtures/scan-emails';
import { runInbound } from '../support/inbound-harness';
import { readPdf } from '../support/pdf-reader';

const SCANNER = 'scanner@clinic.example';
// The fixtures are dated 2025; the harness's clock stands in 2026.
const FROM_SCANNER = {
  source: SCANNER,
  commonHeaders: { from: [SCANNER] },
  settings: { maxEmailAgeHours: 24 * 365 * 5 },
};

describe('scan-to-email from an office copier', () => {
  for (const { maker } of SCAN_EMAILS) {
    it(`faxes a ${maker} scan without a cover page`, async () => {
      const raw = readFileSync(path.join(FIXTURE_DIR, `scan-${maker}.eml`));
      const { outcome, deps } = await runInbound(raw, FROM_SCANNER);
      expect(outcome).toMatchObject({ kind: 'faxed', pages: 1, results: [{ kind: 'queued' }] });
      const [sent] = deps.media.documents.values();
      const pages = await readPdf(sent as Uint8Array);
      expect(pages.map((page) => page.lines)).toEqual([['Page 1']]);
    });
  }

  it('puts the words the sender typed on the panel on a cover page, without the device text', async () => {
    const raw = readFileSync(path.join(FIXTURE_DIR, 'scan-xerox.eml'))
      .toString('latin1')
      .replace(
        'Please open the attached',
        'Consent form for J. Roe.\r\n\r\nPlease open the attached',
      );
    const { outcome, deps } = await runInbound(Buffer.from(raw, 'latin1'), FROM_SCANNER);
    expect(outcome).toMatchObject({ kind: 'faxed', pages: 2 });
    const [sent] = deps.media.documents.values();
    const cover = (await readPdf(sent as Uint8Array))[0]?.lines.join('\n') ?? '';
    expect(cover).toContain('Consent form for J. Roe.');
    expect(cover).not.toMatch(/Please open the attached|Number of Images|Device Name/);
  });
});
