// Every real-world email in /work/shared/fixtures/emails/real gets the outcome its SOURCES.md names.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { buildFaxDocument } from '../../../../functions/core/inbound/document/build-document';
import { parseEmail } from '../../../../functions/core/inbound/mail/parse-email';
import type { Refusal } from '../../../../functions/core/inbound/refusals';
import { realEmailsDir, sharedName } from '../../../support/paths';

const dir = realEmailsDir;

type SourcesCode =
  | 'NO_ATTACHMENT'
  | 'UNSUPPORTED_TYPE'
  | 'INVALID_DOCUMENT'
  | 'EMPTY_ATTACHMENT'
  | 'ENCRYPTED';

// SOURCES.md's reject reasons in this project's refusal codes.
const REFUSAL_CODE: Record<SourcesCode, Refusal['code']> = {
  NO_ATTACHMENT: 'no_document',
  UNSUPPORTED_TYPE: 'unsupported_document',
  INVALID_DOCUMENT: 'unreadable_document',
  EMPTY_ATTACHMENT: 'empty_attachment',
  ENCRYPTED: 'encrypted_email',
};

/** `because` says why this bridge departs from (or chooses within) SOURCES.md. */
type Expected = { because?: string } & (
  | { fax: [filename: string, pages: number][]; skipped?: string[] }
  | { reject: SourcesCode; file?: string; files?: string[] }
);

