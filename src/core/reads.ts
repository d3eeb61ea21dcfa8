import { eq } from 'drizzle-orm';
import { tickets } from '../db/schema.ts';
import type { CoreContext } from './context.ts';
import { NotFound } from './errors.ts';
import { loadEvents, ticketRowsByKey, toTicketView, type EventView, type TicketView } from './view.ts';

export async function getTicket(ctx: Pick<CoreContext, 'db' | 'now'>, key: string): Promise<TicketView> {
  const [row] = await ticketRowsByKey(ctx.db, { key: key.toUpperCase() });
  if (!row) throw new NotFound(`no ticket ${key}`);
  return toTicketView(row.ticket, row.requester, row.assignee, ctx.now());
}

export async function getTimeline(ctx: Pick<CoreContext, 'db'>, key: string, options: { includeInternal: boolean }): Promise<EventView[]> {
  const [ticket] = await ctx.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.key, key.toUpperCase()));
  if (!ticket) throw new NotFound(`no ticket ${key}`);
  return loadEvents(ctx.db, ticket.id, options.includeInternal);
}
