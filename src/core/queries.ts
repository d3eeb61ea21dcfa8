import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { people, tickets } from '../db/schema.ts';
import { PRIORITIES } from './catalog.ts';
import { breachedCondition, dueSoonCondition } from './desk-summary.ts';
import { Invalid } from './errors.ts';
import { searchCondition, searchTicketIds, snippetsFor, type SearchScope } from './search.ts';
import { statusSchema } from './status.ts';
import { selectTicketRows, toTicketView, type TicketView } from './view.ts';

/** due: the next SLA instant first (the desk's default); updated / created: newest first; rank: best search hit first. */
export const LIST_SORTS = ['due', 'updated', 'created', 'rank'] as const;
export const listSortSchema = z.enum(LIST_SORTS);
export type ListSort = z.infer<typeof listSortSchema>;

export interface ListFilters {
  /** One queue or a comma-separated list. */
  queue?: string | undefined;
  /** Only these queues (the ones an agent works); undefined = every queue. */
  queues?: readonly string[] | undefined;
  status?: string | undefined;
  /** An email, or "none". */
  assignee?: string | undefined;
  requester?: string | undefined;
  priority?: string | undefined;
  /** The channel the ticket came from. */
  channel?: string | undefined;
  /** The desk's SLA windows: next SLA instant within the queue's next business hour, or breached. */
  due?: 'soon' | 'breached' | undefined;
  /** For due=soon: when the next business hour ends, per queue (dueSoonUntil). */
  dueSoonUntil?: Record<string, Date> | undefined;
  /** Full-text search (websearch syntax) over key, title, description, fields and comments. */
  q?: string | undefined;
  /** Search internal notes too (agents, the API). */
  includeInternal?: boolean | undefined;
  /** Default: rank with a search, else created (newest first). */
  sort?: ListSort | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface TicketPage {
  items: TicketView[];
  nextCursor: string | null;
  /** Search only: a highlighted passage per ticket key, hits between \u0001 and \u0002 (the caller escapes and marks them). */
  snippets: Record<string, string>;
}

const requesterPeople = alias(people, 'requester_filter');
const assigneePeople = alias(people, 'assignee_filter');

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function filterConditions(filters: ListFilters, now: Date): SQL[] {
  const where: SQL[] = [];
  if (filters.due === 'soon') where.push(dueSoonCondition(filters.dueSoonUntil ?? {}, now));
  if (filters.due === 'breached') where.push(breachedCondition(now));
  const queues = list(filters.queue).map((q) => q.toUpperCase());
  if (queues.length) where.push(inArray(tickets.queueKey, queues));
  if (filters.queues) where.push(filters.queues.length ? inArray(tickets.queueKey, [...filters.queues]) : sql`false`);
  const statuses = list(filters.status);
  for (const s of statuses) {
    if (!statusSchema.safeParse(s).success) throw new Invalid(`status '${s}' is not one of ${statusSchema.options.join(', ')}`, [{ path: 'status', message: 'unknown status' }]);
  }
  if (statuses.length) where.push(inArray(tickets.status, statuses));
  const priorities = list(filters.priority).map((p) => p.toUpperCase());
  for (const p of priorities) {
    if (!(PRIORITIES as readonly string[]).includes(p)) throw new Invalid(`priority '${p}' is not one of ${PRIORITIES.join(', ')}`, [{ path: 'priority', message: 'unknown priority' }]);
  }
  if (priorities.length) where.push(inArray(tickets.priority, priorities));
  if (filters.channel) where.push(eq(tickets.originChannel, filters.channel.trim().toLowerCase()));
  if (filters.requester) {
    where.push(sql`${tickets.requesterId} = (select ${requesterPeople.id} from ${people} ${requesterPeople} where ${requesterPeople.email} = ${filters.requester.trim().toLowerCase()})`);
  }
  if (filters.assignee === 'none') where.push(isNull(tickets.assigneeId));
  else if (filters.assignee) {
    where.push(sql`${tickets.assigneeId} = (select ${assigneePeople.id} from ${people} ${assigneePeople} where ${assigneePeople.email} = ${filters.assignee.trim().toLowerCase()})`);
  }
  return where;
}

/**
 * Tickets by filters, sorted and keyset-paginated (the cursor is opaque to clients and names its
 * sort); with `q`, full-text search ranked best first (src/core/search.ts).
 */
export async function listTickets(ctx: { db: Db; now: () => Date }, filters: ListFilters): Promise<TicketPage> {
  const query = filters.q?.trim() ?? '';
  const sort: ListSort = filters.sort ?? (query ? 'rank' : 'created');
  const now = ctx.now();
  const where = filterConditions(filters, now);
  const scope: SearchScope | null = query ? { q: query, includeInternal: filters.includeInternal ?? false } : null;

  if (sort === 'rank') {
    if (!scope) throw new Invalid('sort=rank needs a search (q)', [{ path: 'sort', message: 'rank needs q' }]);
    const cursor = filters.cursor ? decodeCursor(filters.cursor, 'rank') : null;
    const offset = cursor?.sort === 'rank' ? cursor.offset : 0;
    const ids = await searchTicketIds(ctx.db, scope, where, offset, filters.limit + 1);
    const pageIds = ids.slice(0, filters.limit);
    const [rows, snippets] = pageIds.length ? await Promise.all([selectTicketRows(ctx.db).where(inArray(tickets.id, pageIds)), snippetsFor(ctx.db, scope, pageIds)]) : [[], new Map<number, string>()];
    const byId = new Map(rows.map((r) => [r.ticket.id, r]));
    const items = pageIds.flatMap((id) => {
      const r = byId.get(id);
      return r ? [toTicketView(r.ticket, r.requester, r.assignee, now)] : [];
    });
    return {
      items,
      nextCursor: ids.length > filters.limit ? encodeCursor({ sort: 'rank', offset: offset + filters.limit }) : null,
      snippets: byKey(items, snippets),
    };
  }

  if (scope) where.push(searchCondition(scope));
  const { column, direction } = SORT_COLUMNS[sort];
  if (filters.cursor) {
    const cursor = decodeCursor(filters.cursor, sort);
    if (cursor.sort === 'created') where.push(sql`${tickets.id} < ${cursor.id}`);
    else if (cursor.sort !== 'rank') {
      where.push(direction === 'asc' ? sql`(${column}, ${tickets.id}) > (${cursor.value}::timestamptz, ${cursor.id})` : sql`(${column}, ${tickets.id}) < (${cursor.value}::timestamptz, ${cursor.id})`);
    }
  }
  const order = direction === 'asc' ? [asc(column), asc(tickets.id)] : [desc(column), desc(tickets.id)];
  const rows = await ctx.db
    .select({ ticket: tickets, requester: people, assignee: ticketAssignee, sortValue: sql<string>`${column}::text` })
    .from(tickets)
    .innerJoin(people, eq(people.id, tickets.requesterId))
    .leftJoin(ticketAssignee, eq(ticketAssignee.id, tickets.assigneeId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(...order)
    .limit(filters.limit + 1);
  const page = rows.slice(0, filters.limit);
  const last = page.at(-1);
  const items = page.map((r) => toTicketView(r.ticket, r.requester, r.assignee, now));
  return {
    items,
    nextCursor: rows.length > filters.limit && last ? encodeCursor(sort === 'created' ? { sort, id: last.ticket.id } : { sort, value: last.sortValue, id: last.ticket.id }) : null,
    snippets: scope && items.length ? byKey(items, await snippetsFor(ctx.db, scope, items.map((i) => i.id))) : {},
  };
}

function byKey(items: TicketView[], snippets: Map<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const snippet = snippets.get(item.id);
    if (snippet !== undefined) out[item.key] = snippet;
  }
  return out;
}

const ticketAssignee = alias(people, 'assignee');

const SORT_COLUMNS = {
  due: { column: tickets.slaDueAt, direction: 'asc' },
  updated: { column: tickets.updatedAt, direction: 'desc' },
  created: { column: tickets.id, direction: 'desc' },
} as const;

type Cursor = { sort: 'created'; id: number } | { sort: 'due' | 'updated'; value: string; id: number } | { sort: 'rank'; offset: number };

const MAX_INT4 = 2_147_483_647;
// Postgres' own text for a timestamptz (or 'infinity'), so the cursor keeps its microseconds.
const TIMESTAMP_TEXT = /^(infinity|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?)$/;

function encodeCursor(cursor: Cursor): string {
  const text = cursor.sort === 'created' ? `t:${cursor.id}` : cursor.sort === 'rank' ? `r:${cursor.offset}` : `${cursor.sort === 'due' ? 'd' : 'u'}:${cursor.id}:${cursor.value}`;
  return Buffer.from(text).toString('base64url');
}

function decodeCursor(cursor: string, sort: ListSort): Cursor {
  const text = Buffer.from(cursor, 'base64url').toString();
  const invalid = () => new Invalid('cursor is not valid; use nextCursor from a previous page with the same sort', [{ path: 'cursor', message: 'invalid' }]);
  const created = /^t:(\d{1,10})$/.exec(text);
  // Ids are Postgres integers: a cursor past that range is not one we issued.
  if (created && sort === 'created' && Number(created[1]) <= MAX_INT4) return { sort, id: Number(created[1]) };
  const rank = /^r:(\d{1,4})$/.exec(text);
  if (rank && sort === 'rank') return { sort, offset: Number(rank[1]) };
  const keyed = /^([du]):(\d{1,10}):(.+)$/.exec(text);
  if (keyed && (sort === 'due' || sort === 'updated') && (keyed[1] === 'd') === (sort === 'due') && Number(keyed[2]) <= MAX_INT4 && TIMESTAMP_TEXT.test(keyed[3]!)) {
    return { sort, id: Number(keyed[2]), value: keyed[3]! };
  }
  throw invalid();
}
