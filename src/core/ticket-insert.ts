import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Conn } from '../db/client.ts';
import { preparedRows, preparesStatements, rowFromJson } from '../db/prepared.ts';
import { anchors, ticketEvents, tickets, type Anchor, type Ticket, type TicketEvent } from '../db/schema.ts';
import { deliveryRecord, NOTIFY_CHANNEL, type NewDelivery } from './mirror.ts';
import { SEARCH_CONFIG, ticketDocSql, ticketSearchTexts } from './search-index.ts';

/**
 * Stand-in ids for the rows the insert below creates: the mirror rules are planned on a draft
 * (they only copy the ids, never decide on them) and the statement puts the real ids in.
 */
export const DRAFT_ID = 0;
export const DRAFT_ANCHOR_ID = -1;

/** What a create writes; every column listed here is written, so the statement's text is the same for every create. */
const TICKET_COLUMNS = [
  'queueKey',
  'typeKey',
  'title',
  'description',
  'status',
  'priority',
  'requesterId',
  'assigneeId',
  'originChannel',
  'fields',
  'firstResponseDueAt',
  'resolutionDueAt',
  'slaPausedAt',
  'nextSlaCheckAt',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof typeof tickets.$inferInsert>;
const ANCHOR_COLUMNS = ['channel', 'side', 'personId', 'externalRef', 'cardRef', 'data', 'lastUsedAt'] as const satisfies ReadonlyArray<keyof typeof anchors.$inferInsert>;
const EVENT_COLUMNS = ['type', 'visibility', 'actorId', 'actorRole', 'channel', 'body', 'data', 'idempotencyKey', 'createdAt'] as const satisfies ReadonlyArray<
  keyof typeof ticketEvents.$inferInsert
>;

export interface NewTicketRows {
  ticket: Pick<typeof tickets.$inferInsert, (typeof TICKET_COLUMNS)[number]>;
  /** The requester's conversation the request came from (the event's origin). */
  anchor?: Pick<typeof anchors.$inferInsert, (typeof ANCHOR_COLUMNS)[number]> | undefined;
  event: Pick<typeof ticketEvents.$inferInsert, (typeof EVENT_COLUMNS)[number]>;
  /** Planned on the draft ids (DRAFT_ID, DRAFT_ANCHOR_ID for the anchor above). */
  deliveries: NewDelivery[];
  /** What the search index gets besides the key: title, description, field values. */
  search: { title: string; description: string; fields: unknown };
}

/**
 * A new ticket in ONE statement: the queue's next number, the ticket with its key, its origin
 * anchor, the created event, the event's outbox rows, the search index row and the NOTIFY for
 * the delivery workers. The queue row (the counter) is locked from here to commit, so in a
 * transaction this is its last statement; keys stay consecutive, and a failed statement (a reused
 * idempotency key) takes no number. A plain create runs it on its own, atomic without a transaction. Written as text and prepared: the query builder's
 * assembly of it and the server's planning were a fifth of a create's CPU.
 */
export async function insertNewTicket(conn: Conn, rows: NewTicketRows): Promise<{ ticket: Ticket; event: TicketEvent; anchor: Anchor | null }> {
  const params: unknown[] = [];
  const add = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const queue = add(rows.ticket.queueKey, 'text');
  const at = rows.event.createdAt ?? new Date();
  const planned = rows.deliveries.map((d) => ({
    ...deliveryRecord(d),
    anchor_id: d.anchorId === DRAFT_ANCHOR_ID ? null : (d.anchorId ?? null),
    origin: d.anchorId === DRAFT_ANCHOR_ID,
  }));
  const anchorId = rows.anchor ? '(select id from a)' : 'null::int';
  const text = `
    with counter as (
      update queues set next_number = next_number + 1 where key = ${queue} returning next_number - 1 as number
    ), t as (
      insert into tickets (number, key, ${names(tickets, TICKET_COLUMNS)})
      values ((select number from counter), (select ${queue} || '-' || number from counter), ${values(tickets, TICKET_COLUMNS, rows.ticket, add)})
      returning *
    )${
      rows.anchor
        ? `, a as (
      insert into anchors (ticket_id, ${names(anchors, ANCHOR_COLUMNS)}) values ((select id from t), ${values(anchors, ANCHOR_COLUMNS, rows.anchor, add)}) returning *
    )`
        : ''
    }, e as (
      insert into ticket_events (ticket_id, origin_anchor_id, ${names(ticketEvents, EVENT_COLUMNS)})
      values ((select id from t), ${anchorId}, ${values(ticketEvents, EVENT_COLUMNS, rows.event, add)})
      returning *
    )${
      planned.length
        ? `, d as (
      insert into deliveries (event_id, ticket_id, channel, audience, lane, kind, person_id, anchor_id, target, next_attempt_at, created_at)
      select e.id, e.ticket_id, v.channel, v.audience, v.lane, v.kind, v.person_id, case when v.origin then ${anchorId} else v.anchor_id end, v.target, ${add(at.toISOString(), 'timestamptz')}, ${add(at.toISOString(), 'timestamptz')}
      from e, jsonb_to_recordset(${add(JSON.stringify(planned), 'jsonb')}) as v(channel text, audience text, lane text, kind text, person_id int, anchor_id int, origin boolean, target jsonb)
    )`
        : ''
    }, s as (
      insert into ticket_search (ticket_id, public_doc)
      values ((select id from t), ${ticketDocSql('(select key from t)', rows.search.title, rows.search.description, rows.search.fields, add)})
    ), n as (
      select pg_notify(${add(NOTIFY_CHANNEL, 'text')}, t.queue_key || ':' || t.id) from t
    )
    select to_jsonb(t) as ticket, to_jsonb(e) as event, ${rows.anchor ? '(select to_jsonb(a) from a)' : 'null::jsonb'} as anchor from t, e, n`;
  const [row] = await preparedRows<{ ticket: unknown; event: unknown; anchor: unknown }>(conn, text, params);
  if (!row) throw new Error(`queue ${rows.ticket.queueKey} is missing: the ticket was not created`);
  return {
    ticket: rowFromJson(tickets, row.ticket),
    event: rowFromJson(ticketEvents, row.event),
    anchor: row.anchor ? rowFromJson(anchors, row.anchor) : null,
  };
}

function columnOf(table: PgTable, key: string): PgColumn {
  const column = (getTableColumns(table) as Record<string, PgColumn>)[key];
  if (!column) throw new Error(`${key} is no column of the table`);
  return column;
}

function names(table: PgTable, keys: readonly string[]): string {
  return keys.map((key) => columnOf(table, key).name).join(', ');
}

/** Each value encoded as the query builder encodes it for its column, with the column's type as the cast. */
function values(table: PgTable, keys: readonly string[], row: Record<string, unknown>, add: (value: unknown, cast: string) => string): string {
  return keys
    .map((key) => {
      const column = columnOf(table, key);
      const value = row[key];
      return add(value === null || value === undefined ? null : column.mapToDriverValue(value), column.getSQLType());
    })
    .join(', ');
}

type Created = Awaited<ReturnType<typeof insertNewTicket>>;
interface Waiting {
  rows: NewTicketRows;
  resolve: (created: Created) => void;
  reject: (error: unknown) => void;
}
interface Group {
  busy: boolean;
  waiting: Waiting[];
}
/** Per database and queue: the creates waiting for the statement in flight to finish. */
const groups = new WeakMap<object, Map<string, Group>>();
const MAX_GROUP = 64;

/**
 * Group commit for plain creates on Postgres: while one create statement of a queue is in flight
 * (it holds the queue's counter until it commits), the creates that arrive meanwhile wait and then
 * go as ONE statement, numbered in arrival order. Most of a create's Postgres CPU is per statement
 * (executor start, a lock on each of the tickets table's indexes, the commit), not per row. A lone
 * create goes at once, so an idle desk waits for nothing. Should the group's statement fail (one
 * request's reused idempotency key, say), each request is written again on its own, so it gets its
 * own answer or error and no other fails with it. With an origin anchor, or on PGlite (one
 * connection, nothing to group), each goes on its own.
 */
export function insertNewTicketGrouped(db: Conn, rows: NewTicketRows): Promise<Created> {
  if (rows.anchor || !preparesStatements(db)) return insertNewTicket(db, rows);
  const byQueue = groups.get(db) ?? new Map<string, Group>();
  groups.set(db, byQueue);
  const joined = byQueue.get(rows.ticket.queueKey) ?? { busy: false, waiting: [] };
  byQueue.set(rows.ticket.queueKey, joined);
  return new Promise<Created>((resolve, reject) => {
    joined.waiting.push({ rows, resolve, reject });
    if (!joined.busy) void drain(db, joined);
  });
}

async function drain(db: Conn, group: Group): Promise<void> {
  group.busy = true;
  try {
    while (group.waiting.length) {
      const batch = group.waiting.splice(0, MAX_GROUP);
      const grouped = batch.length > 1 ? await insertMany(db, batch.map((w) => w.rows)).catch(() => null) : null;
      if (grouped) {
        for (const [i, w] of batch.entries()) w.resolve(grouped[i]!);
        continue;
      }
      await Promise.all(batch.map((w) => insertNewTicket(db, w.rows).then(w.resolve, w.reject)));
    }
  } finally {
    group.busy = false;
  }
}

/** Several plain creates of one queue (no anchors) as one statement; the answers in the order given. */
async function insertMany(db: Conn, many: NewTicketRows[]): Promise<Created[]> {
  const queueKey = many[0]!.ticket.queueKey;
  const own = TICKET_COLUMNS.filter((key) => key !== 'queueKey');
  const record = (table: PgTable, keys: readonly string[], row: Record<string, unknown>, prefix: string) =>
    Object.fromEntries(keys.map((key) => [`${prefix}${columnOf(table, key).name}`, encodeJson(row[key])]));
  const definition = (table: PgTable, keys: readonly string[], prefix: string) => keys.map((key) => `${prefix}${columnOf(table, key).name} ${columnOf(table, key).getSQLType()}`).join(', ');
  const records = many.map((rows, ord) => ({
    ord,
    ...record(tickets, own, rows.ticket, ''),
    ...record(ticketEvents, EVENT_COLUMNS, rows.event, 'e_'),
    ...Object.fromEntries(Object.entries(ticketSearchTexts(rows.search.title, rows.search.description, rows.search.fields)).map(([k, v]) => [`s_${k}`, v])),
  }));
  const planned = many.flatMap((rows, ord) =>
    rows.deliveries.map((d) => ({ ord, ...deliveryRecord(d), at: (rows.event.createdAt ?? new Date()).toISOString() })),
  );
  const config = `'${SEARCH_CONFIG}'::regconfig`;
  const text = `
    with counter as (
      update queues set next_number = next_number + $2::int where key = $1::text returning next_number - $2::int as first
    ), r as (
      select * from jsonb_to_recordset($3::jsonb) as r(ord int, ${definition(tickets, own, '')}, ${definition(ticketEvents, EVENT_COLUMNS, 'e_')}, s_title text, s_description text, s_fields text)
    ), t as (
      insert into tickets (number, key, queue_key, ${names(tickets, own)})
      select counter.first + r.ord, $1::text || '-' || (counter.first + r.ord), $1::text, ${own.map((key) => `r.${columnOf(tickets, key).name}`).join(', ')}
      from r, counter order by r.ord
      returning *
    ), tr as (
      select t.id as ticket_id, t.key as ticket_key, r.* from t join counter on true join r on t.number = counter.first + r.ord
    ), e as (
      insert into ticket_events (ticket_id, origin_anchor_id, ${names(ticketEvents, EVENT_COLUMNS)})
      select tr.ticket_id, null, ${EVENT_COLUMNS.map((key) => `tr.e_${columnOf(ticketEvents, key).name}`).join(', ')} from tr order by tr.ord
      returning *
    ), d as (
      insert into deliveries (event_id, ticket_id, channel, audience, lane, kind, person_id, anchor_id, target, next_attempt_at, created_at)
      select e.id, e.ticket_id, v.channel, v.audience, v.lane, v.kind, v.person_id, v.anchor_id, v.target, v.at, v.at
      from jsonb_to_recordset($4::jsonb) as v(ord int, channel text, audience text, lane text, kind text, person_id int, anchor_id int, target jsonb, at timestamptz)
      join tr on tr.ord = v.ord join e on e.ticket_id = tr.ticket_id
    ), s as (
      insert into ticket_search (ticket_id, public_doc)
      select tr.ticket_id, setweight(to_tsvector(${config}, tr.ticket_key), 'A') || setweight(to_tsvector(${config}, tr.s_title), 'A')
        || setweight(to_tsvector(${config}, tr.s_description), 'B') || setweight(to_tsvector(${config}, tr.s_fields), 'C')
      from tr
    ), n as (
      select pg_notify($5::text, $1::text || ':' || tr.ticket_id) from tr
    )
    select tr.ord, to_jsonb(t) as ticket, to_jsonb(e) as event
    from t join tr on tr.ticket_id = t.id join e on e.ticket_id = t.id cross join (select count(*) from n) as notified
    order by tr.ord`;
  const rows = await preparedRows<{ ord: number; ticket: unknown; event: unknown }>(db, text, [queueKey, many.length, JSON.stringify(records), JSON.stringify(planned), NOTIFY_CHANNEL]);
  if (rows.length !== many.length) throw new Error(`a group of ${many.length} creates wrote ${rows.length}`);
  return rows.map((row) => ({ ticket: rowFromJson(tickets, row.ticket), event: rowFromJson(ticketEvents, row.event), anchor: null }));
}

/** A value inside a JSON parameter, as jsonb_to_recordset reads it back into its column's type. */
function encodeJson(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}
