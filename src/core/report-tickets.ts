import { and, asc, eq, gt, gte, lt, type SQL } from 'drizzle-orm';
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
 * Tickets created in [from, to), a page at a time by id (keyset), so a month of a million
 * tickets streams in constant memory.
 */
export async function* ticketFactsPages(db: Conn, filter: { from: Date; to: Date; queue?: string | undefined; now: Date; pageSize?: number }): AsyncGenerator<TicketFacts[]> {
  const pageSize = filter.pageSize ?? 2000;
  let after = 0;
  for (;;) {
    const where: SQL[] = [gte(tickets.createdAt, filter.from), lt(tickets.createdAt, filter.to), gt(tickets.id, after)];
    if (filter.queue) where.push(eq(tickets.queueKey, filter.queue));
    const rows = await db.select().from(tickets).where(and(...where)).orderBy(asc(tickets.id)).limit(pageSize);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
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
