import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * An article's Markdown as HTML that is safe to put in a page: marked renders it, then
 * sanitize-html keeps only text formatting, lists, tables, code and links (http, https,
 * mailto; external ones open with rel="noopener noreferrer"). No raw HTML, scripts, styles
 * or event handlers survive, whatever the file holds.
 */
export function articleHtml(markdown: string): string {
  const rendered = marked.parse(markdown, { async: false, gfm: true });
  return sanitizeHtml(rendered, {
    allowedTags: ['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'code', 'pre', 'blockquote', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'br', 'del'],
    allowedAttributes: { a: ['href', 'rel'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: {
      h1: 'h2',
      a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }),
    },
  });
}
