/**
 * User text on its way into a Teams message. Lines are sent with textFormat 'xml' (the
 * HTML subset Teams renders; Markdown is not applied), so escaping the HTML-significant
 * characters is enough: no tags, no `<at>` mentions, no links. We never add mention
 * entities, so nothing a user types can notify anyone. Cards put user text in
 * RichTextBlock/TextRun, which Teams renders without Markdown.
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * What a person typed, from an inbound activity: Teams sends HTML-ish text with the
 * bot's `<at>` mention in channels. Tags are dropped and common entities decoded.
 */
export function plainText(text: string | undefined): string {
  return (text ?? '')
    .replace(/<at>[^<]*<\/at>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
