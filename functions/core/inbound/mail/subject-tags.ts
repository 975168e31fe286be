import type { FaxQuality } from '../../shared/ports';

export interface SubjectTags {
  quality: FaxQuality;
  cover: boolean;
  /** `[no retry]`: dialled once, whatever the failure. */
  retry: boolean;
  /** The subject without the tags, for the cover page. */
  subject: string;
}

const TAG = /\[\s*(fine|photo|no[\s-]?cover|no[\s-]?retry)\s*\]/gi;

/**
 * `[fine]` → very_high, `[photo]` → ultra_light, `[no cover]` → no cover page, `[no retry]` →
 * one dial; any case.
 */
export function readSubjectTags(subject: string): SubjectTags {
  const tags = [...subject.matchAll(TAG)].map((m) =>
    (m[1] ?? '').toLowerCase().replace(/[\s-]/, ''),
  );
  const quality: FaxQuality = tags.includes('fine')
    ? 'very_high'
    : tags.includes('photo')
      ? 'ultra_light'
      : 'high';
  return {
    quality,
    cover: !tags.includes('nocover'),
    retry: !tags.includes('noretry'),
    subject: subject.replace(TAG, ' ').replace(/\s+/g, ' ').trim(),
  };
}
