import { describe, expect, it } from 'vitest';
import { SCAN_EMAILS } from '../../../../../fixtures/scan-emails';
import { ownText } from '../../../../../functions/core/inbound/mail/body-text';
import { withoutScanBoilerplate } from '../../../../../functions/core/inbound/mail/scan-boilerplate';

describe('withoutScanBoilerplate', () => {
  for (const scan of SCAN_EMAILS) {
    it(`leaves nothing of the ${scan.maker} default body`, () => {
      expect(ownText(scan.body.join('\r\n'))).toBe('');
    });

    it(`keeps what the sender typed above the ${scan.maker} device text`, () => {
      const body = ['Dr. Smith: the signed consent, as promised.', '', ...scan.body].join('\n');
      expect(ownText(body)).toBe('Dr. Smith: the signed consent, as promised.');
    });
  }

  it.each([
    'I scanned this on the Xerox at the front desk, sorry it is crooked.',
    'Our Ricoh MP C3004 jammed, so page 2 is a photo.',
    'This document was sent from our office by courier as well.',
    'Please open the attached document and sign page 3.',
    'Scanned from the Xerox upstairs because ours is broken, sorry.',
    'Scanned with HP LaserJet 400 because the Canon MF4450 was busy all morning and I had to wait.',
    'Device name: not important. Location: room 4.',
    'The attached image shows the rash on day 3.',
  ])('keeps a person\'s sentence: "%s"', (line) => {
    expect(withoutScanBoilerplate(line)).toBe(line);
    expect(ownText(line)).toBe(line);
  });
});
