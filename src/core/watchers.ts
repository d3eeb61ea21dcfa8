import { and, eq } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { anchors, people } from '../db/schema.ts';
import type { CommandResult, CoreContext } from './context.ts';
import { idempotent } from './idempotent.ts';
import { appendEvent } from './mirror.ts';
import { resolvePerson, type PersonInput } from './people.ts';
import { notOnDesk, isDesk } from './roles.ts';
import { lockTicket } from './ticket-rows.ts';

export interface AddWatcherInput {
  ticketKey: string;
  watcher: PersonInput;
  actor: PersonInput;
  channel: string;
  idempotencyKey?: string | undefined;
}

/**
 * The desk adds someone to follow a ticket. A watcher is a person with a 'watcher' anchor on the
 * ticket; this one has no thread of their own yet, so the anchor is on the web (no outbound side)
 * and public updates reach them by their preference, else email (the mirroring rules).
 */
export async function addWatcher(ctx: CoreContext, input: AddWatcherInput): Promise<CommandResult> {
  return idempotent(ctx, input.idempotencyKey, async (tx) => {
    const now = ctx.now();
    const ticket = await lockTicket(tx, input.ticketKey);
    const actor = await resolvePerson(tx, input.actor);
    if (!(await isDesk(tx, actor.id, ticket.queueKey))) throw notOnDesk(actor, ticket.queueKey, 'add watchers');
    const watcher = await resolvePerson(tx, input.watcher);
    await tx
      .insert(anchors)
      .values({ ticketId: ticket.id, channel: 'web', side: 'watcher', personId: watcher.id, externalRef: `watch:${ticket.id}:${watcher.id}`, lastUsedAt: now })
      .onConflictDoNothing();
    const event = await appendEvent(tx, ctx.enabled, {
      ticket,
      type: 'watcher_added',
      visibility: 'internal',
      actor,
      channel: input.channel,
      body: `${watcher.name ?? watcher.email} is watching`,
      data: { watcher: watcher.email },
      idempotencyKey: input.idempotencyKey ?? null,
      at: now,
    });
    return { ticketId: ticket.id, event };
  });
}

/** The people watching a ticket (anchors with side 'watcher'). */
export async function watchersOf(conn: Conn, ticketId: number): Promise<Array<{ email: string; name: string | null }>> {
  return conn
    .selectDistinct({ email: people.email, name: people.name })
    .from(anchors)
    .innerJoin(people, eq(people.id, anchors.personId))
    .where(and(eq(anchors.ticketId, ticketId), eq(anchors.side, 'watcher')))
    .orderBy(people.email);
}
