import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Conn, Tx } from '../db/client.ts';
import { people, queueAssignment, tickets, type Queue } from '../db/schema.ts';
import { Forbidden, NotFound } from './errors.ts';
import { agentsOf, queuesWorkedBy, type DeskMember } from './roles.ts';

/** Statuses a ticket still needs work in (least_open counts these). */
const DONE = ['resolved', 'closed'];

/**
 * Who gets a new ticket of the queue, by its `assignment` mode; null for `none` or when
 * nobody is available. Agents (and leads) who are away or inactive are skipped.
 *
 * The queue's cursor row is locked FOR UPDATE first and kept until the create commits, so
 * concurrent creates in one queue take turns: each sees the choice of the one before it
 * (round robin's last person, least_open's new ticket). Ties go to roster order.
 */
export async function pickAssignee(tx: Tx, queue: Pick<Queue, 'key' | 'assignment'>): Promise<DeskMember | null> {
  if (!assigns(queue)) return null;
  let [cursor] = await tx.select().from(queueAssignment).where(eq(queueAssignment.queueKey, queue.key)).for('update');
  if (!cursor) {
    await tx.insert(queueAssignment).values({ queueKey: queue.key }).onConflictDoNothing();
    [cursor] = await tx.select().from(queueAssignment).where(eq(queueAssignment.queueKey, queue.key)).for('update');
  }
  const roster = await agentsOf(tx, queue.key);
  const available = roster.filter((a) => !a.away);
  if (!available.length) return null;
  let chosen: DeskMember;
  if (queue.assignment === 'round_robin') {
    // The next available person after the last one, in roster order (wrapping around).
    const last = roster.findIndex((a) => a.id === cursor!.lastPersonId);
    const order = [...roster.slice(last + 1), ...roster.slice(0, last + 1)];
    chosen = order.find((a) => !a.away)!;
  } else {
    const rows = await tx
      .select({ assigneeId: tickets.assigneeId, open: sql<number>`count(*)::int` })
      .from(tickets)
      .where(and(inArray(tickets.assigneeId, available.map((a) => a.id)), notInArray(tickets.status, DONE)))
      .groupBy(tickets.assigneeId);
    const load = new Map(rows.map((r) => [r.assigneeId!, Number(r.open)]));
    chosen = available.reduce((best, a) => ((load.get(a.id) ?? 0) < (load.get(best.id) ?? 0) ? a : best));
  }
  await tx.update(queueAssignment).set({ lastPersonId: chosen.id, updatedAt: sql`now()` }).where(eq(queueAssignment.queueKey, queue.key));
  return chosen;
}

/** Whether new tickets of the queue are assigned on creation. */
export function assigns(queue: Pick<Queue, 'assignment'>): boolean {
  return queue.assignment === 'round_robin' || queue.assignment === 'least_open';
}

/** Create the cursor rows of the catalog's queues (so a create only locks, never inserts). */
export async function ensureCursors(conn: Conn, queueKeys: string[]): Promise<void> {
  if (queueKeys.length) await conn.insert(queueAssignment).values(queueKeys.map((queueKey) => ({ queueKey }))).onConflictDoNothing();
}

export interface Availability {
  email: string;
  away: boolean;
  queues: string[];
}

/** An agent marks themselves away (no new tickets) or back. Only people on some queue's desk have availability. */
export async function setAvailability(conn: Conn, email: string, away: boolean): Promise<Availability> {
  const [person] = await conn.select().from(people).where(eq(people.email, email.trim().toLowerCase()));
  if (!person) throw new NotFound(`nobody with the email ${email.trim().toLowerCase()} is known`);
  const queues = await queuesWorkedBy(conn, person.id);
  if (!queues.length) throw new Forbidden(`${person.email} is not an agent of any queue, so has no availability to set`, { person: person.email });
  await conn.update(people).set({ away, updatedAt: sql`now()` }).where(eq(people.id, person.id));
  return { email: person.email, away, queues };
}
