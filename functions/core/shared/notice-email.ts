import type { EmailAttachment, OutgoingEmail } from './ports';
import { escapeHtml, headerSafe, withoutInvisible } from './text-safety';

/** `Re: <subject>`, without stacking a second `Re:`. */
export function replySubject(originalSubject: string): string {
  // Text that looks like an encoded word would be decoded again by the reader's mail program,
  // line breaks and all: split its opening so that it stays text.
  const subject = headerSafe(originalSubject).replace(/=\?/g, '= ?');
  if (!subject) return 'Re: your fax';
  return /^re:/i.test(subject) ? subject : `Re: ${subject}`;
}

/** A Message-ID worth echoing in In-Reply-To: one `<...>` token without spaces or controls. */
export function threadId(messageId: string | undefined): string | undefined {
  const id = messageId?.trim();
  return id && /^<[^<>\s\u0000-\u001f\u007f]{1,400}>$/.test(id) ? id : undefined;
}

export interface NoticeContent {
  from: string;
  to: string;
  originalSubject: string;
  originalMessageId?: string;
  /** First line, e.g. "Fax delivered to +1 312-555-1234: 3 pages, 58 s". */
  headline: string;
  /** Plain-text paragraphs; each is escaped for the HTML part. */
  paragraphs: string[];
  /** Shown small at the end (codes, ids). */
  smallPrint?: string[];
  attachments?: EmailAttachment[];
}

/** Builds the notice with the threading, From and sanitising rules every notice shares. */
export function composeNotice(content: NoticeContent): OutgoingEmail {
  const headline = headerSafe(content.headline, 300);
  const paragraphs = content.paragraphs.map((p) => withoutInvisible(p));
  const smallPrint = (content.smallPrint ?? []).map((p) => withoutInvisible(p));
  const text = [headline, ...paragraphs, ...smallPrint, '-- \nfax-bridge'].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">',
    `<p><strong>${escapeHtml(headline)}</strong></p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`),
    ...smallPrint.map(
      (p) => `<p style="font-size:small;color:#666">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`,
    ),
    '</body></html>',
  ].join('\n');
  return {
    from: content.from,
    to: content.to,
    subject: replySubject(content.originalSubject),
    text,
    html,
    inReplyTo: threadId(content.originalMessageId),
    attachments: content.attachments,
  };
}