const EXPECTED: Record<string, Expected> = {
  'apple-mail-application-pdf-not-a-pdf-with-p7s.eml': {
    reject: 'INVALID_DOCUMENT',
    file: 'test.pdf',
  },
  'apple-mail-forwarded-rfc822-with-truncated-pdf.eml': {
    reject: 'INVALID_DOCUMENT',
    file: 'broken.pdf',
  },
  'apple-mail-html-related-inline-favicon-only.eml': { reject: 'NO_ATTACHMENT' },
  'apple-mail-smime-multipart-signed-inline-png.eml': {
    reject: 'INVALID_DOCUMENT',
    file: 'truncated.png',
    because:
      'SOURCES says FAX, but truncated.png is truncated: its iTXt chunk claims 12,805 bytes of a 1,902-byte file and no IDAT (pixel data) is left, so nothing can be drawn.',
  },
  'apple-mail-two-inline-pdfs-interleaved-html.eml': {
    fax: [
      ['attachment1.pdf', 1],
      ['attachment2.pdf', 1],
    ],
  },
  'boundary-prefix-clash-pdf-stub.eml': {
    reject: 'INVALID_DOCUMENT',
    file: 'Daily_Stats-2022-05-12-0700.pdf',
  },
  'evolution-2.12-two-png-same-filename.eml': {
    fax: [
      ['blob.png', 1],
      ['blob.png', 1],
    ],
    skipped: ['rhubarb.txt'],
  },
  'exchange-pdf-rfc2047-filename-body-not-pdf.eml': {
    reject: 'INVALID_DOCUMENT',
    file: '50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829.pdf',
  },
  'exchange-style-boundary-pdf-attachment.eml': { fax: [['test.pdf', 1]] },
  'google-docs-pdf-inline-single-dash-boundary.eml': { fax: [['file.pdf', 1]] },
  'ibm-notes-9-inline-cid-gifs-octet-stream-pdf.eml': {
    fax: [['Move To Eight ZWEP6227F.pdf', 10]],
  },
  'iphone-mail-ios11-inline-jpeg-between-text.eml': { fax: [['image1.jpeg', 1]] },
  'iphone-mail-ios4-inline-photo-jpg.eml': { fax: [['photo.JPG', 1]] },
  'mime-torture-nested-rfc822-gzip-only.eml': {
    because:
      'SOURCES leaves it open: any image attached as an attachment is faxed, so dot.gif (two forwards deep) is, and the gzip and HTML files are reported.',
    fax: [['dot.gif', 1]],
    skipped: ['blah.gz', 'blah1.gz', 'attachment-1', 'htmlfile.html'],
  },
  'ms-cdo-pdf-invoice-malformed-content-type-missing-semicolon.eml': {
    reject: 'INVALID_DOCUMENT',
    file: 'Invoice_302232133150612.pdf',
  },
  'ms-cdo-pdf-invoice-unquoted-tspecials-filename.eml': {
    reject: 'INVALID_DOCUMENT',
    file: 'Invoice_(302232133150612).pdf',
  },
  'ms-cdo-related-inline-jpeg-logos-octet-stream-pdf.eml': { fax: [['Bollettino.pdf', 2]] },
  'netscape-4.7-triple-nested-forward-jpeg.eml': { fax: [['aprilfools.jpg', 1]] },
  'nodemailer-cid-images-with-attachment-disposition.eml': {
    reject: 'UNSUPPORTED_TYPE',
    files: ['notes.txt'],
    because:
      'SOURCES says NO_ATTACHMENT, but its own policy item 6 (and the rfc2231 fixture) make a .txt attachment UNSUPPORTED_TYPE; naming notes.txt tells the sender more. The cid images are still not faxed.',
  },
  'nss-smime-enveloped-encrypted-only.eml': { reject: 'ENCRYPTED' },
  'nss-smime-opaque-signed-data-text-only.eml': { reject: 'NO_ATTACHMENT' },
  'outlook-2016-tnef-winmail-dat-with-jpeg.eml': {
    because: 'TNEF is decoded, so the kitten inside winmail.dat is faxed.',
    fax: [['kitten-playing-with-a-christmas-tree.jpg', 1]],
  },
  'pdf-raw-8bit-filename.eml': { fax: [['Kelvinsong—Font_test_page_bold.pdf', 1]] },
  'rfc2231-continuation-filenames-text-plain-named-pdf.eml': {
    reject: 'UNSUPPORTED_TYPE',
    files: [
      'Buchungsbestätigung- Rechnung-Geschäftsbedingungen-Nr.B123-45 - XXXXX xxxxxxxxxxxxxxxxx XxxX, Lüxxxxxxxxxx - VM Klaus XXXXXX - xxxxxxxx.pdf',
      '01_A€àä????@Z-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz.txt',
      '02_A€àäąбيد@Z-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz-0123456789-qwertyuiopasdfghjklzxcvbnmopqrstuvz.txt',
    ],
  },
  'single-part-image-png-empty-body-newline-in-b-encoded-filename.eml': {
    reject: 'EMPTY_ATTACHMENT',
    file: 'Kontoutskrift for 1506.14.90466 Bedriftskonto.pdf',
  },
  'swiftmailer-pdf-docx-odt-png-rfc2231-plus-base64-rfc822.eml': {
    fax: [
      ['Hello from SwiftMailer.pdf', 1],
      ['Cours-Tutoriels-Serge-Tahé-1568x268.png', 1],
    ],
    skipped: ['Hello from SwiftMailer.docx', 'Hello from SwiftMailer.odt'],
  },
  'thunderbird-24-smime-signed-jpeg.eml': { fax: [['signed.jpg', 1]] },
  'thunderbird-52-inline-cid-png-plus-attached-png.eml': { fax: [['FF4D00-1.png', 1]] },
  'thunderbird-59-png-attachment.eml': { fax: [['attach.png', 1]] },
  'very-long-folded-subject-header-200kb.eml': { reject: 'NO_ATTACHMENT' },
  'yahoo-mail-png-raw-utf8-cyrillic-filename.eml': {
    fax: [['Картинка с очень, очень длинным предлинным именем преименем таким чт', 1]],
  },
};

describe.runIf(existsSync(dir))(sharedName('real-world emails (SOURCES.md)'), () => {
  it('has an expectation for every fixture', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, expected) => {
    const email = await parseEmail(readFileSync(path.join(dir, file)));
    const outcome = await buildFaxDocument(email, {
      pageSize: 'letter',
      maxPages: 350,
      maxBytes: 50 * 1024 * 1024,
      cover: false,
    });
    if ('reject' in expected) {
      expect(outcome.kind === 'refused' && outcome.refusal).toEqual({
        code: REFUSAL_CODE[expected.reject],
        ...(expected.file ? { file: expected.file } : {}),
        ...(expected.files ? { files: expected.files } : {}),
      });
      return;
    }
    if (outcome.kind === 'refused') throw new Error(`refused: ${JSON.stringify(outcome.refusal)}`);
    expect(outcome.files.map((f) => [f.filename, f.pages])).toEqual(expected.fax);
    expect(outcome.skipped.map((s) => s.filename)).toEqual(expected.skipped ?? []);
    const pdf = await PDFDocument.load(outcome.pdf);
    expect(pdf.getPageCount()).toBe(expected.fax.reduce((sum, [, pages]) => sum + pages, 0));
    expect(outcome.pages).toBe(pdf.getPageCount());
  });
});
