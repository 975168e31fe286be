import { describe, expect, it } from 'vitest';
import { readSubjectTags } from '../../../../../functions/core/inbound/mail/subject-tags';

describe('readSubjectTags', () => {
  it.each([
    ['Lab results', 'high', true, 'Lab results'],
    ['Lab results [fine]', 'very_high', true, 'Lab results'],
    ['[PHOTO] x-ray', 'ultra_light', true, 'x-ray'],
    ['Referral [no cover]', 'high', false, 'Referral'],
    ['[No-Cover] [Fine] Referral', 'very_high', false, 'Referral'],
    ['[nocover]', 'high', false, ''],
    ['Invoice [final]', 'high', true, 'Invoice [final]'],
  ])('%s', (subject, quality, cover, clean) => {
    expect(readSubjectTags(subject)).toEqual({ quality, cover, subject: clean });
  });
});
