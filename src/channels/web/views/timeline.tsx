import { DateTime } from 'luxon';
import { STATUS_LABELS, statusSchema } from '../../../core/status.ts';
import type { EventView } from '../../../core/view.ts';
import { z } from 'zod';
import { RichText } from './rich-text.tsx';

/** Files an email brought in (see src/channels/email/attachments.ts), as kept in the event's data. */
const attachmentsSchema = z.array(z.object({ filename: z.string(), size: z.number(), path: z.string() })).catch([]);
const refusedSchema = z.array(z.object({ filename: z.string(), reason: z.string() })).catch([]);
export type AttachmentLink = (file: { path: string }) => string;

const CHANNEL_LABELS: Record<string, string> = { slack: 'Slack', teams: 'Teams', email: 'email', web: 'web', api: 'API', system: 'Switchboard' };

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

/** The public timeline: who said or did what, when, and through which channel. */
export function Timeline({ events, timezone, attachmentLink }: { events: EventView[]; timezone: string; attachmentLink?: AttachmentLink }) {
  return (
    <ol class="timeline">
      {events.map((event) => (
        <li class={`entry entry-${event.type}${event.actor?.role === 'requester' ? ' mine' : ''}`} id={`event-${event.id}`}>
          <div class="entry-head">
            <span class="who">{actorName(event)}</span> <span class="what">{summary(event)}</span>{' '}
            <span class={`via via-${event.channel}`}>via {channelLabel(event.channel)}</span>{' '}
            <time datetime={event.createdAt}>{DateTime.fromISO(event.createdAt).setZone(timezone).toFormat('d LLL, HH:mm')}</time>
          </div>
          {event.body && (event.type === 'comment' || event.type === 'created') ? <RichText text={event.body} /> : null}
          <Attachments event={event} link={attachmentLink} />
        </li>
      ))}
    </ol>
  );
}

function Attachments({ event, link }: { event: EventView; link: AttachmentLink | undefined }) {
  const kept = attachmentsSchema.parse(event.data.attachments ?? []);
  const refused = refusedSchema.parse(event.data.refusedAttachments ?? []);
  if (!kept.length && !refused.length) return null;
  return (
    <ul class="attachments">
      {kept.map((file) => (
        <li>
          {link ? <a href={link(file)}>{file.filename}</a> : file.filename} <span class="muted small">({Math.max(1, Math.round(file.size / 1024))} KB)</span>
        </li>
      ))}
      {refused.map((file) => (
        <li class="muted">
          {file.filename}: not kept ({file.reason})
        </li>
      ))}
    </ul>
  );
}

function actorName(event: EventView): string {
  if (!event.actor) return 'Switchboard';
  if (event.actor.role === 'requester') return 'You';
  return event.actor.name ?? event.actor.email;
}

function summary(event: EventView): string {
  switch (event.type) {
    case 'created':
      return 'opened this request';
    case 'comment':
      return 'wrote';
    case 'status_changed': {
      const to = statusSchema.safeParse(event.data.to);
      return to.success ? `changed the status to ${STATUS_LABELS[to.data]}` : 'changed the status';
    }
    default:
      return event.body || event.type.replace(/_/g, ' ');
  }
}
