import type { EmailAttachment, OutgoingEmail } from './ports';
import { escapeHtml, headerSafe, withoutInvisible } from './text-safety';

/** What happened, first in the subject, so that an inbox shows the outcome without opening it. */
export type NoticeOutcome = 'delivered' | 'failed' | 'not_sent' | 'partly_sent' | 'attachments';

const SUBJECT_PREFIX: Record<NoticeOutcome, string> = {
  delivered: 'Fax delivered',
  failed: 'Fax failed',
  not_sent: 'Fax not sent',
  partly_sent: 'Fax not sent to every number',
  attachments: 'Fax sent without some attachments',
};

/** `Fax delivered: <subject>`; the threading headers, not a `Re:`, keep it beside the original. */
export function noticeSubject(outcome: NoticeOutcome, originalSubject: string): string {
  // Text that looks like an encoded word would be decoded again by the reader's mail program,
  // line breaks and all: split its opening so that it stays text.
  const subject = headerSafe(originalSubject).replace(/=\?/g, '= ?');
  return subject ? `${SUBJECT_PREFIX[outcome]}: ${subject}` : SUBJECT_PREFIX[outcome];
}

/** A Message-ID worth echoing in In-Reply-To: one `<...>` token without spaces or controls. */
export function threadId(messageId: string | undefined): string | undefined {
  const id = messageId?.trim();
  return id && /^<[^<>\s\u0000-\u001f\u007f]{1,400}>$/.test(id) ? id : undefined;
}

/** One row of the facts table; a value of several lines is a list (files, attempts). */
export interface NoticeFact {
  label: string;
  value: string | string[];
}

export interface NoticeContent {
  outcome: NoticeOutcome;
  from: string;
  to: string;
  originalSubject: string;
  originalMessageId?: string;
  /** First line, e.g. "Fax delivered to (312) 555-1234". */
  headline: string;
  /** The outcome at a glance. */
  facts?: NoticeFact[];
  /** What happened and what to do next, as plain-text paragraphs. */
  paragraphs: string[];
  /** Shown small at the end (codes, ids). */
  smallPrint?: string[];
  /** Who to ask (ADMIN_CONTACT), in the footer. */
  adminContact?: string;
  attachments?: EmailAttachment[];
}

const FOOTER = 'This email was sent automatically by your email-to-fax service.';

const footerLines = (adminContact: string | undefined) =>
  adminContact ? [FOOTER, `Questions: ${adminContact}`] : [FOOTER];

const TONE: Record<NoticeOutcome, string> = {
  delivered: '#1e7b34',
  failed: '#b3261e',
  not_sent: '#b3261e',
  partly_sent: '#a15c00',
  attachments: '#a15c00',
};

interface Clean {
  headline: string;
  facts: { label: string; lines: string[] }[];
  paragraphs: string[];
  smallPrint: string[];
  footer: string[];
}

function clean(content: NoticeContent): Clean {
  return {
    headline: headerSafe(content.headline, 300),
    facts: (content.facts ?? []).map((fact) => ({
      label: fact.label,
      lines: (Array.isArray(fact.value) ? fact.value : [fact.value]).map((v) =>
        withoutInvisible(v),
      ),
    })),
    paragraphs: content.paragraphs.map((p) => withoutInvisible(p)),
    smallPrint: (content.smallPrint ?? []).map((p) => withoutInvisible(p)),
    footer: footerLines(content.adminContact && withoutInvisible(content.adminContact)),
  };
}

/** The facts as a two-column block, the values aligned, the lines of a list under each other. */
function textFacts(facts: Clean['facts']): string[] {
  if (facts.length === 0) return [];
  const width = Math.max(...facts.map((f) => f.label.length)) + 3;
  const rows = facts.flatMap((fact) =>
    fact.lines.map((line, i) => `${(i === 0 ? `${fact.label}:` : '').padEnd(width)}${line}`),
  );
  return [rows.join('\n')];
}

function textPart(c: Clean): string {
  return [
    c.headline,
    ...textFacts(c.facts),
    ...c.paragraphs,
    ...c.smallPrint,
    `-- \n${c.footer.join('\n')}`,
  ].join('\n\n');
}

const htmlLines = (text: string) => escapeHtml(text).replace(/\n/g, '<br>');

function htmlFacts(facts: Clean['facts']): string[] {
  if (facts.length === 0) return [];
  const rows = facts.map(
    (fact) =>
      `<tr><th style="text-align:left;vertical-align:top;padding:4px 16px 4px 0;color:#555;font-weight:normal;white-space:nowrap">${escapeHtml(fact.label)}</th><td style="padding:4px 0">${fact.lines.map(htmlLines).join('<br>')}</td></tr>`,
  );
  return ['<table style="border-collapse:collapse;margin:0 0 16px">', ...rows, '</table>'];
}

function htmlPart(c: Clean, outcome: NoticeOutcome): string {
  return [
    '<!doctype html><html><body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#222">',
    '<div style="max-width:640px">',
    `<h1 style="margin:0 0 16px;padding:0 0 0 12px;border-left:6px solid ${TONE[outcome]};font-size:20px;line-height:1.3">${escapeHtml(c.headline)}</h1>`,
    ...htmlFacts(c.facts),
    ...c.paragraphs.map((p) => `<p style="margin:0 0 12px">${htmlLines(p)}</p>`),
    ...c.smallPrint.map(
      (p) => `<p style="margin:0 0 8px;font-size:13px;color:#666">${htmlLines(p)}</p>`,
    ),
    `<p style="margin:24px 0 0;padding-top:8px;border-top:1px solid #ddd;font-size:13px;color:#666">${c.footer.map(htmlLines).join('<br>')}</p>`,
    '</div></body></html>',
  ].join('\n');
}

/** Builds the notice with the threading, From, layout and sanitising rules every notice shares. */
export function composeNotice(content: NoticeContent): OutgoingEmail {
  const c = clean(content);
  return {
    from: content.from,
    to: content.to,
    subject: noticeSubject(content.outcome, content.originalSubject),
    text: textPart(c),
    html: htmlPart(c, content.outcome),
    inReplyTo: threadId(content.originalMessageId),
    attachments: content.attachments,
  };
}
