import type { EventView, TicketView } from '../../core/view.ts';
import { noticeOf, type NoticeAudience } from '../../present/notices.ts';
import { escapeHtml, truncate } from './text.ts';

/**
 * The short line an event adds to a conversation (the card carries the state), rendered
 * from the notice model (present/notices.ts). Every piece of text is escaped; the ticket key is bolded.
 */
export function eventLine(event: EventView, ticket: TicketView, audience: string, zone: string): string {
  const side: NoticeAudience = audience === 'requester' || audience === 'watcher' ? 'requester' : audience === 'escalation' ? 'escalation' : 'desk';
  const notice = noticeOf(event, ticket, side, zone);
  const via = side !== 'requester' && event.channel !== 'teams' ? ` (via ${escapeHtml(notice.via)})` : '';
  const headline = escapeHtml(truncate([notice.headline, ...notice.lines].join(' '), 3_000)).replace(ticket.key, `<b>${ticket.key}</b>`);
  return notice.body !== null ? `${headline}${via}: ${escapeHtml(truncate(notice.body, 3_000))}` : `${headline}${via}`;
}
