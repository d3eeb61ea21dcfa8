import { parseCatalog } from '../../src/core/catalog.ts';
import type { EventView, TicketView } from '../../src/core/view.ts';
import type { Anchor, Delivery, Person, Queue, Ticket, TicketEvent } from '../../src/db/schema.ts';
import type { DeliveryJob } from '../../src/outbox/adapter.ts';

/**
 * One ticket, one catalog, the people around it: what the renderer tests draw on every
 * channel. The catalog lists the laptop's fields in an order the jsonb column does not keep
 * (it hands keys back shortest first), so a renderer that walks the stored object shows them wrong.
 */
export const CATALOG_YAML = `
calendars:
  madrid:
    timezone: Europe/Madrid
    hours: { mon-fri: ["09:00-18:00"] }
queues:
  IT:
    name: IT Desk
    calendar: madrid
    slack_channel: C0ITDESK01
    teams_channel: "19:it@thread.tacv2"
    agents: [bob@example.test, cyd@example.test]
    leads: [lea@example.test]
    escalation: { slack_channel: C0ONCALL01, email: oncall@example.test }
request_types:
  laptop:
    queue: IT
    name: New laptop
    fields:
      - { id: needed_by, label: Needed by, type: date }
      - { id: model, label: Model, type: select, options: [13-inch, 15-inch], required: true }
      - { id: for_new_hire, label: For a new hire, type: checkbox }
    sla:
      P2: { first_response: 2h, resolution: 8h }
      P3: { first_response: 4h, resolution: 24h }
`;

export const CATALOG = parseCatalog(CATALOG_YAML, 'test catalog');

/** The catalog's order of the laptop's labels, then the field the catalog no longer lists. */
export const FIELD_ORDER = ['Needed by', 'Model', 'For a new hire', 'Legacy tag'];

export const NOW = new Date('2026-12-01T10:00:00.000Z'); // Tue 11:00 in Madrid

export const ada = { email: 'ada@example.test', name: 'Ada Lovelace' };
export const bob = { email: 'bob@example.test', name: 'Bob Agent' };

export function ticketView(overrides: Partial<TicketView> = {}): TicketView {
  return {
    id: 7,
    key: 'IT-7',
    title: 'Laptop for Marta',
    description: 'She starts on Monday.',
    status: 'in_progress',
    priority: 'P2',
    queue: 'IT',
    type: 'laptop',
    origin: 'slack',
    requester: ada,
    assignee: bob,
    // The order Postgres' jsonb returns: by key length.
    fields: { model: '15-inch', needed_by: '2026-12-14', legacy_tag: 'A-1', for_new_hire: true },
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:30:00.000Z',
    sla: {
      firstResponse: { dueAt: '2026-12-01T13:00:00.000Z', state: 'running', metAt: null, breachedAt: null, pausedAt: null },
      resolution: { dueAt: '2026-12-02T09:00:00.000Z', state: 'running', metAt: null, breachedAt: null, pausedAt: null },
    },
    approvals: [],
    satisfaction: null,
    ...overrides,
  };
}

let eventIds = 100;
export function eventView(overrides: Partial<EventView> = {}): EventView {
  eventIds += 1;
  return {
    id: eventIds,
    type: 'comment',
    visibility: 'public',
    actor: { ...bob, role: 'agent' },
    channel: 'slack',
    body: 'Your laptop is on its way.',
    data: {},
    createdAt: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}

/** A row of a table, with only the columns a test reads. */
export function row<T>(values: Partial<T>): T {
  return values as T;
}

export function personRow(id: number, values: Partial<Person> = {}): Person {
  return row<Person>({ id, email: `p${id}@example.test`, name: null, slackUserId: null, slackDmChannel: null, teamsConversation: null, preferredChannel: null, timeZone: null, active: true, ...values });
}

export function deliveryJob(event: EventView, ticket: TicketView, audience: string, person: Person | null = null): DeliveryJob {
  return {
    delivery: row<Delivery>({ id: 1, audience, kind: 'message', channel: 'email' }),
    event: row<TicketEvent>({ id: event.id, type: event.type, visibility: event.visibility, createdAt: new Date(event.createdAt) }),
    eventView: event,
    ticket,
    ticketRow: row<Ticket>({ id: ticket.id, key: ticket.key }),
    anchor: null,
    person,
  };
}

export function queueRow(values: Partial<Queue> = {}): Queue {
  return row<Queue>({ key: 'IT', name: 'IT Desk', slackChannel: 'C0ITDESK01', teamsChannel: '19:it@thread.tacv2', escalation: { slack_channel: 'C0ONCALL01', email: 'oncall@example.test' }, ...values });
}

export function anchorRow(id: number, values: Partial<Anchor>): Anchor {
  return row<Anchor>({ id, ticketId: 7, personId: null, lastUsedAt: new Date('2026-12-01T09:00:00Z'), data: {}, cardRef: null, ...values });
}

/** Every string in a Slack Block Kit tree or an Adaptive Card, in document order. */
export function textsOf(node: unknown): string[] {
  if (typeof node === 'string') return [];
  if (Array.isArray(node)) return node.flatMap(textsOf);
  if (!node || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const own = ['text', 'title'].flatMap((k) => (typeof record[k] === 'string' ? [record[k] as string] : []));
  return [...own, ...Object.values(record).flatMap((v) => (typeof v === 'object' ? textsOf(v) : []))];
}
