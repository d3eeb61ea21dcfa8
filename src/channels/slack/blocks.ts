import type { ActionsBlockElement, KnownBlock } from '@slack/types';
import type { Catalog } from '../../core/catalog.ts';
import { typePicker as pickerGroups } from '../../present/forms.ts';
import type { Notice } from '../../present/notices.ts';
import type { TicketScreen } from '../../present/ticket.ts';

// Block Kit renderers of the view models in src/present: the triage card, the requester's
// card, thread lines and the type picker. Slack decides no wording, order or action here.
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

/** Fallback text for notifications; also mrkdwn-parsed by Slack, hence escaped. */
export function cardText(screen: TicketScreen): string {
  return mrkdwn(`${screen.key} ${screen.title} · ${screen.status.label}`);
}

function linkTo(url: string, label: string): string {
  return `<${mrkdwn(url)}|${label}>`;
}

/** The triage card: the root of the ticket's thread in the queue's channel. */
export function triageCard(screen: TicketScreen): Block[] {
  const blocks: Block[] = [
    // A mrkdwn section rather than a header block: one escaping rule for every user string on the card.
    { type: 'section', block_id: 'title', text: md(`*${screen.key}* ${mrkdwn(screen.title)}`) },
    { type: 'section', block_id: 'summary', fields: screen.facts.map((f) => md(`*${f.label}*\n${mrkdwn(f.value)}`)) },
    { type: 'section', block_id: 'sla', text: md(`*SLA* ${screen.sla ? mrkdwn(screen.sla.line) : 'No SLA'}`) },
  ];
  if (screen.sla?.closed) blocks.push({ type: 'context', block_id: 'closed_now', elements: [md(mrkdwn(screen.sla.closed.line))] });
  if (screen.approvals) blocks.push({ type: 'context', block_id: 'approvals', elements: [md(mrkdwn(screen.approvals))] });
  // Why the due time is what it is (target, start, pauses, holidays).
  const why = screen.sla?.why;
  if (why) blocks.push({ type: 'context', block_id: 'sla_why', elements: [md(mrkdwn(why.charAt(0).toUpperCase() + why.slice(1)))] });
  if (screen.fields.length) blocks.push({ type: 'section', block_id: 'fields', text: md(screen.fields.map((f) => `*${mrkdwn(f.label)}:* ${mrkdwn(f.value)}`).join('\n')) });
  if (screen.description) blocks.push({ type: 'section', block_id: 'description', text: md(mrkdwn(screen.description)) });
  blocks.push({ type: 'context', elements: [md(`${linkTo(screen.link.url, screen.link.label)} · Times are ${mrkdwn(screen.zone)}`)] });
  const elements = cardActions(screen);
  if (elements.length) blocks.push({ type: 'actions', block_id: `card:${screen.key}`, elements });
  return blocks;
}

function option(text: string, value: string) {
  return { text: plain(text), value };
}

/** The model's actions as Block Kit elements; the internal note is the thread itself. */
function cardActions(screen: TicketScreen): ActionsBlockElement[] {
  const elements: ActionsBlockElement[] = [];
  for (const action of screen.actions) {
    const options = (action.options ?? []).slice(0, 100).map((o) => option(o.label, o.value));
    switch (action.id) {
      case 'claim':
        elements.push({ type: 'button', action_id: 'card_claim', text: plain(action.label), value: screen.key, style: 'primary' });
        break;
      case 'assign':
        // A static list of the queue's agents (not users_select, which would offer the whole workspace).
        elements.push({ type: 'static_select', action_id: 'card_assign', placeholder: plain(action.label), options });
        break;
      case 'status':
        elements.push({ type: 'static_select', action_id: 'card_status', placeholder: plain(action.label), options });
        break;
      case 'priority':
        elements.push({ type: 'static_select', action_id: 'card_priority', placeholder: plain(action.label), options });
        break;
      case 'reply':
        elements.push({ type: 'button', action_id: 'card_reply', text: plain(action.label), value: screen.key });
        break;
    }
  }
  return elements;
}

/** The requester's smaller card in their DM (or channel) thread: status, assignee, SLA, link. */
export function requesterCard(screen: TicketScreen): Block[] {
  const facts = screen.facts.filter((f) => f.id === 'status' || f.id === 'assignee').map((f) => `*${f.label}:* ${mrkdwn(f.value)}`);
  const sla = screen.sla ? [`*SLA:* ${mrkdwn(screen.sla.line)}`] : [];
  const reply = screen.actions.some((a) => a.id === 'comment') ? ' · Reply in this thread to add to the ticket.' : '';
  return [
    { type: 'section', block_id: 'summary', text: md(`*${screen.key}* ${mrkdwn(screen.title)}`) },
    {
      type: 'context',
      elements: [
        md([...facts, ...sla].join(' · ')),
        ...(screen.sla?.closed ? [md(mrkdwn(screen.sla.closed.line))] : []),
        ...(screen.approvals ? [md(mrkdwn(screen.approvals))] : []),
        md(`${linkTo(screen.link.url, screen.link.label)}${reply}`),
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

/** One short line in a thread for an event, from the notice model (present/notices.ts). */
export function threadLine(notice: Notice): string {
  const icon = EVENT_ICON[notice.type] ?? '•';
  if (notice.body !== null) return `${icon} *${mrkdwn(notice.headline)}*: ${mrkdwn(notice.body)}`;
  return `${icon} ${mrkdwn([notice.headline, ...notice.lines].join(' '))}`;
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

/** A select of the catalog's request types, grouped by queue (present/forms.ts). */
export function typePicker(catalog: Catalog, source: PickSource, prompt: string): Block[] {
  const groups = pickerGroups(catalog).map((group) => ({
    label: plain(group.label),
    options: group.types.slice(0, 100).map((type) => option(type.name, encodePick(type.key, source))),
  }));
  return [
    { type: 'section', block_id: 'prompt', text: md(prompt) },
    {
      type: 'actions',
      block_id: 'pick',
      elements: [{ type: 'static_select', action_id: 'pick_type', placeholder: plain('Choose a request type'), option_groups: groups }],
    },
  ];
}
