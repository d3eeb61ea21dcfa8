import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
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

/**
 * How long the first attempt of a kept event (claimEvent with its body) is its own before a redo
 * may take it: well past the work's usual seconds, and past a burst's queue behind the ack.
 */
export const REDO_LEASE_MS = 2 * 60_000;

/**
 * True when this call took `key` (first delivery); false when it was taken before. With `body`
 * (an event acknowledged before its work runs) the event is kept with the claim until
 * completeEvent, so a failure or a crash after the acknowledgement is redone (claimRedo), not lost.
 */
export async function claimEvent(db: Db, key: string, body?: unknown): Promise<boolean> {
  const rows = await db
    .insert(inboundEvents)
    .values(body === undefined ? { key } : { key, body, nextAttemptAt: sql`now() + ${`${REDO_LEASE_MS} milliseconds`}::interval` })
    .onConflictDoNothing()
    .returning({ key: inboundEvents.key });
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

/** The work of a kept event is done: it is no longer redone, and its body is let go. */
export async function completeEvent(db: Db, key: string): Promise<void> {
  await db.update(inboundEvents).set({ doneAt: sql`now()`, body: null, lastError: null }).where(eq(inboundEvents.key, key));
}

/**
 * The work of a kept event failed: try again after `delayMs` (the caller's backoff). Returns false
 * when the event was not kept (no body): then the claim is given back instead, for the platform's retry.
 */
export async function deferEvent(db: Db, key: string, error: unknown, delayMs: number): Promise<boolean> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2_000);
  const rows = await db
    .update(inboundEvents)
    .set({ lastError: message, nextAttemptAt: sql`now() + ${`${Math.max(0, Math.round(delayMs))} milliseconds`}::interval` })
    .where(and(eq(inboundEvents.key, key), isNotNull(inboundEvents.body), isNull(inboundEvents.doneAt)))
    .returning({ key: inboundEvents.key });
  if (!rows.length) await releaseEvent(db, key);
  return rows.length > 0;
}

export interface RedoEvent {
  key: string;
  body: unknown;
  /** Redos before this one (0 for the first redo). */
  attempts: number;
  createdAt: Date;
}

/**
 * Take up to `limit` kept events whose work is not done and whose lease or backoff has run out
 * (SKIP LOCKED, so replicas split them), extending their lease by `leaseMs` for this attempt.
 * `skip` names events this process is still working on (queued behind the ack), which stay put.
 */
export async function claimRedo(db: Db, limit: number, leaseMs: number, skip: readonly string[] = []): Promise<RedoEvent[]> {
  const rows = await db.execute<{ key: string; body: unknown; attempts: number; created_at: Date | string }>(sql`
    update ${inboundEvents} set attempts = attempts + 1, next_attempt_at = now() + ${`${leaseMs} milliseconds`}::interval
    where key = any(array(
      select key from ${inboundEvents}
      where body is not null and done_at is null and next_attempt_at <= now()
        and key not in (select jsonb_array_elements_text(${JSON.stringify(skip)}::jsonb))
      order by next_attempt_at limit ${limit} for update skip locked))
    returning key, body, attempts - 1 as attempts, created_at`);
  return resultRows<{ key: string; body: unknown; attempts: number; created_at: Date | string }>(rows).map((r) => ({
    key: r.key,
    body: r.body,
    attempts: Number(r.attempts),
    createdAt: new Date(r.created_at),
  }));
}

/** Give up on a kept event: it stays (with its error) for the log's reader, and is not redone. */
export async function abandonEvent(db: Db, key: string, reason: string): Promise<void> {
  await db.update(inboundEvents).set({ doneAt: sql`now()`, lastError: reason.slice(0, 2_000) }).where(eq(inboundEvents.key, key));
}
