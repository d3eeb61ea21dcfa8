import type { TimelineEntry } from '../../../present/notices.ts';
import { RichText } from './rich-text.tsx';

export type AttachmentLink = (file: { path: string }) => string;

/**
 * The timeline of a ticket, on the requester's page and in the agent workspace alike (the
 * entries come from present/notices.ts: who, what in words, via which channel, when, files).
 * Internal notes only ever reach it on the desk's page, and are marked.
 */
export function Timeline({ entries, attachmentLink }: { entries: TimelineEntry[]; attachmentLink?: AttachmentLink | undefined }) {
  return (
    <ol class="timeline">
      {entries.map((entry) => (
        <li class={`entry entry-${entry.type}${entry.internal ? ' internal' : ''}${entry.mine ? ' mine' : ''}`} id={`event-${entry.id}`}>
          <div class="entry-head">
            {entry.internal ? <strong class="tag-internal">Internal note · </strong> : null}
            <span class="who">{entry.who}</span>
            {entry.actorIsRequester && !entry.mine ? <span class="muted"> (requester)</span> : null} <span class="what">{entry.what}</span>{' '}
            <span class={`via via-${entry.via.channel}`}>via {entry.via.label}</span> <time datetime={entry.at.iso}>{entry.at.text}</time>
          </div>
          {entry.body ? <RichText text={entry.body} /> : null}
          <Attachments entry={entry} link={attachmentLink} />
        </li>
      ))}
    </ol>
  );
}

function Attachments({ entry, link }: { entry: TimelineEntry; link: AttachmentLink | undefined }) {
  if (!entry.attachments.length && !entry.refused.length) return null;
  return (
    <ul class="attachments">
      {entry.attachments.map((file) => (
        <li>
          {link ? <a href={link(file)}>{file.filename}</a> : file.filename} <span class="muted small">({file.kb} KB)</span>
        </li>
      ))}
      {entry.refused.map((file) => (
        <li class="muted">
          {file.filename}: not kept ({file.reason})
        </li>
      ))}
    </ul>
  );
}
