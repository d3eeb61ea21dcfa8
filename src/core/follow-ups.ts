import { and, asc, eq, isNotNull, lte } from 'drizzle-orm';
import { tickets } from '../db/schema.ts';
import type { CoreContext } from './context.ts';
import { followUpSettings, waitingOffset } from './follow-up-schedule.ts';
import { appendEvent } from './mirror.ts';
import { queueByKey } from './ticket-rows.ts';
import { changeStatus } from './tickets.ts';

/** "2d", "36h", "45m": a calendar duration as people write it. */
function spoken(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? '' : 's'}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minutes`;
}

/**
 * One follow-up of one due ticket per transaction, claimed with SKIP LOCKED (replicas never
 * nudge twice): a nudge to a requester the desk is waiting on, the resolve after the last one,
 * or the close of a ticket resolved long enough. Returns how many were handled.
 */
export async function scanFollowUps(ctx: CoreContext, options: { limit?: number } = {}): Promise<number> {
  const limit = options.limit ?? 100;
  let handled = 0;
  while (handled < limit) {
    const done = await ctx.db.transaction(async (tx) => {
      const now = ctx.now();
      const [ticket] = await tx
        .select()
        .from(tickets)
        .where(and(isNotNull(tickets.followUpAt), lte(tickets.followUpAt, now)))
        .orderBy(asc(tickets.followUpAt))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!ticket) return false;
      const queue = await queueByKey(tx, ticket.queueKey);
      const settings = followUpSettings(queue!.followUp);
      const clear = () => tx.update(tickets).set({ followUpAt: null, followUpStep: 0 }).where(eq(tickets.id, ticket.id));
      if (ticket.status === 'waiting_on_requester') {
        const step = ticket.followUpStep;
        const offset = waitingOffset(settings, step);
        if (offset === null) {
          await clear();
          return true;
        }
        const since = new Date(ticket.followUpAt!.getTime() - offset * 60_000);
        const nudges = settings.remind_waiting ?? [];
        if (step < nudges.length) {
          const next = waitingOffset(settings, step + 1);
          await tx
            .update(tickets)
            .set({ followUpStep: step + 1, followUpAt: next === null ? null : new Date(since.getTime() + next * 60_000) })
            .where(eq(tickets.id, ticket.id));
          const closing = settings.resolve_waiting_after ? ` Without a reply it will be resolved ${spoken(settings.resolve_waiting_after)} after we asked.` : '';
          await appendEvent(tx, ctx.enabled, {
            ticket,
            type: 'follow_up_reminder',
            channel: 'system',
            body: `We are still waiting for your reply on ${ticket.key} "${ticket.title}". Reply here when you can.${closing}`,
            data: { nudge: step + 1, of: nudges.length, waitingSince: since.toISOString() },
            at: now,
            known: { queue: queue! },
          });
          return true;
        }
        const note = `Resolved automatically: no reply from the requester in ${spoken(offset)}. Reply to reopen it.`;
        await appendEvent(tx, ctx.enabled, { ticket, type: 'follow_up_resolved', channel: 'system', body: note, data: { waitingSince: since.toISOString() }, at: now, known: { queue: queue! } });
        await changeStatus(ctx, tx, ticket, 'resolved', null, 'system', undefined, `no reply in ${spoken(offset)}`);
        return true;
      }
      if (ticket.status === 'resolved' && settings.close_resolved_after) {
        await changeStatus(ctx, tx, ticket, 'closed', null, 'system', undefined, `resolved for ${spoken(settings.close_resolved_after)}`);
        return true;
      }
      await clear();
      return true;
    });
    if (!done) break;
    handled += 1;
  }
  return handled;
}
