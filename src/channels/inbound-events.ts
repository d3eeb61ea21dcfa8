import { and, eq, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inboundEvents } from '../db/schema.ts';

/**
 * Platform events already taken (Slack `event_id`, Teams activity id), in the database so
 * every replica, and the same one after a restart, sees them: a redelivery is a no-op.
 * A claim is taken before the work and given back if the work fails, so the platform's
 * retry can do it. A Teams invoke's answer is stored with its claim, so a redelivered
 * invoke gets the first answer instead of nothing.
 */
export interface StoredAnswer {
  status: number;
  body?: unknown;
}

/** Events older than this are forgotten (Slack retries for about an hour, Teams for less). */
const KEEP_MS = 2 * 24 * 3_600_000;
let claimsSincePrune = 0;

/** True when this call took `key` (first delivery); false when it was taken before. */
export async function claimEvent(db: Db, key: string): Promise<boolean> {
  const rows = await db.insert(inboundEvents).values({ key }).onConflictDoNothing().returning({ key: inboundEvents.key });
  if (++claimsSincePrune >= 500) {
    claimsSincePrune = 0;
    await db.delete(inboundEvents).where(lt(inboundEvents.createdAt, sql`now() - ${`${KEEP_MS} milliseconds`}::interval`)).catch(() => undefined);
  }
  return rows.length > 0;
}

/** The work failed: forget the claim so a redelivery may try again. */
export async function releaseEvent(db: Db, key: string): Promise<void> {
  await db.delete(inboundEvents).where(eq(inboundEvents.key, key));
}

export async function storeAnswer(db: Db, key: string, answer: StoredAnswer): Promise<void> {
  await db.update(inboundEvents).set({ response: answer }).where(eq(inboundEvents.key, key));
}

/**
 * The stored answer of a claimed event, waiting up to `waitMs` while the first delivery
 * is still being worked on (a redelivery can arrive before the first one answered).
 */
export async function storedAnswer(db: Db, key: string, waitMs: number): Promise<StoredAnswer | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [row] = await db.select({ response: inboundEvents.response }).from(inboundEvents).where(and(eq(inboundEvents.key, key), isNotNull(inboundEvents.response)));
    const answer = row?.response as StoredAnswer | undefined;
    if (answer && typeof answer.status === 'number') return answer;
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
