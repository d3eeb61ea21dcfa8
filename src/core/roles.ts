import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { reusable } from '../db/reusable.ts';
import { deskRoles, people, queues, type Person } from '../db/schema.ts';
import { Forbidden } from './errors.ts';

/**
 * Who works the desk. The roster comes from the catalog (`admins`, and `agents` / `leads`
 * per queue) and lives in desk_roles: role agent | lead on a queue, admin on '*'. An agent
 * of a queue is anyone listed in its agents or leads; admins act on every queue.
 */
export type Role = 'admin' | 'lead' | 'agent';

export const ADMIN_QUEUE = '*';
const RANK: Record<Role, number> = { admin: 3, lead: 2, agent: 1 };

function strongest(roles: string[]): Role | null {
  let best: Role | null = null;
  for (const role of roles) {
    if (!(role in RANK)) continue;
    if (!best || RANK[role as Role] > RANK[best]) best = role as Role;
  }
  return best;
}

/** The person's role on the queue (admin beats lead beats agent), or null. Inactive people (people.active = false) have none. */
const rolesOn = reusable('roles_on_queue', (conn) =>
  conn
    .select({ role: deskRoles.role })
    .from(deskRoles)
    .innerJoin(people, eq(people.id, deskRoles.personId))
    .where(and(eq(deskRoles.personId, sql.placeholder('person')), inArray(deskRoles.queueKey, [sql.placeholder('queue'), ADMIN_QUEUE]), eq(people.active, true))),
);

export async function roleOn(conn: Conn, personId: number, queueKey: string): Promise<Role | null> {
  const rows = await rolesOn(conn, { person: personId, queue: queueKey.toUpperCase() });
  return strongest(rows.map((r) => r.role));
}

/** Queues the person works (every queue for an admin); [] for an employee. */
export async function queuesWorkedBy(conn: Conn, personId: number): Promise<string[]> {
  const rows = await conn
    .select({ queueKey: deskRoles.queueKey, role: deskRoles.role })
    .from(deskRoles)
    .innerJoin(people, eq(people.id, deskRoles.personId))
    .where(and(eq(deskRoles.personId, personId), eq(people.active, true)));
  if (rows.some((r) => r.role === 'admin')) {
    return (await conn.select({ key: queues.key }).from(queues).where(isNull(queues.archivedAt)).orderBy(asc(queues.key))).map((q) => q.key);
  }
  return [...new Set(rows.filter((r) => r.queueKey !== ADMIN_QUEUE).map((r) => r.queueKey))].sort();
}

export interface DeskMember {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  away: boolean;
}

/** The queue's agents and leads (active, with email/name), for "assign" pickers. Roster order (catalog order). */
export async function agentsOf(conn: Conn, queueKey: string): Promise<DeskMember[]> {
  const rows = await conn
    .select({ id: people.id, email: people.email, name: people.name, role: deskRoles.role, away: people.away })
    .from(deskRoles)
    .innerJoin(people, eq(people.id, deskRoles.personId))
    .where(and(eq(deskRoles.queueKey, queueKey.toUpperCase()), inArray(deskRoles.role, ['agent', 'lead']), eq(people.active, true)))
    .orderBy(asc(deskRoles.position), asc(people.id));
  return rows.map((r) => ({ ...r, role: r.role as Role }));
}

/** True when the person may act as the desk on the queue (an agent or lead of it, or an admin). */
export async function isDesk(conn: Conn, personId: number, queueKey: string): Promise<boolean> {
  return (await roleOn(conn, personId, queueKey)) !== null;
}

/** The refusal every channel shows when someone who is not on the desk tries a desk action. */
export function notOnDesk(person: Pick<Person, 'email'>, queueKey: string, what: string): Forbidden {
  return new Forbidden(`${person.email} is not an agent of the ${queueKey} queue, so they cannot ${what}`, { queue: queueKey, person: person.email });
}

export interface Roster {
  admins: string[];
  queues: Record<string, { agents: string[]; leads: string[] }>;
}

/**
 * Replace desk_roles with the catalog's roster. Emails become people rows (upserted by
 * lower-cased email, so the same person on Slack, Teams and email); one row per person
 * and queue, lead beating agent when someone is listed in both.
 */
export async function syncRoster(conn: Conn, roster: Roster): Promise<void> {
  const emails = new Set<string>();
  const norm = (e: string) => e.trim().toLowerCase();
  for (const email of roster.admins) emails.add(norm(email));
  for (const queue of Object.values(roster.queues)) for (const email of [...queue.agents, ...queue.leads]) emails.add(norm(email));
  const ids = new Map<string, number>();
  if (emails.size) {
    const rows = await conn
      .insert(people)
      .values([...emails].map((email) => ({ email })))
      .onConflictDoUpdate({ target: people.email, set: { updatedAt: sql`now()` } })
      .returning({ id: people.id, email: people.email });
    for (const row of rows) ids.set(row.email, row.id);
  }
  const wanted = new Map<string, { personId: number; queueKey: string; role: Role; position: number }>();
  const put = (email: string, queueKey: string, role: Role, position: number) => {
    const personId = ids.get(norm(email))!;
    const key = `${personId}|${queueKey}`;
    const prior = wanted.get(key);
    if (!prior || RANK[role] > RANK[prior.role]) wanted.set(key, { personId, queueKey, role, position: prior?.position ?? position });
  };
  for (const [i, email] of roster.admins.entries()) put(email, ADMIN_QUEUE, 'admin', i);
  for (const [queueKey, queue] of Object.entries(roster.queues)) {
    // Roster order: agents as listed, then leads (round robin takes turns in this order).
    for (const [i, email] of queue.agents.entries()) put(email, queueKey, 'agent', i);
    for (const [i, email] of queue.leads.entries()) put(email, queueKey, 'lead', queue.agents.length + i);
  }
  await conn.delete(deskRoles);
  if (wanted.size) await conn.insert(deskRoles).values([...wanted.values()]);
}
