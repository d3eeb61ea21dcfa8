import { alias } from 'drizzle-orm/pg-core';
import { eq, sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { reusable } from '../db/reusable.ts';
import { people, ticketEvents, tickets, type Person, type Ticket, type TicketEvent } from '../db/schema.ts';
import { slaView } from './sla/clocks.ts';
import { statusSchema, type Status } from './status.ts';
import { prioritySchema, type Priority } from './catalog.ts';
export type ApprovalState = 'pending' | 'approved' | 'rejected';

/** What the ticket shows of a step (API `approvals`, cards, pages). */
export interface ApprovalView {
  step: number;
  /** manager | field:<id> | queue_leads */
  rule: string;
  /** Who must decide; null while any lead of the queue may (a queue_leads step, or a missing approver). */
  approver: { email: string; name: string | null } | null;
  state: ApprovalState;
  /** True for the step whose turn it is. */
  current: boolean;
  /** Why the step went to the queue's leads (its approver is missing). */
  reason: string | null;
  decidedBy: { email: string; name: string | null } | null;
  decidedAt: string | null;
  comment: string | null;
}


/** The requester's rating of a resolved ticket (API `satisfaction`). */
export interface SatisfactionView {
  rating: number;
  comment: string | null;
  ratedAt: string;
}

/** The ticket as every outside reader sees it (API, web page, cards). */
export interface TicketView {
  id: number;
  key: string;
  title: string;
  description: string;
  status: Status;
  priority: Priority;
  queue: string;
  type: string;
  origin: string;
  requester: { email: string; name: string | null };
  assignee: { email: string; name: string | null } | null;
  fields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  sla: ReturnType<typeof slaView>;
  /** The approval steps in order ([] when the type needs none). */
  approvals: ApprovalView[];
  satisfaction: SatisfactionView | null;
}

export interface EventView {
  id: number;
  type: string;
  visibility: 'public' | 'internal';
  actor: { email: string; name: string | null; role: string } | null;
  channel: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
}

const assigneePeople = alias(people, 'assignee');

export function toTicketView(ticket: Ticket, requester: Person, assignee: Person | null, now: Date): TicketView {
  return {
    id: ticket.id,
    key: ticket.key,
    title: ticket.title,
    description: ticket.description,
    status: statusSchema.parse(ticket.status),
    priority: prioritySchema.parse(ticket.priority),
    queue: ticket.queueKey,
    type: ticket.typeKey,
    origin: ticket.originChannel,
    requester: { email: requester.email, name: requester.name },
    assignee: assignee ? { email: assignee.email, name: assignee.name } : null,
    fields: (ticket.fields ?? {}) as Record<string, unknown>,
    createdAt: ticket.createdAt.toISOString(),
    updatedAt: ticket.updatedAt.toISOString(),
    sla: slaView(ticket, now),
    approvals: Array.isArray(ticket.approvals) ? (ticket.approvals as ApprovalView[]) : [],
    satisfaction: (ticket.satisfaction as SatisfactionView | null) ?? null,
  };
}

/** Select tickets joined with requester and assignee. */
export function selectTicketRows(conn: Conn) {
  return conn
    .select({ ticket: tickets, requester: people, assignee: assigneePeople })
    .from(tickets)
    .innerJoin(people, eq(people.id, tickets.requesterId))
    .leftJoin(assigneePeople, eq(assigneePeople.id, tickets.assigneeId));
}

/** One ticket with its requester and assignee, by key (upper case) or by id: built once (reusable). */
export const ticketRowsByKey = reusable('ticket_rows_by_key', (conn) => selectTicketRows(conn).where(eq(tickets.key, sql.placeholder('key'))));
export const ticketRowsById = reusable('ticket_rows_by_id', (conn) => selectTicketRows(conn).where(eq(tickets.id, sql.placeholder('id'))));

export function toEventView(event: TicketEvent, actor: Person | null): EventView {
  return {
    id: event.id,
    type: event.type,
    visibility: event.visibility === 'internal' ? 'internal' : 'public',
    actor: actor ? { email: actor.email, name: actor.name, role: event.actorRole } : null,
    channel: event.channel,
    body: event.body,
    data: (event.data ?? {}) as Record<string, unknown>,
    createdAt: event.createdAt.toISOString(),
  };
}

const timelineRows = reusable('timeline_rows', (conn) =>
  conn
    .select({ event: ticketEvents, actor: people })
    .from(ticketEvents)
    .leftJoin(people, eq(people.id, ticketEvents.actorId))
    .where(eq(ticketEvents.ticketId, sql.placeholder('ticket')))
    .orderBy(ticketEvents.id),
);

export async function loadEvents(conn: Conn, ticketId: number, includeInternal: boolean): Promise<EventView[]> {
  const rows = await timelineRows(conn, { ticket: ticketId });
  return rows.filter((r) => includeInternal || r.event.visibility === 'public').map((r) => toEventView(r.event, r.actor));
}
