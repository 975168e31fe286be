// Text from the sender's email reaches our headers and HTML; these keep it inert.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const BIDI_AND_INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** One line of plain text, safe for a header: no CR/LF or control characters, no bidi overrides. */
export function headerSafe(value: string, maxLength = 200): string {
  const flat = value
    .replace(CONTROL, ' ')
    .replace(BIDI_AND_INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Text without bidi overrides and invisible characters, which could disguise what it says. */
export const withoutInvisible = (value: string): string => value.replace(BIDI_AND_INVISIBLE, '');
