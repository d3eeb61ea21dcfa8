import { and, desc, eq, ilike, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import { people, tickets } from '../db/schema.ts';
import { Invalid } from './errors.ts';
import { statusSchema } from './status.ts';
import { selectTicketRows, toTicketView, type TicketView } from './view.ts';

export interface ListFilters {
  queue?: string | undefined;
  status?: string | undefined;
  assignee?: string | undefined;
  requester?: string | undefined;
  q?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

const requesterPeople = alias(people, 'requester_filter');
const assigneePeople = alias(people, 'assignee_filter');

/** Newest first, keyset-paginated by id; the cursor is opaque to clients. */
export async function listTickets(ctx: { db: Db; now: () => Date }, filters: ListFilters): Promise<{ items: TicketView[]; nextCursor: string | null }> {
  const where: SQL[] = [];
  if (filters.queue) where.push(eq(tickets.queueKey, filters.queue.toUpperCase()));
  if (filters.status) {
    const statuses = filters.status.split(',').map((s) => s.trim());
    for (const s of statuses) {
      if (!statusSchema.safeParse(s).success) throw new Invalid(`status '${s}' is not one of ${statusSchema.options.join(', ')}`, [{ path: 'status', message: 'unknown status' }]);
    }
    where.push(inArray(tickets.status, statuses));
  }
  if (filters.requester) {
    where.push(sql`${tickets.requesterId} = (select ${requesterPeople.id} from ${people} ${requesterPeople} where ${requesterPeople.email} = ${filters.requester.toLowerCase()})`);
  }
  if (filters.assignee === 'none') where.push(isNull(tickets.assigneeId));
  else if (filters.assignee) {
    where.push(sql`${tickets.assigneeId} = (select ${assigneePeople.id} from ${people} ${assigneePeople} where ${assigneePeople.email} = ${filters.assignee.toLowerCase()})`);
  }
  if (filters.q) {
    const pattern = `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(tickets.title, pattern), ilike(tickets.description, pattern), ilike(tickets.key, pattern))!);
  }
  if (filters.cursor) where.push(lt(tickets.id, decodeCursor(filters.cursor)));
  const rows = await selectTicketRows(ctx.db)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(tickets.id))
    .limit(filters.limit + 1);
  const page = rows.slice(0, filters.limit);
  const now = ctx.now();
  const last = page.at(-1);
  return {
    items: page.map((r) => toTicketView(r.ticket, r.requester, r.assignee, now)),
    nextCursor: rows.length > filters.limit && last ? encodeCursor(last.ticket.id) : null,
  };
}

function encodeCursor(id: number): string {
  return Buffer.from(`t:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^t:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString());
  // Ids are Postgres integers: a cursor past that range is not one we issued.
  if (!match || Number(match[1]) > 2_147_483_647) throw new Invalid('cursor is not valid; use nextCursor from a previous page', [{ path: 'cursor', message: 'invalid' }]);
  return Number(match[1]);
}
