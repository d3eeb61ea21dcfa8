import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { resultRows } from '../../db/migrate.ts';
import { reusable } from '../../db/reusable.ts';
import { deliveries, people, ticketEvents, tickets, ticketSlaChecks, type Anchor, type Person, type Queue, type Ticket, type TicketEvent } from '../../db/schema.ts';
import { activeWebhookRows, anchorsWithWatchersOfTickets, deliveryRecord, NOTIFY_CHANNEL, planDeliveries, type NewDelivery } from '../mirror.ts';
import type { SlaEvent } from './clocks.ts';

/**
 * What an SLA scanner batch writes (src/core/sla/scanner.ts claims and decides): its tickets'
 * update with their due-list rows, in one statement, and its events with their deliveries, one
 * insert per kind of row, whatever the batch size.
 */

/** What the scanner reads of a claimed ticket: its clocks, and what picks its rules and deliveries. */
export type ScannedTicket = Pick<
  Ticket,
  | 'id'
  | 'queueKey'
  | 'typeKey'
  | 'priority'
  | 'requesterId'
  | 'status'
  | 'createdAt'
  | 'firstResponseDueAt'
  | 'firstResponseAt'
  | 'firstResponseWarnedAt'
  | 'firstResponseBreachedAt'
  | 'resolutionDueAt'
  | 'resolutionWarnedAt'
  | 'resolutionBreachedAt'
  | 'resolvedAt'
  | 'nextSlaCheckAt'
  | 'slaPausedAt'
  | 'slaPausedMinutes'
>;

const peopleWithIds = reusable('sla_people_with_ids', (conn) =>
  conn
    .select()
    .from(people)
    .where(sql`${people.id} = any(string_to_array(${sql.placeholder('ids')}, ',')::int[])`),
);
export interface TicketUpdate {
  id: number;
  next: string | null;
  frw: string | null;
  frb: string | null;
  rw: string | null;
  rb: string | null;
}

/**
 * One statement for the whole batch: the tickets' update, and the move of their due-list rows
 * (each exists: the claim read it, and every writer reaches it through its ticket's row, locked
 * here). The setting around it tells the due list's trigger (migration 0027) that this update's
 * moves are written already, so it does not fire 500 times to write them again.
 */
export async function updateTickets(tx: Tx, rows: TicketUpdate[]): Promise<void> {
  await Promise.all([
    tx.execute(sql`select set_config('switchboard.due_list', 'written', true)`),
    tx.execute(sql`
    with v as materialized (
      select * from json_to_recordset(${JSON.stringify(rows)}::json)
        as v(id int, next timestamptz, frw timestamptz, frb timestamptz, rw timestamptz, rb timestamptz)
    ), moved as (
      update ${ticketSlaChecks} as c set next_check_at = v.next from v where c.ticket_id = v.id and v.next is not null
    ), done as (
      delete from ${ticketSlaChecks} as c using v where c.ticket_id = v.id and v.next is null
    )
    update ${tickets} as t set
      next_sla_check_at = v.next,
      first_response_warned_at = v.frw,
      first_response_breached_at = v.frb,
      resolution_warned_at = v.rw,
      resolution_breached_at = v.rb
    from v
    where t.id = v.id`),
    tx.execute(sql`select set_config('switchboard.due_list', '', true)`),
  ]);
}

/**
 * Append the batch's SLA events (internal, by the system) and their deliveries, planned by
 * planDeliveries exactly as appendEvent does for a single event, but with one query per
 * kind of row instead of one per event.
 */
