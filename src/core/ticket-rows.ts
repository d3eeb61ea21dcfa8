import { and, eq, sql } from 'drizzle-orm';
import type { Conn, Tx } from '../db/client.ts';
import { reusable } from '../db/reusable.ts';
import { anchors, people, queues, tickets, type Person, type Queue, type Ticket } from '../db/schema.ts';
import { fieldValuesSchema, type FieldDef } from './catalog.ts';
import { Invalid, NotFound } from './errors.ts';

/** Where an inbound message lives on its platform; recorded as an anchor of the ticket. */
export interface AnchorInput {
  channel: string;
  side: 'requester' | 'triage' | 'watcher';
  externalRef: string;
  cardRef?: string | null;
  data?: Record<string, unknown>;
}

/** Row-level helpers of the ticket commands. */

export function emptyClock(now: Date) {
  return {
    createdAt: now,
    firstResponseAt: null,
    firstResponseWarnedAt: null,
    firstResponseBreachedAt: null,
    resolutionWarnedAt: null,
    resolutionBreachedAt: null,
    resolvedAt: null,
    slaPausedAt: null,
    slaPausedMinutes: 0,
    status: 'new',
  };
}

export async function isWatcher(tx: Tx, ticketId: number, personId: number): Promise<boolean> {
  const rows = await tx
    .select({ id: anchors.id })
    .from(anchors)
    .where(and(eq(anchors.ticketId, ticketId), eq(anchors.personId, personId), eq(anchors.side, 'watcher')))
    .limit(1);
  return rows.length > 0;
}

const ticketForUpdate = reusable('ticket_for_update', (conn) => conn.select().from(tickets).where(eq(tickets.key, sql.placeholder('key'))).for('update'));
const personWithId = reusable('person_by_id', (conn) => conn.select().from(people).where(eq(people.id, sql.placeholder('id'))));
const queueWithKey = reusable('queue_by_key', (conn) => conn.select().from(queues).where(eq(queues.key, sql.placeholder('key'))));

export async function lockTicket(tx: Tx, key: string): Promise<Ticket> {
  const [ticket] = await ticketForUpdate(tx, { key: key.toUpperCase() });
  if (!ticket) throw new NotFound(`no ticket ${key}`);
  return ticket;
}

export async function personById(conn: Conn, id: number): Promise<Person | null> {
  const [row] = await personWithId(conn, { id });
  return row ?? null;
}

/** A queue's row (archived or not: a ticket keeps the queue it was filed in). */
export async function queueByKey(conn: Conn, key: string): Promise<Queue | undefined> {
  const [row] = await queueWithKey(conn, { key });
  return row;
}

export function anchorValues(anchor: AnchorInput) {
  return { channel: anchor.channel, side: anchor.side, externalRef: anchor.externalRef, cardRef: anchor.cardRef ?? null, data: anchor.data ?? {} };
}

export function validateFields(fields: FieldDef[], values: Record<string, unknown>): Record<string, unknown> {
  const parsed = fieldValuesSchema(fields).safeParse(values);
  if (parsed.success) return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  const details = parsed.error.issues.map((issue) => ({
    path: ['fields', ...issue.path].join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  throw new Invalid(`invalid fields: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
}
