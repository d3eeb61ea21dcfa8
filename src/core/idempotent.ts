import { eq, sql } from 'drizzle-orm';
import { reusable } from '../db/reusable.ts';
import type { Tx } from '../db/client.ts';
import { people, ticketEvents, type TicketEvent } from '../db/schema.ts';
import type { CommandResult, CoreContext } from './context.ts';
import { isUniqueViolation } from './errors.ts';
import { ticketRowsById, toEventView, toTicketView, type EventView, type TicketView } from './view.ts';

export type TxResult = { ticketId: number; event: TicketEvent; views?: { ticket: TicketView; event: EventView } };

/**
 * Run a command in ONE transaction. With an idempotency key, a repeat (or a concurrent
 * duplicate that loses the race on the unique index) returns the first result and writes nothing.
 */
export async function idempotent(ctx: CoreContext, key: string | undefined, run: (tx: Tx) => Promise<TxResult>): Promise<CommandResult> {
  return idempotentWrite(ctx, key, () => ctx.db.transaction((tx) => run(tx as Tx)));
}

/**
 * The same for a command that opens its own transaction, or writes in ONE statement (atomic by
 * itself) and so needs none: `write` must be all-or-nothing.
 */
export async function idempotentWrite(ctx: CoreContext, key: string | undefined, write: () => Promise<TxResult>): Promise<CommandResult> {
  const outcome = await unlessSeen(ctx, key, write);
  if ('result' in outcome && outcome.result.views) return { ...outcome.result.views, replayed: false };
  const [ticketId, eventId, replayed] = 'prior' in outcome ? [outcome.prior.ticketId, outcome.prior.id, true] : [outcome.result.ticketId, outcome.result.event.id, false];
  // The two reads are independent: they go out together.
  const [ticket, event] = await Promise.all([getTicketById(ctx, ticketId), getEventView(ctx, eventId)]);
  return { ticket, event, replayed };
}

/**
 * The same for a caller that does not read the result (a chat reply: the channel hears of it through
 * the outbox): neither the views nor, on a repeat, the first result are read.
 */
export async function idempotentQuietly(ctx: CoreContext, key: string | undefined, run: (tx: Tx) => Promise<TxResult>): Promise<undefined> {
  await unlessSeen(ctx, key, () => ctx.db.transaction((tx) => run(tx as Tx)));
  return undefined;
}

type Prior = { id: number; ticketId: number };

/**
 * `write`, unless an event was written under `key` before: then that event, and nothing written. A
 * concurrent duplicate that loses the race on the unique index finds the winner's event the same way.
 */
async function unlessSeen(ctx: CoreContext, key: string | undefined, write: () => Promise<TxResult>): Promise<{ prior: Prior } | { result: TxResult }> {
  if (key) {
    const prior = await priorOf(ctx, key);
    if (prior) return { prior };
  }
  try {
    return { result: await write() };
  } catch (error) {
    if (key && isUniqueViolation(error, 'ticket_events_idempotency_uq')) {
      const prior = await priorOf(ctx, key);
      if (prior) return { prior };
    }
    throw error;
  }
}

const eventWithKey = reusable('event_by_idempotency_key', (conn) =>
  conn.select({ id: ticketEvents.id, ticketId: ticketEvents.ticketId }).from(ticketEvents).where(eq(ticketEvents.idempotencyKey, sql.placeholder('key'))),
);
const eventRowWithId = reusable('event_row_by_id', (conn) =>
  conn.select({ event: ticketEvents, actor: people }).from(ticketEvents).leftJoin(people, eq(people.id, ticketEvents.actorId)).where(eq(ticketEvents.id, sql.placeholder('id'))),
);

/** The event written under an idempotency key, if any. */
async function priorOf(ctx: CoreContext, key: string): Promise<Prior | undefined> {
  const [prior] = await eventWithKey(ctx.db, { key });
  return prior;
}

async function getTicketById(ctx: CoreContext, id: number): Promise<TicketView> {
  const [row] = await ticketRowsById(ctx.db, { id });
  return toTicketView(row!.ticket, row!.requester, row!.assignee, ctx.now());
}

async function getEventView(ctx: CoreContext, id: number): Promise<EventView> {
  const [row] = await eventRowWithId(ctx.db, { id });
  return toEventView(row!.event, row!.actor);
}