export async function appendSlaEvents(
  tx: Tx,
  enabled: ReadonlySet<string>,
  fired: Array<{ ticket: ScannedTicket; event: SlaEvent }>,
  queueOf: Map<string, Queue>,
  now: Date,
): Promise<void> {
  // Rows travel as one JSON parameter: thousands of bind parameters cost more than the insert.
  // jsonb_to_recordset for rows with a jsonb column (the events' data, the deliveries' target): the
  // parameter is parsed once and each row's value copied out, where json_to_recordset parsed each
  // nested object a second time for its jsonb column (a third less Postgres time for the insert).
  // Flat rows (the tickets' update) stay json: read once, a jsonb value is not worth building.
  const rows = fired.map(({ ticket, event }) => ({ ticket_id: ticket.id, type: event.type, body: event.body, data: { ...event.data, via: 'scanner' } }));
  const ticketIds = [...new Set(fired.map((f) => f.ticket.id))].join(',');
  const requesterIds = [...new Set(fired.map((f) => f.ticket.requesterId))].join(',');
  const [returned, anchorRows, webhooks, requesterRows] = await Promise.all([
    tx.execute<{ id: number | string; ticket_id: number; clock: string }>(sql`
      insert into ${ticketEvents} (ticket_id, type, visibility, actor_role, channel, body, data, created_at)
      select v.ticket_id, v.type, 'internal', 'system', 'system', v.body, v.data, ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(ticket_id int, type text, body text, data jsonb)
      returning id, ticket_id, data->>'clock' as clock`),
    // The tickets' anchors with their watchers' people rows, and the requesters, in the same round trip.
    enabled.size ? anchorsWithWatchersOfTickets(tx, { tickets: ticketIds }) : [],
    enabled.has('webhook') ? activeWebhookRows(tx, {}) : [],
    enabled.size ? peopleWithIds(tx, { ids: requesterIds }) : [],
  ]);
  if (!enabled.size) return;
  // Each clock fires at most once per ticket in a batch, so (ticket, clock) names the event.
  const idOf = new Map(resultRows<{ id: number | string; ticket_id: number; clock: string }>(returned).map((r) => [`${r.ticket_id}:${r.clock}`, Number(r.id)]));
  const inserted: TicketEvent[] = fired.map(({ ticket, event }, index) => ({
    id: idOf.get(`${ticket.id}:${String(event.data.clock)}`)!,
    ticketId: ticket.id,
    type: event.type,
    visibility: 'internal',
    actorId: null,
    actorRole: 'system',
    channel: 'system',
    body: event.body,
    data: rows[index]!.data,
    originAnchorId: null,
    idempotencyKey: null,
    createdAt: now,
  }));
  const requesterOf = new Map(requesterRows.map((p) => [p.id, p]));
  // Each ticket's anchors, newest use first (the statement's order), and its watchers, once each.
  const anchorsOf = new Map<number, { anchors: Anchor[]; watchers: Map<number, Person> }>();
  for (const { anchor, watcher } of anchorRows) {
    let own = anchorsOf.get(anchor.ticketId);
    if (!own) {
      own = { anchors: [], watchers: new Map() };
      anchorsOf.set(anchor.ticketId, own);
    }
    own.anchors.push(anchor);
    if (watcher && !own.watchers.has(watcher.id)) own.watchers.set(watcher.id, watcher);
  }

  const planned: NewDelivery[] = [];
  fired.forEach(({ ticket }, index) => {
    const own = anchorsOf.get(ticket.id);
    planned.push(
      ...planDeliveries({
        ticket,
        queue: queueOf.get(ticket.queueKey)!,
        event: inserted[index]!,
        requester: requesterOf.get(ticket.requesterId)!,
        watchers: own ? [...own.watchers.values()] : [],
        anchors: own?.anchors ?? [],
        enabled,
        webhooks,
      }),
    );
  });
  if (!planned.length) return;
  const deliveryRows = planned.map((d) => ({ event_id: d.eventId, ticket_id: d.ticketId, ...deliveryRecord(d) }));
  await Promise.all([
    tx.execute(sql`
    insert into ${deliveries} (event_id, ticket_id, channel, audience, lane, kind, person_id, anchor_id, target, next_attempt_at, created_at)
    select v.event_id, v.ticket_id, v.channel, v.audience, v.lane, v.kind, v.person_id, v.anchor_id, v.target,
           ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(deliveryRows)}::jsonb)
      as v(event_id bigint, ticket_id int, channel text, audience text, lane text, kind text, person_id int, anchor_id int, target jsonb)`),
    tx.execute(sql`select pg_notify(${NOTIFY_CHANNEL}, '')`),
  ]);
}
