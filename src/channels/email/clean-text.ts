import EmailReplyParser from 'email-reply-parser';
import { convert } from 'html-to-text';
import type { ParsedMail } from 'mailparser';

const MAX_BODY = 20_000;

/**
 * The new words of a message: quoted history and signatures stripped (email-reply-parser,
 * the willdurand/EmailReplyParser port), HTML-only mail converted with html-to-text first.
 * The raw message is kept elsewhere, so nothing stripped here is lost.
 */
export function cleanText(mail: Pick<ParsedMail, 'text' | 'html'>): { text: string; from: 'text' | 'html' | 'none' } {
  if (mail.text && mail.text.trim()) return { text: newWords(mail.text), from: 'text' };
  if (typeof mail.html === 'string' && mail.html.trim()) return { text: newWords(htmlToPlain(mail.html)), from: 'html' };
  return { text: '', from: 'none' };
}

export function htmlToPlain(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      // Quoted history in the HTML clients' own wrappers.
      { selector: 'blockquote', format: 'skip' },
      { selector: 'div.gmail_quote', format: 'skip' },
      { selector: 'div#appendonsend', format: 'skip' },
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
    ],
  });
}

function newWords(text: string): string {
  const normalized = text.replace(/\r\n/g, '\n');
  const reply = new EmailReplyParser().parseReply(normalized).trim();
  return reply.replace(/\n{3,}/g, '\n\n').slice(0, MAX_BODY);
}
