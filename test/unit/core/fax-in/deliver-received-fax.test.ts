import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { makePdf, makeTiff } from '../../../../fixtures/documents';
import { deliverReceivedFax } from '../../../../functions/core/fax-in/deliver-received-fax';
import { reportFailedArrival } from '../../../../functions/core/fax-in/failed-arrival';
import { verifyDownloadToken } from '../../../../functions/core/shared/download-link';
import type { Mailer, OutgoingEmail, ReceivedFax } from '../../../../functions/core/shared/ports';
import { FAX_IN_SETTINGS, faxInWorld } from '../../../support/memory-fax-in';

const MEDIA_URL = 'https://telnyx-media.example.com/inbound-1?X-Amz-Expires=600';
const fax = (change: Partial<ReceivedFax> = {}): ReceivedFax => ({
  faxId: 'inbound-1',
  from: '+13125551234',
  to: '+13125550100',
  mediaUrl: MEDIA_URL,
  pageCount: 2,
  ...change,
});

async function worldWith(document: Uint8Array, served = true) {
  const world = faxInWorld();
  if (served) world.fetcher.links.set(MEDIA_URL, document);
  world.telnyx.documents.set('inbound-1', document);
  world.telnyx.mediaUrls.set('inbound-1', MEDIA_URL);
  return world;
}

const recipients = (sent: OutgoingEmail[]) => sent.map((email) => email.to).sort();

