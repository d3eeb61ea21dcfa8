import { convert } from 'html-to-text';
import type { ParsedMail } from 'mailparser';
import { stripHtmlQuotes } from './html-quotes.ts';
import { stripReply } from './reply-text.ts';

/** A person's new words sit at the top; past this many characters nothing is worth cleaning. */
const MAX_CLEAN_INPUT = 1_000_000;

/** Reply/forward prefixes of the common clients and languages; a forward is kept whole. */
const FORWARD_PREFIXES = ['fwd:', 'fw:', 'fwd :', 'fw :', 'wg:', 'tr:', 'tr :', 'rv:', 'enc:', 'i:', 'inoltro:', 'doorst:', 'pd:', 'vs:', 'пересл:'];

/**
 * The new words of a message: quoted history, quote headers, signatures and phone footers
 * stripped (reply-text.ts, linear time), HTML-only mail pruned by structure first
 * (html-quotes.ts) and converted with html-to-text. The raw message is kept elsewhere, so
 * nothing stripped here is lost.
 */
export function cleanText(mail: Pick<ParsedMail, 'text' | 'html'> & { subject?: string | undefined }): { text: string; from: 'text' | 'html' | 'none' } {
  const forward = isForwardSubject(mail.subject);
  if (mail.text?.trim()) return { text: stripReply(mail.text.slice(0, MAX_CLEAN_INPUT), { forward }), from: 'text' };
  if (typeof mail.html === 'string' && mail.html.trim()) {
    const pruned = stripHtmlQuotes(mail.html.slice(0, MAX_CLEAN_INPUT), { forward });
    return { text: stripReply(htmlToPlain(pruned), { forward }), from: 'html' };
  }
  return { text: '', from: 'none' };
}

export function isForwardSubject(subject: string | undefined): boolean {
  let s = (subject ?? '').trim().toLowerCase();
  if (s.startsWith('[')) s = s.slice(s.indexOf(']') + 1).trimStart();
  return FORWARD_PREFIXES.some((prefix) => s.startsWith(prefix));
}

export function htmlToPlain(html: string): string {
  return convert(html, {
    wordwrap: false,
    limits: { maxInputLength: MAX_CLEAN_INPUT * 2 },
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'head', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
    ],
  });
}
