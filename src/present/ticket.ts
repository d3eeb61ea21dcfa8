import type { Catalog } from '../core/catalog.ts';
import { queueCalendar } from '../core/sla/explain.ts';
import type { ApprovalView, SatisfactionView, TicketView } from '../core/view.ts';
import { approvalsLine } from './approvals.ts';
import { isDeskReader, ticketActions, type ActionView, type Reader } from './actions.ts';
import { fieldFacts, type FieldFact } from './fields.ts';
import { channelLabel, personLabel, priorityLabel, statusLabel, type Audience } from './labels.ts';
import { slaFacts, type SlaFacts } from './sla.ts';
import { absolute, readerZone, type When } from './time.ts';

/** A labelled value: what every renderer shows for the ticket, in this order. */
export interface Fact {
  id: 'type' | 'requester' | 'priority' | 'status' | 'assignee' | 'queue' | 'origin';
  label: string;
  value: string;
}

/**
 * What a person sees of one ticket: the triage card (desk), the requester's card, and the
 * head of the web pages. Every renderer (Slack blocks, Adaptive Cards, email, HTML, webhook
 * labels) draws this and decides nothing of its own.
 */
export interface TicketScreen {
  audience: Audience;
  key: string;
  queue: string;
  title: string;
  description: string;
  status: { value: string; label: string };
  priority: { value: string; label: string };
  typeName: string;
  queueName: string;
  requester: string;
  assignee: string;
  /** Who it is assigned to, for pickers that preselect them. */
  assigneeEmail: string | null;
  facts: Fact[];
  /** Custom fields in catalog order. */
  fields: FieldFact[];
  /** The reader's zone: every absolute time below is in it. */
  zone: string;
  created: When;
  sla: SlaFacts | null;
  /** The approval steps in one line ("Approvals: 1 approved by … · 2 waiting for …"), or null without steps. */
  approvals: string | null;
  /** The approval steps themselves, for pages that list them one by one. */
  steps: ApprovalView[];
  /** The requester's rating, once given. */
  satisfaction: SatisfactionView | null;
  actions: ActionView[];
  /** Agents of the queue (the Assign picker), in roster order. */
  agents: string[];
  link: { url: string; label: string };
}

export interface ScreenInput {
  ticket: TicketView;
  catalog: Catalog;
  reader: Reader;
  /** The reader's own zone (people.time_zone) when known; else the queue's calendar zone. */
  readerTimeZone?: string | null | undefined;
  link: string;
  now: Date;
  /** Why the SLA due time is what it is (core's explanation), when worked out. */
  why?: string | undefined;
}

/** The queue's agents and leads from the catalog roster: the only people Assign offers. */
export function queueAgents(catalog: Catalog, queueKey: string): string[] {
  const queue = catalog.queues[queueKey];
  return queue ? [...new Set([...queue.agents, ...queue.leads])] : [];
}

export function queueZone(catalog: Catalog, queueKey: string): string {
  const queue = catalog.queues[queueKey];
  return (queue ? catalog.calendars[queue.calendar]?.timezone : undefined) ?? 'UTC';
}

export function ticketScreen(input: ScreenInput): TicketScreen {
  const { ticket, catalog, reader } = input;
  const audience: Audience = isDeskReader(reader) ? 'desk' : 'requester';
  const def = catalog.request_types[ticket.type];
  const zone = readerZone(input.readerTimeZone, queueZone(catalog, ticket.queue));
  const status = { value: ticket.status, label: statusLabel(ticket.status, audience) };
  const priority = { value: ticket.priority, label: priorityLabel(ticket.priority) };
  const typeName = def?.name ?? ticket.type;
  const queueName = catalog.queues[ticket.queue]?.name ?? ticket.queue;
  const requester = personLabel(ticket.requester);
  const assignee = personLabel(ticket.assignee, audience === 'desk' ? 'Unassigned' : 'Not assigned yet');
  const agents = queueAgents(catalog, ticket.queue);
  const facts: Fact[] =
    audience === 'desk'
      ? [
          { id: 'type', label: 'Type', value: typeName },
          { id: 'requester', label: 'Requester', value: requester },
          { id: 'priority', label: 'Priority', value: priority.label },
          { id: 'status', label: 'Status', value: status.label },
          { id: 'assignee', label: 'Assignee', value: assignee },
          { id: 'origin', label: 'Came from', value: channelLabel(ticket.origin) },
        ]
      : [
          { id: 'status', label: 'Status', value: status.label },
          { id: 'priority', label: 'Priority', value: priority.label },
          { id: 'assignee', label: 'Assigned to', value: assignee },
          { id: 'queue', label: 'Team', value: queueName },
          { id: 'type', label: 'Type', value: typeName },
        ];
  return {
    audience,
    key: ticket.key,
    queue: ticket.queue,
    title: ticket.title,
    description: ticket.description,
    status,
    priority,
    typeName,
    queueName,
    requester,
    assignee,
    assigneeEmail: ticket.assignee?.email ?? null,
    facts,
    fields: fieldFacts(ticket.fields, def?.fields ?? []),
    zone,
    created: absolute(ticket.createdAt, zone),
    sla: slaFacts(ticket, zone, input.now, queueCalendar(catalog, ticket.queue), input.why, audience),
    approvals: approvalsLine(ticket),
    steps: ticket.approvals,
    satisfaction: ticket.satisfaction,
    actions: ticketActions(ticket, reader, agents),
    agents,
    link: { url: input.link, label: audience === 'desk' ? 'Open the ticket page' : 'View request' },
  };
}

/** The action of that id, when the reader may take it. */
export function actionOf(screen: Pick<TicketScreen, 'actions'>, id: ActionView['id']): ActionView | undefined {
  return screen.actions.find((a) => a.id === id);
}

/** The triage card's model: what any agent of the queue sees on a card shared in its channel, in the queue's zone. */
export function triageScreen(ticket: TicketView, catalog: Catalog, link: string, now: Date, why?: string): TicketScreen {
  return ticketScreen({ ticket, catalog, reader: { role: 'agent' }, link, now, why });
}

/** The requester's (or a watcher's) card model, in their own zone. */
export function participantScreen(ticket: TicketView, catalog: Catalog, link: string, now: Date, person?: { timeZone: string | null } | null, role: 'requester' | 'watcher' = 'requester'): TicketScreen {
  return ticketScreen({ ticket, catalog, reader: { role }, readerTimeZone: person?.timeZone, link, now });
}
