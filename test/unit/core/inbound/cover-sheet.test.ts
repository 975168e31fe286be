import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../../fixtures/documents';
import { DEFAULT_COVER_NOTICE } from '../../../../functions/config/inbound-settings';
import { composeMail, faxAddress, runInbound } from '../../../support/inbound-harness';
import { pdfText, readPdf } from '../../../support/pdf-reader';

const TWO = [faxAddress('+13125551234'), faxAddress('+13125559876')];

async function faxOf(text: string, settings = {}) {
  const raw = await composeMail({
    from: '"Иван Петров" <alice@example.com>',
    to: [`"Dr. Łukasz Smith" <${TWO[0]}>`, TWO[1] ?? ''],
    subject: 'Dose ≥ 5 mg for Łódź',
    text,
    attachments: [{ filename: 'referral.pdf', content: await makePdf(2) }],
  });
  const run = await runInbound(raw, { recipients: TWO, settings });
  const [pdf] = [...run.deps.media.documents.values()];
  if (!pdf) throw new Error('no document stored');
  return { ...run, pdf, pages: await readPdf(pdf) };
}

describe('the cover sheet of a faxed email', () => {
  it('shows who it is for and from, the callback number and the default notice, in Unicode', async () => {
    const { pdf, pages, deps } = await faxOf('Please give ≥ 5 mg.', {
      cover: {
        organisation: 'Example Clinic',
        phone: '+1 312-555-0000',
        notice: DEFAULT_COVER_NOTICE,
      },
    });
    expect(deps.media.documents.size).toBe(1);
    expect(deps.fax.requests).toHaveLength(2);
    const lines = pages[0]?.lines ?? [];
    expect(lines).toEqual(
      expect.arrayContaining([
        'To: Dr. Łukasz Smith, fax +1 312-555-1234',
        'Fax +1 312-555-9876',
        'From: Иван Петров <alice@example.com>',
        'Company: Example Clinic',
        'Callback: +1 312-555-0000',
        'Pages: 3 pages including this cover',
        'Subject: Dose ≥ 5 mg for Łódź',
        'Please give ≥ 5 mg.',
      ]),
    );
    expect((await pdfText(pdf)).replace(/\s+/g, ' ')).toContain(
      'CONFIDENTIAL: This fax may contain health, legal',
    );
  });

  it('continues an 80-line body on further cover pages, counted in the pages faxed', async () => {
    const body = Array.from({ length: 80 }, (_, i) => `Line ${i + 1}: take ≥ 5 mg.`).join('\n');
    const { pages, outcome } = await faxOf(body);
    expect(outcome).toMatchObject({ kind: 'faxed', pages: pages.length });
    expect(pages.length).toBeGreaterThan(3);
    expect(pages[0]?.lines).toContain(`Pages: ${pages.length} pages including this cover`);
    expect(pages.flatMap((p) => p.lines)).toContain('Line 80: take ≥ 5 mg.');
  });

  it('tells the sender which characters could not be printed, never turning them into ?', async () => {
    const { pdf, deps } = await faxOf('你好 😀 ≥ 5 mg');
    expect(await pdfText(pdf)).not.toContain('?');
    const [notice] = deps.mailer.sent;
    expect(notice?.text).toContain('Characters that could not be printed on the cover page');
    expect(notice?.text).toContain('你 好');
  });
});
