import { escapeToBuffer } from 'hono/utils/html';
import { STATUS_LABELS, statusSchema } from '../../core/status.ts';
import type { DeliveryJob } from '../../outbox/adapter.ts';

/** One outbound mail's words, in text and HTML. */
export interface Notice {
  text: string;
  html: string;
  /** A notice a machine wrote (acknowledgement, status change, SLA, link): Auto-Submitted. An agent's own words are not. */
  automatic: boolean;
}

/** Events a person typed; everything else is a notice Switchboard generated. */
const HUMAN_WORDS = new Set(['comment']);

/** A help article listed in an acknowledgement. */
export interface NoticeArticle {
  title: string;
  snippet: string;
  url: string;
}

export function renderNotice(job: DeliveryJob, link: string, options: { articles?: NoticeArticle[] } = {}): Notice {
  const { eventView: event, ticket } = job;
  const actor = event.actor ? (event.actor.name ?? event.actor.email) : 'Switchboard';
  const data = event.data;
  const status = (value: unknown): string => {
    const parsed = statusSchema.safeParse(value);
    return parsed.success ? STATUS_LABELS[parsed.data] : String(value ?? '');
  };
  let lines: string[];
  switch (event.type) {
    case 'created':
      lines = [
        `We received your request and opened ticket ${ticket.key}: ${ticket.title}.`,
        'Reply to this email to add anything; your reply goes straight to the ticket.',
      ];
      break;
    case 'comment':
      lines = [`${actor} wrote:`, event.body];
      break;
    case 'status_changed':
      lines = [`${ticket.key} is now ${status(data.to)}${data.reason ? ` (${String(data.reason)})` : ''}.`];
      if (data.to === 'waiting_on_requester') lines.push('We need something from you: reply to this email to continue.');
      if (data.to === 'resolved') lines.push('If this is not solved for you, reply to this email and the ticket reopens.');
      break;
    case 'assigned':
      lines = [data.to ? `${ticket.assignee?.name ?? String(data.to)} is now handling ${ticket.key}.` : `${ticket.key} is waiting for someone to pick it up.`];
      break;
    case 'priority_changed':
      lines = [`The priority of ${ticket.key} changed from ${String(data.from)} to ${String(data.to)}.`];
      break;
    case 'comment_edited':
      lines = [`${actor} edited a comment:`, event.body];
      break;
    case 'comment_removed':
      lines = [`${actor} removed a comment from ${ticket.key}.`];
      break;
    case 'access_link_requested':
      lines = [`Here is a fresh link to your ticket ${ticket.key}: ${ticket.title}.`, 'Links expire; ask for a new one from the ticket page whenever you need it.'];
      break;
    case 'sla_breached':
      lines = [`The SLA of ${ticket.key} (${ticket.title}) was breached.`, event.body, `Priority ${ticket.priority}, status ${status(ticket.status)}, assignee ${ticket.assignee?.email ?? 'nobody'}.`];
      break;
    default:
      lines = [event.body || `${ticket.key}: ${event.type.replace(/_/g, ' ')}`];
  }
  const footer = `${ticket.key} · ${status(ticket.status)} · ${link}`;
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
    `<hr><p style="color:#555; font-size: 90%">${escapeHtml(ticket.key)} · ${escapeHtml(status(ticket.status))} · <a href="${escapeHtml(link)}">Open the ticket</a></p>`,
    '</body></html>',
  ].join('\n');
  return { text, html, automatic: !HUMAN_WORDS.has(event.type) || event.actor === null };
}

export function escapeHtml(value: string): string {
  const buffer: [string] = [''];
  escapeToBuffer(value, buffer);
  return buffer[0];
}
