// For the local-mode tests: a server that records what it receives and answers as told, and PDFs
// to serve.
import { PDFDocument } from 'pdf-lib';

export { type Received, startTestServer, type TestServer } from '../../support/test-server';

export async function pdfWithPages(pages: number): Promise<Buffer> {
  const document = await PDFDocument.create();
  for (let i = 0; i < pages; i++) document.addPage([612, 792]);
  return Buffer.from(await document.save());
}
