import { escapeToBuffer } from 'hono/utils/html';
import type { Catalog } from '../../core/catalog.ts';
import type { DeliveryJob } from '../../outbox/adapter.ts';
import type { Reader } from '../../present/actions.ts';
import { noticeOf, type NoticeAudience } from '../../present/notices.ts';
import { ticketScreen } from '../../present/ticket.ts';

/** One outbound mail's words, in text and HTML. */
export interface Notice {
  text: string;
  html: string;
  /** A notice a machine wrote (acknowledgement, status change, SLA, link): Auto-Submitted. An agent's own words are not. */
  automatic: boolean;
}

/** A help article listed in an acknowledgement. */
export interface NoticeArticle {
  title: string;
  snippet: string;
  url: string;
}

/**
 * One mail from the view models in src/present: the notice for this event (plain text that
 * each part escapes) and, at the foot, the ticket's status as this reader's audience says it.
 * Times are absolute in the reader's zone: a mail stays in an inbox, so it never says "in 2 h".
 */
export function renderNotice(job: DeliveryJob, link: string, catalog: Catalog, options: { articles?: NoticeArticle[]; now?: Date } = {}): Notice {
  const { eventView: event, ticket } = job;
  const audience: NoticeAudience = job.delivery.audience === 'escalation' ? 'escalation' : 'requester';
  const reader: Reader = audience === 'escalation' ? { role: 'agent' } : { role: job.delivery.audience === 'watcher' ? 'watcher' : 'requester' };
  const screen = ticketScreen({ ticket, catalog, reader, readerTimeZone: audience === 'escalation' ? null : job.person?.timeZone, link, now: options.now ?? new Date() });
  const notice = noticeOf(event, ticket, audience, screen.zone);
  const lines: string[] = [notice.body !== null ? `${notice.headline}:` : notice.headline];
  if (notice.body !== null) lines.push(notice.body);
  lines.push(...notice.lines);
  // Only a mail: how to answer it.
  if (event.type === 'created' && audience === 'requester') lines.push('Reply to this email to add anything; your reply goes straight to the ticket.');
  // What was asked, in the catalog's order, on the acknowledgement and on an escalation.
  if ((event.type === 'created' || audience === 'escalation') && screen.fields.length) lines.push(screen.fields.map((f) => `${f.label}: ${f.value}`).join('\n'));
  // Filed while the desk is shut: say so, when it opens and when the first reply is due.
  if (event.type === 'created' && audience === 'requester' && screen.sla) lines.push(screen.sla.closed?.line ?? `${screen.sla.line}.`);
  if (audience === 'escalation') {
    lines.push(screen.facts.filter((f) => f.id === 'priority' || f.id === 'status' || f.id === 'assignee').map((f) => `${f.label}: ${f.value}`).join(' · '));
    if (screen.sla) lines.push(`SLA: ${screen.sla.line}`);
  }
  const status = screen.status.label;
  const footer = `${ticket.key} · ${status} · ${link}`;
  const paragraphs = lines.filter((line) => line.trim() !== '');
  const articles = options.articles ?? [];
  const ARTICLES_INTRO = 'While you wait, these help articles may already answer it:';
  const articleText = articles.length ? `\n\n${ARTICLES_INTRO}\n${articles.map((a) => `\n* ${a.title}\n  ${a.url}${a.snippet ? `\n  ${a.snippet}` : ''}`).join('\n')}` : '';
  const text = `${paragraphs.join('\n\n')}${articleText}\n\n-- \n${footer}\n`;
  const articleHtml = articles.length
    ? [
        `<p>${escapeHtml(ARTICLES_INTRO)}</p>`,
        '<ul>',
        ...articles.map((a) => `<li><a href="${escapeHtml(a.url)}">${escapeHtml(a.title)}</a>${a.snippet ? `<br><span style="color:#555">${escapeHtml(a.snippet)}</span>` : ''}</li>`),
        '</ul>',
      ]
    : [];
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.4">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`),
    ...articleHtml,
    `<hr><p style="color:#555; font-size: 90%">${escapeHtml(ticket.key)} · ${escapeHtml(status)} · <a href="${escapeHtml(link)}">Open the ticket</a></p>`,
    '</body></html>',
  ].join('\n');
  return { text, html, automatic: notice.automatic };
}

export function escapeHtml(value: string): string {
  const buffer: [string] = [''];
  escapeToBuffer(value, buffer);
  return buffer[0];
}
