import { describe, expect, it } from 'vitest';
import {
  makeEncryptedPdf,
  makePdf,
  makeRestrictedPdf,
  type RestrictedCipher,
} from '../../../../../fixtures/documents';
import {
  buildFaxDocument,
  type DocumentOptions,
  type DocumentOutcome,
} from '../../../../../functions/core/inbound/document/build-document';
import type {
  EmailPart,
  ParsedEmail,
} from '../../../../../functions/core/inbound/mail/parse-email';
import { readPdf } from '../../../../support/pdf-reader';

const OPTIONS: DocumentOptions = {
  pageSize: 'letter',
  maxPages: 100,
  maxBytes: 50 * 1024 * 1024,
  cover: false,
};

const COVER = {
  subject: 'Statement',
  sender: 'alice@example.com',
  text: 'My March statement.',
  recipients: [{ name: 'Loans desk', number: '+1 212-555-0100' }],
};

const part = (filename: string, content: Buffer): EmailPart => ({
  filename,
  contentType: 'application/pdf',
  content,
  disposition: 'attachment',
  related: false,
  depth: 0,
});

const email = (parts: EmailPart[]): ParsedEmail => ({
  from: [{ address: 'alice@example.com' }],
  subject: 'Test',
  text: '',
  parts,
  encrypted: false,
});

const build = (parts: EmailPart[], options: Partial<DocumentOptions> = {}) =>
  buildFaxDocument(email(parts), { ...OPTIONS, ...options });

async function shown(outcome: DocumentOutcome): Promise<string[]> {
  if (outcome.kind !== 'document') throw new Error(`refused: ${outcome.refusal.code}`);
  return (await readPdf(outcome.pdf)).map((page) => page.lines.join('\n'));
}

const CIPHERS: RestrictedCipher[] = ['AES-256', 'AES-128', 'RC4-128', 'RC4-40'];

describe('buildFaxDocument: PDFs that open without a password but restrict what one may do', () => {
  for (const cipher of CIPHERS) {
    it(`faxes one encrypted with ${cipher}, its text readable`, async () => {
      const pdf = await makeRestrictedPdf('Balance on 1 March: 1,204.50', cipher);
      const outcome = await build([part('statement.pdf', pdf)]);
      expect(await shown(outcome)).toEqual(['Balance on 1 March: 1,204.50']);
      // Sent decrypted, not as the sender's bytes: a fax renderer need not know the empty password.
      expect(outcome).toMatchObject({ passthrough: false, pages: 1 });
    });
  }

  it('faxes one behind a cover page and beside another PDF', async () => {
    const restricted = await makeRestrictedPdf('Payslip March: net 2,310.00');
    const outcome = await build(
      [part('payslip.pdf', restricted), part('letter.pdf', await makePdf(1))],
      { cover: COVER },
    );
    const pages = await shown(outcome);
    expect(pages).toHaveLength(3);
    expect(pages[0]).toContain('My March statement.');
    expect(pages.slice(1)).toEqual(['Payslip March: net 2,310.00', 'Page 1']);
  });

  for (const cipher of ['AES-256', 'RC4-128'] as const) {
    it(`still refuses a ${cipher} PDF that needs a password to open`, async () => {
      const pdf = await makeRestrictedPdf('Secret', cipher, 'open-sesame');
      expect(await build([part('locked.pdf', pdf)])).toEqual({
        kind: 'refused',
        refusal: { code: 'encrypted_pdf', file: 'locked.pdf' },
      });
    });
  }

  it('still refuses an encryption dictionary it cannot check', async () => {
    expect(await build([part('old.pdf', await makeEncryptedPdf())])).toMatchObject({
      kind: 'refused',
      refusal: { code: 'encrypted_pdf' },
    });
  });
});
