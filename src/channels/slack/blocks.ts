import type { ActionsBlockElement, KnownBlock } from '@slack/types';
import type { Catalog } from '../../core/catalog.ts';
import { PRIORITIES } from '../../core/catalog.ts';
import { queueCalendar, slaSummary } from '../../core/sla/explain.ts';
import { STATUS_LABELS, allowedNext } from '../../core/status.ts';
import { approvalsLine, type EventView, type TicketView } from '../../core/view.ts';

// Block Kit for the triage card, the requester's card, thread lines and the type picker.
// Everything a person typed goes through `mrkdwn()` before it lands in a mrkdwn field.

/**
 * Slack's "Escaping text" rule (docs.slack.dev/messaging/formatting-message-text#escaping-text):
 * replace &, < and > with HTML entities and nothing else, so `<!channel>`, `<@U…>` and
 * `<https://…|links>` typed by a user show as text instead of pinging or linking.
 * (slack-mrkdwn / slackify-markdown convert Markdown; we only need the three-character escape.)
 */
export function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export type Block = KnownBlock;

const plain = (text: string) => ({ type: 'plain_text' as const, text: text.slice(0, 75) || ' ', emoji: true });
const md = (text: string) => ({ type: 'mrkdwn' as const, text: text.slice(0, 2_900) || ' ' });

function who(person: { email: string; name: string | null } | null): string {
  if (!person) return '_nobody_';
  return mrkdwn(person.name ? `${person.name} (${person.email})` : person.email);
}

