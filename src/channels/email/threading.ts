import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Conn } from '../../db/client.ts';
import { anchors, people, ticketEvents, tickets, type Anchor, type Ticket } from '../../db/schema.ts';
import { splitPlus, ticketKeyInSubject, ticketKeyOfTag } from './addresses.ts';

export interface ThreadingInput {
  /** In-Reply-To first, then References newest first (normalised Message-IDs). */
  references: string[];
  /** Every recipient address (To, Cc, Delivered-To, X-Original-To). */
  recipients: string[];
  subject: string | undefined;
  senderEmail: string;
  /** Our addresses (queue mailboxes, MAIL_FROM, the polled mailbox) without subaddress, lower-case. */
  ownAddresses: ReadonlySet<string>;
}

export interface ThreadMatch {
  ticket: Ticket;
  via: 'reference' | 'plus-address' | 'subject-tag';
  /** The anchor a reference matched, when it was one. */
  anchor?: Anchor;
}

/**
 * Which ticket a message belongs to, in order: a Message-ID we sent or received in
 * In-Reply-To/References; a plus-addressed recipient (it+IT-42@…); a [IT-42] subject tag,
 * but only from someone already on that ticket (strangers' mail is not attached by tag).
 */
export async function findThread(conn: Conn, input: ThreadingInput): Promise<ThreadMatch | null> {
  if (input.references.length) {
    const found = await conn
      .select({ anchor: anchors, ticket: tickets })
      .from(anchors)
      .innerJoin(tickets, eq(tickets.id, anchors.ticketId))
      .where(and(eq(anchors.channel, 'email'), inArray(anchors.externalRef, input.references)));
    for (const ref of input.references) {
      const hit = found.find((row) => row.anchor.externalRef === ref);
      if (hit) return { ticket: hit.ticket, via: 'reference', anchor: hit.anchor };
    }
  }

  for (const recipient of input.recipients) {
    const { base, tag } = splitPlus(recipient);
    const key = ticketKeyOfTag(tag);
    if (!key || !input.ownAddresses.has(base)) continue;
    const ticket = await ticketByKey(conn, key);
    if (ticket) return { ticket, via: 'plus-address' };
  }

  const tagged = ticketKeyInSubject(input.subject);
  if (tagged) {
    const ticket = await ticketByKey(conn, tagged);
    if (ticket && (await isParticipant(conn, ticket, input.senderEmail))) return { ticket, via: 'subject-tag' };
  }
  return null;
}

async function ticketByKey(conn: Conn, key: string): Promise<Ticket | null> {
  const [row] = await conn.select().from(tickets).where(eq(tickets.key, key));
  return row ?? null;
}

/** Requester, assignee, anyone anchored on the ticket, or anyone who has written in it. */
export async function isParticipant(conn: Conn, ticket: Ticket, email: string): Promise<boolean> {
  const [person] = await conn.select({ id: people.id }).from(people).where(eq(people.email, email.toLowerCase()));
  if (!person) return false;
  if (person.id === ticket.requesterId || person.id === ticket.assigneeId) return true;
  const [anchored] = await conn
    .select({ id: anchors.id })
    .from(anchors)
    .where(and(eq(anchors.ticketId, ticket.id), isNotNull(anchors.personId), eq(anchors.personId, person.id)))
    .limit(1);
  if (anchored) return true;
  const [wrote] = await conn
    .select({ id: ticketEvents.id })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticket.id), eq(ticketEvents.actorId, person.id)))
    .limit(1);
  return Boolean(wrote);
}
