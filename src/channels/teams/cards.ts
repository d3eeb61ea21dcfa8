import type { Catalog } from '../../core/catalog.ts';
import { PRIORITIES } from '../../core/catalog.ts';
import { allowedNext, STATUS_LABELS } from '../../core/status.ts';
import { queueCalendar, slaSummary } from '../../core/sla/explain.ts';
import { approvalsLine, type TicketView } from '../../core/view.ts';
import { card, plain, type AdaptiveCard } from './form-cards.ts';
import { AGENTS_DATASET } from './people-search.ts';

/** Card actions arrive as message activities whose `value` is this data plus the inputs. */
export type TriageAction = 'claim' | 'assign' | 'status' | 'priority' | 'reply' | 'reply_insert';

/** The dataset the Reply's article typeahead queries (`choices.data: Data.Query`, article-search.ts). */
export const ARTICLES_DATASET = 'kb';

const person = (p: { email: string; name: string | null } | null): string => (p ? (p.name ? `${p.name} (${p.email})` : p.email) : 'Unassigned');

/**
 * A "label: value" line. FactSet values are Markdown in Teams, so user-supplied values go
 * in TextRuns instead (rendered as typed).
 */
function fact(label: string, value: string): Record<string, unknown> {
  return { type: 'RichTextBlock', spacing: 'None', inlines: [{ type: 'TextRun', text: `${label}: `, weight: 'Bolder' }, { type: 'TextRun', text: value }] };
}

/** Teams formats these in the reader's own locale and time zone. */
const when = (iso: string | null): string => (iso ? `{{DATE(${iso.replace(/\.\d{3}Z$/, 'Z')}, SHORT)}} {{TIME(${iso.replace(/\.\d{3}Z$/, 'Z')})}}` : '—');

/** Due times go in a TextBlock: Teams expands DATE()/TIME() there in the reader's zone. */
function slaFact(label: string, clock: { dueAt: string | null; state: string }): Record<string, unknown> {
  return { type: 'TextBlock', spacing: 'None', wrap: true, text: `**${label}:** ${clock.dueAt ? `${when(clock.dueAt)} · ${clock.state}` : '—'}` };
}

function header(ticket: TicketView): unknown[] {
  return [
    { type: 'TextBlock', text: `${ticket.key} · ${STATUS_LABELS[ticket.status]}`, weight: 'Bolder', size: 'Medium', wrap: true },
    plain(ticket.title, { weight: 'Bolder' }),
  ];
}

/** The triage card in the queue's channel: everything an agent needs, and the actions. */
export function triageCard(ticket: TicketView, catalog: Catalog, link: string, now: Date, why?: string): AdaptiveCard {
  const def = catalog.request_types[ticket.type];
  const fieldFacts = Object.entries(ticket.fields).map(([id, value]) =>
    fact(def?.fields.find((f) => f.id === id)?.label ?? id, typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value)),
  );
  const body: unknown[] = [
    ...header(ticket),
    fact('Type', def?.name ?? ticket.type),
    fact('Requester', person(ticket.requester)),
    fact('Priority', ticket.priority),
    fact('Status', STATUS_LABELS[ticket.status]),
    fact('Assignee', person(ticket.assignee)),
    fact('SLA', slaSummary(ticket, now, queueCalendar(catalog, ticket.queue))),
    // Why the due time is what it is (target, start, pauses, holidays).
    ...(why ? [fact('Why', why.charAt(0).toUpperCase() + why.slice(1))] : []),
    slaFact('First response due', ticket.sla.firstResponse),
    slaFact('Resolution due', ticket.sla.resolution),
    ...(approvalsLine(ticket) ? [plain(approvalsLine(ticket)!)] : []),
    ...fieldFacts,
  ];
  if (ticket.description) body.push(plain(ticket.description.slice(0, 2_000)));
  const data = (sb: TriageAction) => ({ sb, ticket: ticket.key });
  const submit = (sb: TriageAction, title: string) => ({ type: 'Action.Submit', title, data: data(sb) });
  const showCard = (title: string, inputs: unknown[], sb: TriageAction, submitTitle: string) => ({
    type: 'Action.ShowCard',
    title,
    card: card(inputs, [submit(sb, submitTitle)]),
  });
  const next = allowedNext(ticket.status);
  const actions: unknown[] = [];
  if (ticket.status !== 'closed') {
    actions.push(submit('claim', 'Claim'));
    const agents = queueAgents(catalog, ticket.queue);
    if (agents.length) actions.push(showCard('Assign', assignInputs(ticket.queue, agents), 'assign', 'Assign'));
  }
  if (next.length) {
    actions.push(showCard('Status', [{ type: 'Input.ChoiceSet', id: 'status', label: 'New status', style: 'compact', isRequired: true, errorMessage: 'Pick a status', choices: next.map((s) => ({ title: STATUS_LABELS[s], value: s })) }], 'status', 'Set status'));
  }
  if (ticket.status !== 'closed') {
    actions.push(showCard('Priority', [{ type: 'Input.ChoiceSet', id: 'priority', label: 'Priority', style: 'compact', value: ticket.priority, choices: PRIORITIES.map((p) => ({ title: p, value: p })) }], 'priority', 'Set priority'));
    actions.push({ type: 'Action.ShowCard', title: 'Reply to requester', card: card(replyInputs(catalog), [submit('reply_insert', 'Insert into reply'), submit('reply', 'Send reply')]) });
  }
  actions.push({ type: 'Action.OpenUrl', title: 'Open', url: link });
  return card(body, actions);
}

