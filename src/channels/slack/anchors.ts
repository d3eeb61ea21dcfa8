import { and, desc, eq, sql } from 'drizzle-orm';
import type { Conn } from '../../db/client.ts';
import { reusable } from '../../db/reusable.ts';
import { anchors, deliveries, ticketEvents, tickets, type Anchor, type Ticket, type TicketEvent } from '../../db/schema.ts';

// Slack anchors: externalRef = `${channelId}:${threadTs}`, cardRef = the ts of our card.

export function slackRef(channel: string, threadTs: string): string {
  return `${channel}:${threadTs}`;
}

export function parseRef(externalRef: string): { channel: string; threadTs: string } {
  const at = externalRef.indexOf(':');
  return { channel: externalRef.slice(0, at), threadTs: externalRef.slice(at + 1) };
}

const threadAnchor = reusable('slack_thread_anchor', (conn) =>
  conn
    .select({ anchor: anchors, ticket: tickets })
    .from(anchors)
    .innerJoin(tickets, eq(tickets.id, anchors.ticketId))
    .where(and(eq(anchors.channel, 'slack'), eq(anchors.externalRef, sql.placeholder('ref')))),
);

/** The anchor (and its ticket) of a Slack thread, if the thread belongs to a ticket. */
export async function anchorOfThread(conn: Conn, channel: string, threadTs: string): Promise<{ anchor: Anchor; ticket: Ticket } | null> {
  const [row] = await threadAnchor(conn, { ref: slackRef(channel, threadTs) });
  return row ?? null;
}

/** The ticket's Slack anchor on a side (and for a person on the requester/watcher side). */
export async function ticketAnchor(conn: Conn, ticketId: number, side: string, personId: number | null): Promise<Anchor | null> {
  const conditions = [eq(anchors.ticketId, ticketId), eq(anchors.channel, 'slack'), eq(anchors.side, side)];
  if (personId !== null) conditions.push(eq(anchors.personId, personId));
  const [row] = await conn.select().from(anchors).where(and(...conditions)).orderBy(desc(anchors.lastUsedAt), desc(anchors.id)).limit(1);
  return row ?? null;
}

/** Insert an anchor; the (channel, external_ref) unique index makes a repeat return the first row. */
export async function insertAnchor(
  conn: Conn,
  values: { ticketId: number; side: string; personId: number | null; channel: string; threadTs: string; cardRef: string | null },
): Promise<Anchor> {
  const externalRef = slackRef(values.channel, values.threadTs);
  await conn
    .insert(anchors)
    .values({ ticketId: values.ticketId, channel: 'slack', side: values.side, personId: values.personId, externalRef, cardRef: values.cardRef })
    .onConflictDoNothing();
  const [row] = await conn.select().from(anchors).where(and(eq(anchors.channel, 'slack'), eq(anchors.externalRef, externalRef)));
  return row!;
}

export async function setCardRef(conn: Conn, anchorId: number, cardRef: string): Promise<void> {
  await conn.update(anchors).set({ cardRef }).where(eq(anchors.id, anchorId));
}

/** The timeline comments a Slack message was recorded as (an internal note, and a public copy if sent). */
export async function eventsOfMessage(conn: Conn, ticketId: number, channel: string, ts: string): Promise<TicketEvent[]> {
  return conn
    .select()
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.type, 'comment'), sql`${ticketEvents.data}->>'slackTs' = ${ts}`, sql`${ticketEvents.data}->>'slackChannel' = ${channel}`))
    .orderBy(ticketEvents.id);
}

/** The Slack message we posted for an earlier event on an anchor (to edit it in place). */
export async function mirroredMessage(conn: Conn, eventId: number, anchorId: number): Promise<string | null> {
  const [row] = await conn
    .select({ ts: deliveries.platformMessageId })
    .from(deliveries)
    .where(and(eq(deliveries.eventId, eventId), eq(deliveries.anchorId, anchorId), eq(deliveries.phase, 'sent'), eq(deliveries.kind, 'message')))
    .limit(1);
  return row?.ts ?? null;
}
