import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { people, ticketEvents, tickets, type TicketEvent } from '../db/schema.ts';
import type { CommandResult, CoreContext } from './context.ts';
import { isUniqueViolation } from './errors.ts';
import { selectTicketRows, toEventView, toTicketView, type EventView, type TicketView } from './view.ts';

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
  if (key) {
    const prior = await replay(ctx, key);
    if (prior) return prior;
  }
  let result: TxResult;
  try {
    result = await write();
  } catch (error) {
    if (key && isUniqueViolation(error, 'ticket_events_idempotency_uq')) {
      const prior = await replay(ctx, key);
      if (prior) return prior;
    }
    throw error;
  }
  if (result.views) return { ...result.views, replayed: false };
  // The two reads are independent: they go out together.
  const [ticket, event] = await Promise.all([getTicketById(ctx, result.ticketId), getEventView(ctx, result.event.id)]);
  return { ticket, event, replayed: false };
}

async function replay(ctx: CoreContext, key: string): Promise<CommandResult | null> {
  const [prior] = await ctx.db.select().from(ticketEvents).where(eq(ticketEvents.idempotencyKey, key));
  if (!prior) return null;
  const [ticket, event] = await Promise.all([getTicketById(ctx, prior.ticketId), getEventView(ctx, prior.id)]);
  return { ticket, event, replayed: true };
}

async function getTicketById(ctx: CoreContext, id: number): Promise<TicketView> {
  const [row] = await selectTicketRows(ctx.db).where(eq(tickets.id, id));
  return toTicketView(row!.ticket, row!.requester, row!.assignee, ctx.now());
}

async function getEventView(ctx: CoreContext, id: number): Promise<EventView> {
  const [row] = await ctx.db
    .select({ event: ticketEvents, actor: people })
    .from(ticketEvents)
    .leftJoin(people, eq(people.id, ticketEvents.actorId))
    .where(eq(ticketEvents.id, id));
  return toEventView(row!.event, row!.actor);
}