/**
 * The Reply: the text, and what an agent can answer with besides their own words: a help
 * article (typeahead over the knowledge base) and a catalog macro. "Insert into reply" puts
 * them into the text (the card comes back with the draft); "Send reply" sends the text with
 * whatever is still picked. The text is checked by the bot (not isRequired), so Insert works on an empty reply.
 */
function replyInputs(catalog: Catalog): unknown[] {
  const macros = Object.entries(catalog.macros);
  return [
    { type: 'Input.Text', id: 'reply', label: 'Reply (the requester sees this)', isMultiline: true },
    {
      type: 'Input.ChoiceSet',
      id: 'article',
      label: 'Help article',
      style: 'filtered',
      placeholder: 'Search the help articles',
      choices: [],
      'choices.data': { type: 'Data.Query', dataset: ARTICLES_DATASET },
    },
    ...(macros.length ? [{ type: 'Input.ChoiceSet', id: 'macro', label: 'Macro', style: 'compact', placeholder: 'Pick a canned reply', choices: macros.slice(0, 100).map(([key, macro]) => ({ title: macro.title, value: key })) }] : []),
  ];
}

/** The card with the Reply's text set to `draft` (after "Insert into reply"). */
export function withReplyDraft(card: AdaptiveCard, draft: string): AdaptiveCard {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    if (record.type === 'Input.Text' && record.id === 'reply') return { ...record, value: draft };
    return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, walk(value)]));
  };
  return walk(card) as AdaptiveCard;
}

/** The queue's agents and leads from the catalog roster: the only people Assign offers. */
export function queueAgents(catalog: Catalog, queueKey: string): string[] {
  const queue = catalog.queues[queueKey];
  return queue ? [...new Set([...queue.agents, ...queue.leads])] : [];
}

/**
 * The Assign picker offers the queue's agents only: their emails as static choices (every
 * client), and a typeahead (Data.Query → `application/search`, people-search.ts) that
 * searches the same agents by name.
 */
function assignInputs(queueKey: string, agents: string[]): unknown[] {
  return [
    {
      type: 'Input.ChoiceSet',
      id: 'assignee',
      label: 'Assign to an agent of the queue',
      style: 'filtered',
      placeholder: 'Search the queue\'s agents',
      isRequired: true,
      errorMessage: 'Pick an agent',
      choices: agents.slice(0, 100).map((email) => ({ title: email, value: email })),
      'choices.data': { type: 'Data.Query', dataset: `${AGENTS_DATASET}:${queueKey}` },
    },
  ];
}

/** The card with a notice on top: why an action was refused, shown in place of the card. */
export function withNotice(card: AdaptiveCard, notice: string): AdaptiveCard {
  const body = Array.isArray(card.body) ? card.body : [];
  return { ...card, body: [plain(notice, { color: 'Attention', weight: 'Bolder' }), ...body] };
}

/** The requester's smaller card in their chat with the bot. */
export function requesterCard(ticket: TicketView, link: string): AdaptiveCard {
  const body: unknown[] = [
    ...header(ticket),
    fact('Status', STATUS_LABELS[ticket.status]),
    fact('Priority', ticket.priority),
    fact('Assignee', person(ticket.assignee)),
    slaFact('Resolution due', ticket.sla.resolution),
    ...(approvalsLine(ticket) ? [plain(approvalsLine(ticket)!)] : []),
  ];
  const actions: unknown[] = [];
  if (ticket.status !== 'closed') {
    actions.push({
      type: 'Action.ShowCard',
      title: 'Reply',
      card: card([{ type: 'Input.Text', id: 'comment', label: 'Your reply', isMultiline: true, isRequired: true, errorMessage: 'Write a reply first' }], [
        { type: 'Action.Submit', title: 'Send', data: { sb: 'comment', ticket: ticket.key } },
      ]),
    });
  }
  actions.push({ type: 'Action.OpenUrl', title: 'View request', url: link });
  return card(body, actions);
}
