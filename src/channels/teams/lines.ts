import type { EventView, TicketView } from '../../core/view.ts';
import { STATUS_LABELS, statusSchema } from '../../core/status.ts';
import { escapeHtml, truncate } from './text.ts';

/**
 * The short line an event adds to a conversation (the card carries the state). Every
 * piece of user text is escaped; the ticket key and labels are ours.
 */
export function eventLine(event: EventView, ticket: TicketView, audience: string): string {
  const who = escapeHtml(event.actor ? (event.actor.name ?? event.actor.email) : 'Switchboard');
  const body = escapeHtml(truncate(event.body, 3_000));
  const via = event.channel === 'teams' ? '' : ` (via ${escapeHtml(event.channel)})`;
  switch (event.type) {
    case 'created':
      return `<b>${ticket.key}</b> filed by ${who}${via}: ${escapeHtml(truncate(ticket.title, 200))}`;
    case 'comment':
      if (event.visibility === 'internal') return `Internal note from ${who}${via}: ${body}`;
      if (audience === 'requester' || audience === 'watcher') return `<b>${ticket.key}</b> · ${who} replied: ${body}`;
      if (event.actor?.role === 'requester') return `${who} (requester)${via}: ${body}`;
      return `${who}${via} replied to the requester: ${body}`;
    case 'comment_edited':
      return `${who}${via} edited a message${event.visibility === 'internal' ? ' (internal note)' : ''}: ${body}`;
    case 'comment_removed':
      return `${who}${via} removed a message`;
    case 'status_changed': {
      const to = statusSchema.safeParse(event.data.to);
      const label = to.success ? STATUS_LABELS[to.data] : escapeHtml(String(event.data.to ?? ''));
      return `<b>${ticket.key}</b> is now ${label}${event.actor ? ` (by ${who})` : ''}`;
    }
    default:
      return `<b>${ticket.key}</b> · ${body || escapeHtml(event.type)}${event.actor ? ` (by ${who})` : ''}`;
  }
}
