import { getTableColumns, is, SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import { anchors, deliveries, queues, ticketEvents, tickets, type Anchor, type Ticket, type TicketEvent } from '../db/schema.ts';
import { laneOf, NOTIFY_CHANNEL, type NewDelivery } from './mirror.ts';
import { ticketDoc } from './search-index.ts';

/**
 * Stand-in ids for the rows the insert below creates: the mirror rules are planned on a draft
 * (they only copy the ids, never decide on them) and the statement puts the real ids in.
 */
export const DRAFT_ID = 0;
export const DRAFT_ANCHOR_ID = -1;

type TicketValues = Omit<typeof tickets.$inferInsert, 'id' | 'key' | 'number'>;
type EventValues = Omit<typeof ticketEvents.$inferInsert, 'id' | 'ticketId' | 'originAnchorId'>;
type AnchorValues = Omit<typeof anchors.$inferInsert, 'id' | 'ticketId'>;

export interface NewTicketRows {
  ticket: TicketValues;
  /** The requester's conversation the request came from (the event's origin). */
  anchor?: AnchorValues | undefined;
  event: EventValues;
  /** Planned on the draft ids (DRAFT_ID, DRAFT_ANCHOR_ID for the anchor above). */
  deliveries: NewDelivery[];
  /** What the search index gets besides the key: title, description, field values. */
  search: { title: string; description: string; fields: unknown };
}

/**
 * A new ticket in ONE statement: the queue's next number, the ticket with its key, its origin
 * anchor, the created event, the event's outbox rows, the search index row and the NOTIFY for
 * the delivery workers. As before, the queue row (the counter) is locked from here to commit, so
 * this is the transaction's last statement and keys stay consecutive; a failed statement
 * (a reused idempotency key) takes no number.
 */
export async function insertNewTicket(tx: Tx, rows: NewTicketRows): Promise<{ ticket: Ticket; event: TicketEvent; anchor: Anchor | null }> {
  const queueKey = rows.ticket.queueKey;
  const planned = rows.deliveries.map((d) => ({
    channel: d.channel,
    audience: d.audience,
    lane: laneOf(d),
    kind: d.kind ?? 'message',
    person_id: d.personId ?? null,
    anchor_id: d.anchorId === DRAFT_ANCHOR_ID ? null : (d.anchorId ?? null),
    origin: d.anchorId === DRAFT_ANCHOR_ID,
    target: d.target ?? {},
  }));
  const at = rows.event.createdAt ?? new Date();
  const anchorCte = rows.anchor ? sql`, a as (insert into ${anchors} ${columnsAndValues(anchors, { ...rows.anchor, ticketId: sql`(select id from t)` })} returning *)` : sql``;
  const anchorId = rows.anchor ? sql`(select id from a)` : sql`null::int`;
  const deliveriesCte = planned.length
    ? sql`, d as (
        insert into ${deliveries} (event_id, ticket_id, channel, audience, lane, kind, person_id, anchor_id, target, next_attempt_at, created_at)
        select e.id, e.ticket_id, v.channel, v.audience, v.lane, v.kind, v.person_id, case when v.origin then ${anchorId} else v.anchor_id end, v.target, ${param(at, deliveries.nextAttemptAt)}, ${param(at, deliveries.createdAt)}
        from e, jsonb_to_recordset(${JSON.stringify(planned)}::jsonb) as v(channel text, audience text, lane text, kind text, person_id int, anchor_id int, origin boolean, target jsonb))`
    : sql``;
  const statement = sql`
    with counter as (
      update ${queues} set next_number = next_number + 1 where key = ${queueKey} returning next_number - 1 as number
    ), t as (
      insert into ${tickets} ${columnsAndValues(tickets, {
        ...rows.ticket,
        number: sql`(select number from counter)`,
        key: sql`(select ${queueKey} || '-' || number from counter)`,
      })} returning *
    )${anchorCte}, e as (
      insert into ${ticketEvents} ${columnsAndValues(ticketEvents, { ...rows.event, ticketId: sql`(select id from t)`, originAnchorId: anchorId })} returning *
    )${deliveriesCte}, s as (
      insert into ticket_search (ticket_id, public_doc)
      values ((select id from t), ${ticketDoc(sql`(select key from t)`, rows.search.title, rows.search.description, rows.search.fields)})
    ), n as (
      select pg_notify(${NOTIFY_CHANNEL}, t.queue_key || ':' || t.id) from t
    )
    select to_jsonb(t) as ticket, to_jsonb(e) as event, ${rows.anchor ? sql`(select to_jsonb(a) from a)` : sql`null::jsonb`} as anchor from t, e, n`;
  const [row] = resultRows<{ ticket: unknown; event: unknown; anchor: unknown }>(await tx.execute(statement));
  if (!row) throw new Error(`queue ${queueKey} is missing: the ticket was not created`);
  return {
    ticket: fromJson(tickets, row.ticket),
    event: fromJson(ticketEvents, row.event),
    anchor: row.anchor ? fromJson(anchors, row.anchor) : null,
  };
}

/** `(col, ...) values (v, ...)` for the given values (SQL fragments pass through, the rest is encoded as its column does). */
function columnsAndValues(table: PgTable, values: Record<string, unknown>): SQL {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const names: SQL[] = [];
  const params: SQL[] = [];
  for (const [key, value] of Object.entries(values)) {
    const column = columns[key];
    if (!column) throw new Error(`${key} is no column of the table`);
    if (value === undefined) continue;
    names.push(sql`${sql.identifier(column.name)}`);
    params.push(is(value, SQL) ? value : param(value, column));
  }
  return sql`(${sql.join(names, sql`, `)}) values (${sql.join(params, sql`, `)})`;
}

function param(value: unknown, column: PgColumn): SQL {
  return sql`${value === null ? null : sql.param(value, column)}`;
}

/** A row returned as to_jsonb(...), decoded as the query builder would decode it. */
function fromJson<T extends PgTable>(table: T, json: unknown): T['$inferSelect'] {
  const source = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table) as Record<string, PgColumn>)) {
    const value = source[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T['$inferSelect'];
}
