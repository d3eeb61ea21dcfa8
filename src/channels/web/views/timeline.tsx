import { DateTime } from 'luxon';
import { STATUS_LABELS, statusSchema } from '../../../core/status.ts';
import type { EventView } from '../../../core/view.ts';
import { RichText } from './rich-text.tsx';

const CHANNEL_LABELS: Record<string, string> = { slack: 'Slack', teams: 'Teams', email: 'email', web: 'web', api: 'API', system: 'Switchboard' };

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

/** The public timeline: who said or did what, when, and through which channel. */
export function Timeline({ events, timezone }: { events: EventView[]; timezone: string }) {
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
        </li>
      ))}
    </ol>
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
