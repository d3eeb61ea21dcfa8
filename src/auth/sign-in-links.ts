import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { deliveries, signInLinks, type Delivery, type Person } from '../db/schema.ts';
import { NOTIFY_CHANNEL } from '../core/mirror.ts';
import { findPersonByEmail } from '../core/people.ts';
import type { NoticeWriter, PersonMessage } from '../outbox/adapter.ts';
import { channelFor, type PersonalChannel } from '../core/reach.ts';
import { hashToken, newToken, safeNext, TOKEN_PATTERN } from './tokens.ts';

export const LINK_MINUTES = 15;
/** One sign-in notice per person per minute at most: a form cannot be used to flood someone. */
const RESEND_AFTER_MS = 60_000;

export type LinkRequest =
  /** A link is on its way (or the address is unknown or inactive: the page says the same). */
  | { outcome: 'sent'; channel: PersonalChannel | null }
  /** A known person whom no configured channel can reach. */
  | { outcome: 'unreachable' };

/**
 * "Email me a link", for any channel: enqueue a sign-in notice to the person through the
 * outbox, on the channel they last used. The token is not made here: the notice writer
 * issues it when the outbox sends, so no usable link ever sits in the database.
 */
export async function requestSignInLink(db: Db, enabled: ReadonlySet<string>, email: string, next: string | undefined, now: Date): Promise<LinkRequest> {
  const person = await findPersonByEmail(db, email);
  const anyChannel = enabled.has('email') || enabled.has('slack') || enabled.has('teams');
  // Unknown or deactivated: nothing is sent, and the answer does not tell.
  if (!person?.active) return anyChannel ? { outcome: 'sent', channel: null } : { outcome: 'unreachable' };
  const channel = await channelFor(db, person, enabled);
  if (!channel) return { outcome: 'unreachable' };
  await db.transaction(async (tx) => {
    const [recent] = await tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.personId, person.id), eq(deliveries.kind, 'notice'), isNull(deliveries.eventId), gt(deliveries.createdAt, new Date(now.getTime() - RESEND_AFTER_MS))))
      .limit(1);
    if (recent) return;
    const lane = `${channel}:person:${person.id}`;
    await tx.insert(deliveries).values({
      eventId: null,
      ticketId: null,
      channel,
      audience: 'person',
      lane,
      kind: 'notice',
      personId: person.id,
      target: { notice: 'sign_in', ...(next ? { next } : {}), ...(channel === 'email' ? { address: person.email } : {}) },
      nextAttemptAt: now,
      createdAt: now,
    });
    await tx.execute(sql`select pg_notify(${NOTIFY_CHANNEL}, '')`);
  });
  return { outcome: 'sent', channel };
}

/** The outbox's writer for sign-in notices: issues the one-time link as the notice goes out. */
export function signInNotices(publicUrl: string, now: () => Date): NoticeWriter {
  return async (delivery: Delivery, person: Person, db: Db): Promise<PersonMessage> => {
    const target = (delivery.target ?? {}) as { notice?: unknown; next?: unknown };
    if (target.notice !== 'sign_in') throw new Error(`unknown notice '${String(target.notice)}'`);
    const token = newToken();
    const at = now();
    await db.transaction(async (tx) => {
      // A retried send replaces the link an earlier attempt made (that one never arrived).
      await tx.delete(signInLinks).where(and(eq(signInLinks.deliveryId, delivery.id), isNull(signInLinks.usedAt)));
      await tx.insert(signInLinks).values({ tokenHash: hashToken(token), personId: person.id, deliveryId: delivery.id, next: safeNext(target.next) ?? null, createdAt: at, expiresAt: new Date(at.getTime() + LINK_MINUTES * 60_000) });
    });
    return {
      subject: 'Your Switchboard sign-in link',
      text: `Here is your sign-in link for Switchboard. It works once, within ${LINK_MINUTES} minutes. If you did not ask for it, ignore this message.`,
      link: { url: `${publicUrl}/login?t=${token}`, label: 'Sign in to Switchboard' },
    };
  };
}

/** Use a link: single use (one statement marks it used), unexpired, for an active person. */
export async function redeemSignInLink(db: Db, token: string, now: Date): Promise<{ personId: number; next: string | undefined } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const [row] = await db
    .update(signInLinks)
    .set({ usedAt: now })
    .where(and(eq(signInLinks.tokenHash, hashToken(token)), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, now)))
    .returning({ personId: signInLinks.personId, next: signInLinks.next });
  return row ? { personId: row.personId, next: row.next ?? undefined } : null;
}
