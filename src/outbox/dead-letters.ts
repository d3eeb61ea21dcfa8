import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { deliveries, tickets } from '../db/schema.ts';
import { NOTIFY_CHANNEL } from '../core/mirror.ts';
import { NotFound } from '../core/errors.ts';

/** Dead-lettered deliveries: kept, listed, and re-queueable. */
export async function listDeadLetters(db: Db, limit = 100) {
  const rows = await db
    .select({ delivery: deliveries, ticketKey: tickets.key })
    .from(deliveries)
    .innerJoin(tickets, eq(tickets.id, deliveries.ticketId))
    .where(eq(deliveries.phase, 'dead'))
    .orderBy(desc(deliveries.id))
    .limit(limit);
  return rows.map(({ delivery, ticketKey }) => ({
    id: delivery.id,
    ticket: ticketKey,
    // The join on tickets keeps ticket deliveries, which always have an event (notices have neither).
    eventId: delivery.eventId!,
    channel: delivery.channel,
    audience: delivery.audience,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
  }));
}

/** How many deliveries are dead-lettered now (the /metrics gauge). */
export async function countDeadLetters(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(deliveries).where(eq(deliveries.phase, 'dead'));
  return Number(row?.n ?? 0);
}

/** Put a dead delivery back in the queue with a fresh attempt budget and a fresh retry window. */
export async function requeueDeadLetter(db: Db, id: number, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(deliveries)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, requeuedAt: now, lastError: null })
      .where(and(eq(deliveries.id, id), eq(deliveries.status, 'dead')))
      .returning({ id: deliveries.id });
    if (!rows.length) throw new NotFound(`no dead-lettered delivery ${id}`);
    await tx.execute(sql`select pg_notify(${NOTIFY_CHANNEL}, '')`);
  });
}
