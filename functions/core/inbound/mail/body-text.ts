// The words the sender wrote for this fax: the body without signatures, disclaimers, quoted mail
// and a copier's scan-to-email text.
import { withoutScanBoilerplate } from './scan-boilerplate';

// A line that starts what is not the sender's own text; everything from it on is dropped.
const ENDS_OWN_TEXT: RegExp[] = [
  /^--\s*$/, // signature delimiter ("-- ", often trimmed to "--")
  /^-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|weitergeleitete nachricht|message d'origine|message transféré|mensaje original|mensaje reenviado)\s*-{2,}$/i,
  /^_{10,}$/, // Outlook's rule above a quoted header
  /^begin forwarded message:?$/i,
  /^(on|am|le|el|il|op)\s.{0,300}\s(wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s?:$/i,
  /^(sent from|sent with|sent via|get outlook for|envoyé de mon|envoyé depuis|von meinem|enviado desde|inviato da)\b/i,
  /^(\*+\s*)?(confidentiality notice|confidential(ity)?:|disclaimer|important notice|privileged and confidential)\b/i,
  /^this (e-?mail|message|communication|transmission)\b.{0,80}\b(confidential|privileged|intended (solely|only|for))/i,
  /^the information (contained )?in this (e-?mail|message|communication|transmission)\b/i,
  /^if you (have )?received this (e-?mail|message|communication|transmission) in error\b/i,
  /^please consider the environment\b/i,
];

// "On Mon, 3 Mar 2025 at 10:00, Jane Doe <\njane@example.com> wrote:" is often wrapped over two lines.
const WROTE_CONTINUED = /^(on|am|le|el|il|op)\s/i;
const WROTE_END = /\s(wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s?:$/i;

// Outlook's plain-text reply header: "From: …" with "Sent: …" or "Date: …" just below.
const HEADER_FROM = /^\*?(from|von|de|da)\s?:\*?\s/i;
const HEADER_DATE = /^\*?(sent|date|gesendet|envoyé|enviado|inviato)\s?:\*?\s/i;

// Placeholders mail programs leave where an inline image was. A placeholder holds no '[': without
// that, each of many unclosed "[cid:" would be read to the end of the line (quadratic).
const CLUTTER = /\[cid:[^[\]]*\]|\[image:[^[\]]*\]|\ufffc|\u200b|\u200c|\u200d|\u2060|\ufeff/gi;

export function ownText(text: string): string {
  const lines = withoutScanBoilerplate(text.replace(/\r\n?/g, '\n')).split('\n');
  const kept: string[] = [];
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(CLUTTER, '').trim();
    if (endsOwnText(line, lines, i)) break;
    if (line.startsWith('>')) continue;
    kept.push(raw.replace(CLUTTER, '').trimEnd());
  }
  return kept
    .join('\n')
    .replace(/^[ \t\u00a0]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function endsOwnText(line: string, lines: string[], i: number): boolean {
  if (ENDS_OWN_TEXT.some((pattern) => pattern.test(line))) return true;
  const next = lines[i + 1]?.trim() ?? '';
  const joined = `${line} ${next}`;
  if (
    WROTE_CONTINUED.test(line) &&
    WROTE_END.test(joined) &&
    /\d/.test(joined) &&
    joined.length < 300
  ) {
    return true;
  }
  return (
    HEADER_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => HEADER_DATE.test(l.trim()))
  );
}
