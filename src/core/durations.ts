import { and, asc, eq, gt, } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queues, tickets, type Ticket } from '../db/schema.ts';
import type { BusinessCalendar } from './sla/calendar.ts';
import { businessMinutesBetween } from './sla/business-time.ts';
import { calendarOf } from './sla/clocks.ts';

// Durations are written on the ticket when a clock stops, so every report is SQL aggregation
// over stored columns. Both are business minutes on the queue's calendar; resolution leaves out
// the business time spent waiting on the requester (the same arithmetic as the clocks).

type Stoppable = Pick<Ticket, 'createdAt' | 'firstResponseAt' | 'resolvedAt' | 'slaPausedMinutes'>;

/** The duration columns implied by a ticket's clock outcomes (null where a clock has not stopped). */
export function durationsOf(cal: BusinessCalendar, ticket: Stoppable): Pick<Ticket, 'firstResponseMinutes' | 'resolutionMinutes'> {
  return {
    firstResponseMinutes: ticket.firstResponseAt ? round(businessMinutesBetween(cal, ticket.createdAt, ticket.firstResponseAt)) : null,
    resolutionMinutes: ticket.resolvedAt ? round(Math.max(0, businessMinutesBetween(cal, ticket.createdAt, ticket.resolvedAt) - ticket.slaPausedMinutes)) : null,
  };
}

/**
 * The duration columns to add to an SLA patch: recomputed whenever the patch stops (or
 * restarts) a clock, so a reopened and re-resolved ticket carries its last resolution.
 */
export function durationPatch(cal: BusinessCalendar, before: Stoppable, patch: Partial<Ticket>): Partial<Ticket> {
  const touches = 'firstResponseAt' in patch || 'resolvedAt' in patch || 'slaPausedMinutes' in patch;
  if (!touches) return {};
  const after = { ...before, ...patch } as Stoppable;
  const next = durationsOf(cal, after);
  const out: Partial<Ticket> = {};
  if ('firstResponseAt' in patch) out.firstResponseMinutes = next.firstResponseMinutes;
  if ('resolvedAt' in patch || ('slaPausedMinutes' in patch && after.resolvedAt)) out.resolutionMinutes = next.resolutionMinutes;
  return out;
}

/**
 * Compute the durations of tickets that existed before the columns did (the migration marks
 * them `durations_pending`), in batches, oldest first. Safe to run on several replicas at once:
 * each batch is claimed with SKIP LOCKED and the write clears the marker.
 */
export async function backfillDurations(db: Db, options: { batchSize?: number; onProgress?: (done: number) => void; stopped?: () => boolean } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const calendars = new Map<string, BusinessCalendar>();
  for (const queue of await db.select({ key: queues.key, calendar: queues.calendar }).from(queues)) calendars.set(queue.key, calendarOf(queue.calendar));
  let done = 0;
  let after = 0;
  for (;;) {
    if (options.stopped?.()) return done;
    const updated = await db.transaction(async (tx) => {
      const batch = await tx
        .select({ id: tickets.id, queueKey: tickets.queueKey, createdAt: tickets.createdAt, firstResponseAt: tickets.firstResponseAt, resolvedAt: tickets.resolvedAt, slaPausedMinutes: tickets.slaPausedMinutes })
        .from(tickets)
        .where(and(eq(tickets.durationsPending, true), gt(tickets.id, after)))
        .orderBy(asc(tickets.id))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      for (const row of batch) {
        const cal = calendars.get(row.queueKey);
        const durations = cal ? durationsOf(cal, row) : { firstResponseMinutes: null, resolutionMinutes: null };
        await tx.update(tickets).set({ ...durations, durationsPending: false }).where(eq(tickets.id, row.id));
      }
      return batch;
    });
    if (updated.length === 0) return done;
    done += updated.length;
    after = updated[updated.length - 1]!.id;
    options.onProgress?.(done);
  }
}

function round(minutes: number): number {
  return Math.round(minutes * 10) / 10;
}
