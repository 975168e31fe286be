import { describe, expect, it } from 'vitest';
import { readSubjectTags } from '../../../../../functions/core/inbound/mail/subject-tags';

describe('readSubjectTags', () => {
  it.each([
    ['Lab results', 'high', true, true, 'Lab results'],
    ['Lab results [fine]', 'very_high', true, true, 'Lab results'],
    ['[PHOTO] x-ray', 'ultra_light', true, true, 'x-ray'],
    ['Referral [no cover]', 'high', false, true, 'Referral'],
    ['[No-Cover] [Fine] Referral', 'very_high', false, true, 'Referral'],
    ['[nocover]', 'high', false, true, ''],
    ['Invoice [final]', 'high', true, true, 'Invoice [final]'],
    ['Court filing [no retry]', 'high', true, false, 'Court filing'],
    ['[No-Retry] [no cover] Deadline', 'high', false, false, 'Deadline'],
    ['[noretry]', 'high', true, false, ''],
  ])('%s', (subject, quality, cover, retry, clean) => {
    expect(readSubjectTags(subject)).toEqual({ quality, cover, retry, subject: clean });
  });
});
