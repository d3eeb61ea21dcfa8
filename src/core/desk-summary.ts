import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import { tickets } from '../db/schema.ts';
import { addBusinessMinutes } from './sla/business-time.ts';
import type { BusinessCalendar } from './sla/calendar.ts';

/** The statuses that still need the desk (awaiting_approval once approvals exist). */
export const WORK_STATUSES = ['new', 'open', 'in_progress', 'waiting_on_requester', 'awaiting_approval'] as const;
/** "Due soon" on the desk: within this much business time on the queue's calendar. */
export const DUE_SOON_BUSINESS_MINUTES = 60;

export interface QueueCounts {
  queue: string;
  open: number;
  unassigned: number;
  mine: number;
  dueSoon: number;
  breached: number;
  waiting: number;
  awaitingApproval: number;
}

/** When "due soon" ends for each queue: one business hour from now on its calendar. */
export function dueSoonUntil(calendars: Record<string, BusinessCalendar | undefined>, now: Date): Record<string, Date> {
  const out: Record<string, Date> = {};
  for (const [queue, cal] of Object.entries(calendars)) {
    out[queue] = cal ? addBusinessMinutes(cal, now, DUE_SOON_BUSINESS_MINUTES) : new Date(now.getTime() + DUE_SOON_BUSINESS_MINUTES * 60_000);
  }
  return out;
}

const work = sql.raw(`(${WORK_STATUSES.map((s) => `'${s}'`).join(', ')})`);

/** A running clock past due, or a resolution already breached. */
export function breachedCondition(now: Date): SQL {
  return sql`(${tickets.slaDueAt} <= ${now.toISOString()}::timestamptz or ${tickets.resolutionBreachedAt} is not null)`;
}

/** The next SLA instant falls between now and the end of the queue's next business hour. */
export function dueSoonCondition(until: Record<string, Date>, now: Date): SQL {
  const entries = Object.entries(until);
  if (!entries.length) return sql`false`;
  const limit = sql.join(
    entries.map(([queue, at]) => sql`when ${queue} then ${at.toISOString()}::timestamptz`),
    sql` `,
  );
  return sql`(${tickets.slaDueAt} > ${now.toISOString()}::timestamptz and ${tickets.slaDueAt} <= case ${tickets.queueKey} ${limit} end)`;
}

/**
 * One pass over each queue's tickets that still need work (index tickets_status_idx): what the
 * /desk page counts for the agent `personId`.
 */
export async function deskCounts(db: Db, queues: string[], personId: number, until: Record<string, Date>, now: Date): Promise<QueueCounts[]> {
  if (!queues.length) return [];
  const rows = resultRows<Record<string, string | number>>(
    await db.execute(sql`
      select ${tickets.queueKey} as queue,
        count(*) as open,
        count(*) filter (where ${tickets.assigneeId} is null) as unassigned,
        count(*) filter (where ${tickets.assigneeId} = ${personId}) as mine,
        count(*) filter (where ${dueSoonCondition(until, now)}) as due_soon,
        count(*) filter (where ${breachedCondition(now)}) as breached,
        count(*) filter (where ${tickets.status} = 'waiting_on_requester') as waiting,
        count(*) filter (where ${tickets.status} = 'awaiting_approval') as awaiting_approval
      from ${tickets}
      where ${tickets.queueKey} in (${sql.join(
        queues.map((q) => sql`${q}`),
        sql`, `,
      )}) and ${tickets.status} in ${work}
      group by ${tickets.queueKey}`),
  );
  const byQueue = new Map(rows.map((r) => [String(r.queue), r]));
  return queues.map((queue) => {
    const r = byQueue.get(queue);
    const n = (k: string) => Number(r?.[k] ?? 0);
    return { queue, open: n('open'), unassigned: n('unassigned'), mine: n('mine'), dueSoon: n('due_soon'), breached: n('breached'), waiting: n('waiting'), awaitingApproval: n('awaiting_approval') };
  });
}
