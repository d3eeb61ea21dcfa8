import type { Catalog } from '../../core/catalog.ts';
import type { ActionOption, ActionView } from '../../present/actions.ts';
import { REPLY_REQUIRED } from '../../present/forms.ts';
import type { TicketScreen } from '../../present/ticket.ts';
import { card, plain, type AdaptiveCard } from './form-cards.ts';
import { AGENTS_DATASET } from './people-search.ts';

/** Card actions arrive as message activities whose `value` is this data plus the inputs. */
export type TriageAction = 'claim' | 'assign' | 'status' | 'priority' | 'reply' | 'reply_insert';

/** The dataset the Reply's article typeahead queries (`choices.data: Data.Query`, article-search.ts). */
export const ARTICLES_DATASET = 'kb';

/**
 * A "label: value" line. FactSet values are Markdown in Teams, so user-supplied values go
 * in TextRuns instead (rendered as typed).
 */
function fact(label: string, value: string): Record<string, unknown> {
  return { type: 'RichTextBlock', spacing: 'None', inlines: [{ type: 'TextRun', text: `${label}: `, weight: 'Bolder' }, { type: 'TextRun', text: value }] };
}

function header(screen: TicketScreen): unknown[] {
  return [
    { type: 'TextBlock', text: `${screen.key} · ${screen.status.label}`, weight: 'Bolder', size: 'Medium', wrap: true },
    plain(screen.title, { weight: 'Bolder' }),
  ];
}

/** Due times as the model states them (absolute, in the reader's zone): a card kept in a chat cannot go stale. */
function dueFacts(screen: TicketScreen, clocks: Array<'firstResponse' | 'resolution'>): unknown[] {
  const sla = screen.sla;
  if (!sla) return [];
  return clocks.map((clock) => fact(`${sla[clock].label} due`, sla[clock].due ? `${sla[clock].due!.text} · ${sla[clock].stateLabel}` : '—'));
}

const slaFact = (screen: TicketScreen) => fact('SLA', screen.sla?.line ?? 'No SLA');

/** While the desk is closed: when it opens and when the first reply is due. */
const closedNote = (screen: TicketScreen): unknown[] => (screen.sla?.closed ? [plain(screen.sla.closed.line, { weight: 'Bolder' })] : []);

/** The triage card in the queue's channel: everything an agent needs, and the actions. */
export function triageCard(screen: TicketScreen, catalog: Catalog): AdaptiveCard {
  const why = screen.sla?.why;
  const body: unknown[] = [
    ...header(screen),
    ...screen.facts.map((f) => fact(f.label, f.value)),
    slaFact(screen),
    ...closedNote(screen),
    // Why the due time is what it is (target, start, pauses, holidays).
    ...(why ? [fact('Why', why.charAt(0).toUpperCase() + why.slice(1))] : []),
    ...dueFacts(screen, ['firstResponse', 'resolution']),
    ...(screen.approvals ? [plain(screen.approvals)] : []),
    ...screen.fields.map((f) => fact(f.label, f.value)),
  ];
  if (screen.description) body.push(plain(screen.description.slice(0, 2_000)));
  body.push({ type: 'TextBlock', text: `Times are ${screen.zone}.`, isSubtle: true, size: 'Small', wrap: true });
  const data = (sb: TriageAction) => ({ sb, ticket: screen.key });
  const submit = (sb: TriageAction, title: string) => ({ type: 'Action.Submit', title, data: data(sb) });
  const showCard = (title: string, inputs: unknown[], sb: TriageAction, submitTitle: string) => ({
    type: 'Action.ShowCard',
    title,
    card: card(inputs, [submit(sb, submitTitle)]),
  });
  const choices = (options: ActionView['options']) => (options ?? []).slice(0, 100).map((o) => ({ title: o.label, value: o.value }));
  const actions: unknown[] = [];
  for (const action of screen.actions) {
    switch (action.id) {
      case 'claim':
        actions.push(submit('claim', action.label));
        break;
      case 'assign':
        actions.push(showCard(action.label, assignInputs(screen.queue, action.options ?? []), 'assign', 'Assign'));
        break;
      case 'status':
        actions.push(showCard(action.label, [{ type: 'Input.ChoiceSet', id: 'status', label: 'New status', style: 'compact', isRequired: true, errorMessage: 'Pick a status', choices: choices(action.options) }], 'status', 'Set status'));
        break;
      case 'priority':
        actions.push(showCard(action.label, [{ type: 'Input.ChoiceSet', id: 'priority', label: 'Priority', style: 'compact', isRequired: true, errorMessage: 'Pick a priority', choices: choices(action.options) }], 'priority', 'Set priority'));
        break;
      case 'reply':
        actions.push({ type: 'Action.ShowCard', title: action.label, card: card(replyInputs(catalog), [submit('reply_insert', 'Insert into reply'), submit('reply', 'Send reply')]) });
        break;
    }
  }
  actions.push({ type: 'Action.OpenUrl', title: 'Open', url: screen.link.url });
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

/**
 * The Assign picker offers the queue's agents only: their emails as static choices (every
 * client), and a typeahead (Data.Query → `application/search`, people-search.ts) that
 * searches the same agents by name.
 */
function assignInputs(queueKey: string, agents: ActionOption[]): unknown[] {
  return [
    {
      type: 'Input.ChoiceSet',
      id: 'assignee',
      label: 'Assign to an agent of the queue',
      style: 'filtered',
      placeholder: 'Search the queue\'s agents',
      isRequired: true,
      errorMessage: 'Pick an agent',
      choices: agents.slice(0, 100).map((o) => ({ title: o.label, value: o.value })),
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
export function requesterCard(screen: TicketScreen): AdaptiveCard {
  const body: unknown[] = [
    ...header(screen),
    ...screen.facts.filter((f) => f.id === 'status' || f.id === 'priority' || f.id === 'assignee').map((f) => fact(f.label, f.value)),
    slaFact(screen),
    ...closedNote(screen),
    ...dueFacts(screen, ['resolution']),
    ...(screen.approvals ? [plain(screen.approvals)] : []),
  ];
  const actions: unknown[] = [];
  const comment = screen.actions.find((a) => a.id === 'comment');
  if (comment) {
    actions.push({
      type: 'Action.ShowCard',
      title: 'Reply',
      card: card([{ type: 'Input.Text', id: 'comment', label: comment.label === 'Reply' ? 'Your reply' : comment.label, isMultiline: true, isRequired: true, errorMessage: REPLY_REQUIRED }], [
        { type: 'Action.Submit', title: 'Send', data: { sb: 'comment', ticket: screen.key } },
      ]),
    });
  }
  actions.push({ type: 'Action.OpenUrl', title: screen.link.label, url: screen.link.url });
  return card(body, actions);
}