/** `<!date^…>` renders in each reader's own time zone; the fallback is plain UTC. */
function when(iso: string | null): string {
  if (!iso) return 'no target';
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${iso.slice(0, 16).replace('T', ' ')} UTC>`;
}

/** The SLA in one line: the clock that matters now (core's slaSummary), and when resolution is due. */
export function slaLine(ticket: TicketView, catalog: Catalog, now = new Date()): string {
  const summary = slaSummary(ticket, now, queueCalendar(catalog, ticket.queue));
  if (summary === 'no SLA') return 'No SLA';
  const due = ticket.sla.resolution.dueAt ? ` · resolution due ${when(ticket.sla.resolution.dueAt)}` : '';
  return `${mrkdwn(summary.charAt(0).toUpperCase() + summary.slice(1))}${due}`;
}

function linkTo(url: string, label: string): string {
  return `<${mrkdwn(url)}|${label}>`;
}

function fieldLines(ticket: TicketView, catalog: Catalog): string {
  const defs = catalog.request_types[ticket.type]?.fields ?? [];
  return Object.entries(ticket.fields)
    .map(([id, value]) => `*${mrkdwn(defs.find((f) => f.id === id)?.label ?? id)}:* ${mrkdwn(String(value))}`)
    .join('\n');
}

/** Fallback text for notifications; also mrkdwn-parsed by Slack, hence escaped. */
export function cardText(ticket: TicketView): string {
  return mrkdwn(`${ticket.key} ${ticket.title} · ${STATUS_LABELS[ticket.status]}`);
}

/** The triage card: the root of the ticket's thread in the queue's channel. */
export function triageCard(ticket: TicketView, catalog: Catalog, link: string, why?: string): Block[] {
  const typeName = catalog.request_types[ticket.type]?.name ?? ticket.type;
  const blocks: Block[] = [
    // A mrkdwn section rather than a header block: one escaping rule for every user string on the card.
    { type: 'section', block_id: 'title', text: md(`*${ticket.key}* ${mrkdwn(ticket.title)}`) },
    {
      type: 'section',
      block_id: 'summary',
      fields: [
        md(`*Type*\n${mrkdwn(typeName)}`),
        md(`*Requester*\n${who(ticket.requester)}`),
        md(`*Priority*\n${ticket.priority}`),
        md(`*Status*\n${STATUS_LABELS[ticket.status]}`),
        md(`*Assignee*\n${who(ticket.assignee)}`),
      ],
    },
    { type: 'section', block_id: 'sla', text: md(`*SLA* ${slaLine(ticket, catalog)}`) },
  ];
  const approvals = approvalsLine(ticket);
  if (approvals) blocks.push({ type: 'context', block_id: 'approvals', elements: [md(mrkdwn(approvals))] });
  // Why the due time is what it is (target, start, pauses, holidays).
  if (why) blocks.push({ type: 'context', block_id: 'sla_why', elements: [md(mrkdwn(why.charAt(0).toUpperCase() + why.slice(1)))] });
  const fields = fieldLines(ticket, catalog);
  if (fields) blocks.push({ type: 'section', block_id: 'fields', text: md(fields) });
  if (ticket.description) blocks.push({ type: 'section', block_id: 'description', text: md(mrkdwn(ticket.description)) });
  blocks.push({ type: 'context', elements: [md(linkTo(link, 'Open the ticket page'))] });
  blocks.push({ type: 'actions', block_id: `card:${ticket.key}`, elements: cardActions(ticket, catalog) });
  return blocks;
}

function option(text: string, value: string) {
  return { text: plain(text), value };
}

/** The queue's agents and leads from the catalog roster: the only people Assign offers. */
export function queueAgents(catalog: Catalog, queueKey: string): string[] {
  const queue = catalog.queues[queueKey];
  return queue ? [...new Set([...queue.agents, ...queue.leads])] : [];
}

function cardActions(ticket: TicketView, catalog: Catalog): ActionsBlockElement[] {
  const elements: ActionsBlockElement[] = [];
  if (!ticket.assignee && ticket.status !== 'closed') {
    elements.push({ type: 'button', action_id: 'card_claim', text: plain('Claim'), value: ticket.key, style: 'primary' });
  }
  const agents = queueAgents(catalog, ticket.queue).filter((email) => email !== ticket.assignee?.email);
  if (agents.length) {
    // A static list of the queue's agents (not users_select, which would offer the whole workspace).
    elements.push({ type: 'static_select', action_id: 'card_assign', placeholder: plain('Assign'), options: agents.slice(0, 100).map((email) => option(email, email)) });
  }
  const next = allowedNext(ticket.status);
  if (next.length) {
    elements.push({ type: 'static_select', action_id: 'card_status', placeholder: plain('Status'), options: next.map((s) => option(STATUS_LABELS[s], s)) });
  }
  elements.push({
    type: 'static_select',
    action_id: 'card_priority',
    placeholder: plain('Priority'),
    options: PRIORITIES.filter((p) => p !== ticket.priority).map((p) => option(p, p)),
  });
  elements.push({ type: 'button', action_id: 'card_reply', text: plain('Reply to requester'), value: ticket.key });
  return elements;
}

/** The requester's smaller card in their DM (or channel) thread: status, assignee, SLA, link. */
export function requesterCard(ticket: TicketView, catalog: Catalog, link: string): Block[] {
  return [
    { type: 'section', block_id: 'summary', text: md(`*${ticket.key}* ${mrkdwn(ticket.title)}`) },
    {
      type: 'context',
      elements: [
        md(`*Status:* ${STATUS_LABELS[ticket.status]} · *Assignee:* ${who(ticket.assignee)} · *SLA:* ${slaLine(ticket, catalog)}`),
        ...(approvalsLine(ticket) ? [md(mrkdwn(approvalsLine(ticket)!))] : []),
        md(`${linkTo(link, 'Open the ticket page')} · Reply in this thread to add to the ticket.`),
      ],
    },
  ];
}

const EVENT_ICON: Record<string, string> = {
  comment: '💬',
  status_changed: '🔀',
  assigned: '👤',
  priority_changed: '⚡',
  comment_edited: '✏️',
  comment_removed: '🗑️',
  sla_warning: '⏰',
  sla_breached: '🔴',
};

/** One short line in a thread for an event; `audience` decides what an internal note shows. */
export function threadLine(event: EventView): string {
  const icon = EVENT_ICON[event.type] ?? '•';
  const actor = event.actor ? `*${mrkdwn(event.actor.name ?? event.actor.email)}*` : '_Switchboard_';
  const internal = event.visibility === 'internal' && event.type.startsWith('comment') ? ' _(internal note)_' : '';
  switch (event.type) {
    case 'comment':
      return `${icon} ${actor}${internal}: ${mrkdwn(event.body)}`;
    case 'comment_edited':
      return `${icon} ${actor} edited a message${internal}: ${mrkdwn(event.body)}`;
    case 'comment_removed':
      return `${icon} A message from ${actor} was removed.`;
    default:
      return `${icon} ${actor}: ${mrkdwn(event.body || event.type)}`;
  }
}

export type PickSource = { mode: 'dm' | 'react'; channel: string; ts: string };

/** The value of a picked type carries where the request text lives: "type|mode|channel|ts". */
export function encodePick(type: string, source: PickSource): string {
  return [type, source.mode, source.channel, source.ts].join('|');
}

export function decodePick(value: string): { type: string; source: PickSource } | null {
  const [type, mode, channel, ts] = value.split('|');
  if (!type || (mode !== 'dm' && mode !== 'react') || !channel || !ts) return null;
  return { type, source: { mode, channel, ts } };
}

/** A select of the catalog's request types, grouped by queue. */
export function typePicker(catalog: Catalog, source: PickSource, prompt: string): Block[] {
  const groups = Object.entries(catalog.queues).map(([queueKey, queue]) => ({
    label: plain(queue.name),
    options: Object.entries(catalog.request_types)
      .filter(([, type]) => type.queue === queueKey)
      .slice(0, 100)
      .map(([key, type]) => option(type.name, encodePick(key, source))),
  }));
  return [
    { type: 'section', block_id: 'prompt', text: md(prompt) },
    {
      type: 'actions',
      block_id: 'pick',
      elements: [{ type: 'static_select', action_id: 'pick_type', placeholder: plain('Choose a request type'), option_groups: groups.filter((g) => g.options.length) }],
    },
  ];
}
