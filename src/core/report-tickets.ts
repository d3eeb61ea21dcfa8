import { and, asc, eq, getTableColumns, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { tickets } from '../db/schema.ts';
import { clockState } from './sla.ts';

/** The columns of GET /reports/tickets.csv, one row per ticket. */
export const TICKET_CSV_COLUMNS = [
  'key',
  'queue',
  'type',
  'priority',
  'channel',
  'status',
  'createdAt',
  'firstResponseAt',
  'firstResponseMinutes',
  'firstResponseState',
  'resolvedAt',
  'resolutionMinutes',
  'resolutionState',
  'reopenCount',
  'agentReplies',
  'firstContactResolution',
] as const;

export type TicketFacts = Record<(typeof TICKET_CSV_COLUMNS)[number], string | number | boolean | null>;

/**
 * Tickets created in [from, to), a page at a time by (created_at, id) — the order of the
 * (queue, created_at) index — so a month of a million tickets streams in constant memory and
 * each page starts where the last one stopped.
 */
export async function* ticketFactsPages(db: Conn, filter: { from: Date; to: Date; queue?: string | undefined; now: Date; pageSize?: number }): AsyncGenerator<TicketFacts[]> {
  const pageSize = filter.pageSize ?? 2000;
  // The cursor keeps created_at as Postgres prints it: microseconds, which a JS Date would cut.
  let after: { at: string; id: number } | null = null;
  for (;;) {
    const where: SQL[] = [lt(tickets.createdAt, filter.to)];
    if (after) where.push(sql`(${tickets.createdAt}, ${tickets.id}) > (${after.at}::timestamptz, ${after.id})`);
    else where.push(gte(tickets.createdAt, filter.from));
    if (filter.queue) where.push(eq(tickets.queueKey, filter.queue));
    const rows = await db.select({ ...getTableColumns(tickets), cursorAt: sql<string>`${tickets.createdAt}::text` }).from(tickets).where(and(...where)).orderBy(asc(tickets.createdAt), asc(tickets.id)).limit(pageSize);
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.cursorAt, id: last.id };
    yield rows.map((t) => ({
      key: t.key,
      queue: t.queueKey,
      type: t.typeKey,
      priority: t.priority,
      channel: t.originChannel,
      status: t.status,
      createdAt: t.createdAt.toISOString(),
      firstResponseAt: t.firstResponseAt?.toISOString() ?? null,
      firstResponseMinutes: t.firstResponseMinutes,
      firstResponseState: t.firstResponseDueAt ? clockState(t, 'first_response', filter.now) : null,
      resolvedAt: t.resolvedAt?.toISOString() ?? null,
      resolutionMinutes: t.resolutionMinutes,
      resolutionState: t.resolutionDueAt ? clockState(t, 'resolution', filter.now) : null,
      reopenCount: t.reopenCount,
      agentReplies: t.agentReplies,
      firstContactResolution: t.resolvedAt ? t.reopenCount === 0 && t.agentReplies <= 1 : null,
    }));
    if (rows.length < pageSize) return;
  }
}