describe('a received fax', () => {
  it('is stored and emailed, attached, to each address of its number', async () => {
    const pdf = await makePdf(2);
    const world = await worldWith(pdf);
    const outcome = await deliverReceivedFax(fax(), FAX_IN_SETTINGS, world);
    expect(outcome).toMatchObject({ kind: 'emailed', mode: 'attach', first: true });
    expect(world.store.documents.get('inbound-1')).toEqual(pdf);
    expect(recipients(world.mailer.sent)).toEqual([
      'dr.ortiz@clinic.example',
      'frontdesk@clinic.example',
    ]);
    expect(world.mailer.sent[0]?.attachments?.[0]?.content).toEqual(new Uint8Array(pdf));
  });

  it('is fetched again through a refreshed link when the first has expired (403)', async () => {
    const world = await worldWith(await makePdf(1), false);
    const outcome = await deliverReceivedFax(fax(), FAX_IN_SETTINGS, world);
    expect(outcome.kind).toBe('emailed');
    expect(world.telnyx.refreshed).toEqual(['inbound-1']);
    expect(world.fetcher.fetched).toHaveLength(2);
    expect(world.store.documents.has('inbound-1')).toBe(true);
  });

  it('is fetched through a refreshed link when Telnyx lists none', async () => {
    const world = await worldWith(await makePdf(1), false);
    world.telnyx.mediaUrls.delete('inbound-1');
    const outcome = await deliverReceivedFax(fax({ mediaUrl: undefined }), FAX_IN_SETTINGS, world);
    expect(outcome.kind).toBe('emailed');
    expect(world.telnyx.refreshed).toEqual(['inbound-1']);
  });

  it("is believed only as this account's Telnyx tells it: the event's own link is never fetched", async () => {
    const world = await worldWith(await makePdf(1));
    const forged = fax({ faxId: 'someone-elses', mediaUrl: 'http://169.254.169.254/latest/' });
    const outcome = await deliverReceivedFax(forged, FAX_IN_SETTINGS, world);
    expect(outcome).toMatchObject({ kind: 'not_ours' });
    expect(world.fetcher.fetched).toEqual([]);
    expect(world.mailer.sent).toEqual([]);
    world.telnyx.receivedOn.set('inbound-1', '+13125550199');
    const otherNumber = await deliverReceivedFax(
      fax({ faxId: 'inbound-1' }),
      FAX_IN_SETTINGS,
      world,
    );
    expect(otherNumber).toMatchObject({ kind: 'not_ours', detail: 'received on another number' });
    expect(world.mailer.sent).toEqual([]);
  });

  it('comes back when neither the link nor its refresh give the document', async () => {
    const world = faxInWorld();
    world.telnyx.known.add('inbound-1');
    const outcome = await deliverReceivedFax(fax(), FAX_IN_SETTINGS, world);
    expect(outcome).toMatchObject({ kind: 'fetch_failed' });
    expect(world.mailer.sent).toEqual([]);
  });

  it('is stored as a PDF of its pages when Telnyx serves a TIFF', async () => {
    const tiff = makeTiff(1728, 1100, { pages: 3, resolution: [204, 98] });
    const world = await worldWith(tiff);
    const outcome = await deliverReceivedFax(fax({ pageCount: undefined }), FAX_IN_SETTINGS, world);
    expect(outcome.kind).toBe('emailed');
    const stored = world.store.documents.get('inbound-1') as Uint8Array;
    expect(Buffer.from(stored.subarray(0, 5)).toString()).toBe('%PDF-');
    const pdf = await PDFDocument.load(stored);
    expect(pdf.getPageCount()).toBe(3);
    // 1728 pixels at 204 dpi across, 1100 at 98 dpi down: a Letter-wide fax page.
    expect(pdf.getPage(0).getWidth()).toBeCloseTo((1728 / 204) * 72, 1);
    expect(pdf.getPage(0).getHeight()).toBeCloseTo((1100 / 98) * 72, 1);
    expect(world.mailer.sent[0]?.subject).toBe('Fax from +1 312-555-1234, 3 pages');
  });

  it('is neither stored nor emailed when it is not a PDF or TIFF', async () => {
    const world = await worldWith(new Uint8Array(Buffer.from('<html>error</html>')));
    const outcome = await deliverReceivedFax(fax(), FAX_IN_SETTINGS, world);
    expect(outcome).toMatchObject({ kind: 'not_a_fax_document' });
    expect(world.store.documents.size).toBe(0);
    expect(world.mailer.sent).toEqual([]);
  });

  it('is stored but emailed to nobody when its number has no route and there is no *', async () => {
    const world = await worldWith(await makePdf(1));
    const { '*': _, ...numbered } = FAX_IN_SETTINGS.routes;
    const settings = { ...FAX_IN_SETTINGS, routes: numbered };
    world.telnyx.receivedOn.set('inbound-1', '+13125550199');
    const outcome = await deliverReceivedFax(fax({ to: '+13125550199' }), settings, world);
    expect(outcome.kind).toBe('unrouted');
    expect(world.store.documents.has('inbound-1')).toBe(true);
    expect(world.mailer.sent).toEqual([]);
  });

  it('from a blocked caller is stored but emailed to nobody', async () => {
    const world = await worldWith(await makePdf(1));
    const outcome = await deliverReceivedFax(fax({ from: '+13125559999' }), FAX_IN_SETTINGS, world);
    expect(outcome.kind).toBe('blocked');
    expect(world.store.documents.has('inbound-1')).toBe(true);
    expect(world.mailer.sent).toEqual([]);
  });

  it('on another number goes to the * route as a signed link that names the fax', async () => {
    const world = await worldWith(await makePdf(1));
    world.telnyx.receivedOn.set('inbound-1', '+13125550199');
    const outcome = await deliverReceivedFax(fax({ to: '+13125550199' }), FAX_IN_SETTINGS, world);
    expect(outcome).toMatchObject({ kind: 'emailed', mode: 'link' });
    const [email] = world.mailer.sent;
    expect(email?.to).toBe('admin@clinic.example');
    expect(email?.attachments).toBeUndefined();
    const token = /faxes-in\/(\S+)/.exec(email?.text ?? '')?.[1] ?? '';
    const verdict = verifyDownloadToken(
      token,
      new Date('2026-03-12T15:14:00Z'),
      await world.linkSecret(),
    );
    expect(verdict).toMatchObject({ valid: true, faxId: 'inbound-1' });
    expect(
      verifyDownloadToken(token, new Date('2026-03-12T15:16:00Z'), await world.linkSecret()),
    ).toMatchObject({
      valid: false,
      reason: 'expired',
    });
  });

  it('delivered twice emails each address once and records the fax once', async () => {
    const world = await worldWith(await makePdf(1));
    const first = await deliverReceivedFax(fax(), FAX_IN_SETTINGS, world);
    // The redelivery comes after Telnyx's link expired: the stored copy is used.
    world.fetcher.links.clear();
    const again = await deliverReceivedFax(fax(), FAX_IN_SETTINGS, world);
    expect(first.first).toBe(true);
    expect(again).toMatchObject({
      first: false,
      kind: 'emailed',
      emails: { sent: 0, alreadySent: 2 },
    });
    expect(world.mailer.sent).toHaveLength(2);
    expect(world.telnyx.refreshed).toEqual([]);
  });

  it('after SES refused one email, sends that one on the retry and the others not again', async () => {
    const world = await worldWith(await makePdf(1));
    const sent: string[] = [];
    let refuse = 'dr.ortiz@clinic.example';
    const flaky: Mailer = {
      async send(email) {
        if (email.to === refuse)
          throw Object.assign(new Error('throttled'), { name: 'Throttling' });
        sent.push(email.to);
      },
    };
    const deps = { ...world, mailer: flaky };
    const first = await deliverReceivedFax(fax(), FAX_IN_SETTINGS, deps);
    expect(first).toMatchObject({ kind: 'emails_pending', emails: { sent: 1, failed: 1 } });
    refuse = '';
    const retry = await deliverReceivedFax(fax(), FAX_IN_SETTINGS, deps);
    expect(retry).toMatchObject({ kind: 'emailed', emails: { sent: 1, alreadySent: 1 } });
    expect(sent.sort()).toEqual(['dr.ortiz@clinic.example', 'frontdesk@clinic.example']);
  });

  it('logs ids and counts, never the caller, its name or the link', async () => {
    const world = await worldWith(await makePdf(1));
    await deliverReceivedFax(
      fax({ callerName: 'Dr. Ortiz', to: '+13125550199' }),
      FAX_IN_SETTINGS,
      world,
    );
    const logged = JSON.stringify(world.log.entries);
    expect(logged).not.toContain('Ortiz');
    expect(logged).not.toContain('+13125551234');
    expect(logged).not.toContain('X-Amz');
  });
});

describe('a fax that did not arrive', () => {
  it('is told to each address of its route, once each', async () => {
    const world = faxInWorld();
    world.telnyx.known.add('inbound-2');
    const message = {
      kind: 'failed' as const,
      fax: { faxId: 'inbound-2', from: '+13125551234', to: '+13125550100' },
      failureReason: 'sender_call_dropped',
    };
    expect(await reportFailedArrival(message, FAX_IN_SETTINGS, world)).toMatchObject({
      kind: 'notified',
    });
    await reportFailedArrival(message, FAX_IN_SETTINGS, world);
    expect(recipients(world.mailer.sent)).toEqual([
      'dr.ortiz@clinic.example',
      'frontdesk@clinic.example',
    ]);
    expect(world.mailer.sent[0]?.subject).toBe('Fax from +1 312-555-1234 did not arrive');
  });
});
