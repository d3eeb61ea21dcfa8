import type { Db } from '../db/client.ts';
import type { Anchor, Delivery, Person, Ticket, TicketEvent } from '../db/schema.ts';
import type { EventView, TicketView } from '../core/view.ts';

/** Everything an outbound adapter needs to send one delivery; loaded fresh at send time. */
export interface DeliveryJob {
  delivery: Delivery;
  event: TicketEvent;
  eventView: EventView;
  /** The ticket as it is NOW (cards show current state, not the state at event time). */
  ticket: TicketView;
  ticketRow: Ticket;
  /** The anchor the delivery targets, when one exists yet. */
  anchor: Anchor | null;
  /** The person the delivery is for (requester or watcher side). */
  person: Person | null;
}

export interface SendResult {
  platformMessageId?: string | null;
}

/** The words of a notice to one person that belongs to no ticket (a sign-in link). */
export interface PersonMessage {
  subject: string;
  text: string;
  link: { url: string; label: string };
}

/** A delivery of kind 'notice' (no event, no ticket): one message to one person. */
export interface NoticeJob {
  delivery: Delivery;
  person: Person;
  message: PersonMessage;
}

/** Writes a notice's words at send time (so a one-time link is issued only when it goes out). */
export type NoticeWriter = (delivery: Delivery, person: Person, db: Db) => Promise<PersonMessage>;

/** An outbound half of a channel: event → platform message. */
export interface OutboundAdapter {
  readonly channel: string;
  send(job: DeliveryJob, db: Db): Promise<SendResult>;
  /** Send a notice to the person's own conversation (Slack DM, Teams chat, their mailbox). */
  sendNotice?(job: NoticeJob, db: Db): Promise<SendResult>;
  /** Release what it holds open (a connection pool). Called once, after the delivery worker stopped. */
  close?(): void;
}

/** A failure worth retrying; `retryAfterMs` is the platform's Retry-After when it sent one. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A failure no retry can fix (gone, forbidden, malformed): dead-letter at once. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
