/**
 * Comment text rendered "markdown-ish" and safely: blank lines make paragraphs, single
 * newlines make line breaks, http(s) URLs become links. Every piece of user text goes
 * through JSX as a text node or an attribute, so hono/jsx escapes it.
 */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
// Punctuation that usually ends a sentence rather than a URL.
const TRAILING = /[.,;:!?)\]]+$/;

export function RichText({ text }: { text: string }) {
  const paragraphs = text.replace(/\r\n?/g, '\n').trim().split(/\n{2,}/);
  return (
    <div class="rich">
      {paragraphs.map((paragraph) => (
        <p>
          {paragraph.split('\n').map((line, i) => (
            <>
              {i > 0 ? <br /> : null}
              {linkify(line)}
            </>
          ))}
        </p>
      ))}
    </div>
  );
}

function linkify(line: string) {
  const parts: unknown[] = [];
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    const start = match.index;
    const trailing = TRAILING.exec(match[0])?.[0] ?? '';
    const url = match[0].slice(0, match[0].length - trailing.length);
    if (start > last) parts.push(line.slice(last, start));
    parts.push(
      <a href={url} rel="nofollow noopener noreferrer" target="_blank">
        {url}
      </a>,
    );
    last = start + url.length;
  }
  if (last < line.length) parts.push(line.slice(last));
  return parts;
}
