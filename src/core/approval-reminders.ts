import { and, asc, eq, isNotNull, lte } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { approvalSteps, tickets, type ApprovalStep } from '../db/schema.ts';
import type { CoreContext } from './context.ts';
import { appendEvent } from './mirror.ts';
import { queueByKey } from './ticket-rows.ts';
import { agentsOf } from './roles.ts';
import { addBusinessMinutes } from './sla/business-time.ts';
import type { BusinessCalendar } from './sla/calendar.ts';
import { calendarOf } from './sla/clocks.ts';

/**
 * Approval reminders (src/core/approvals.ts asks; this file chases): after one business day of the
 * queue's calendar, twice at most, then the queue's leads are told. Run on the SLA scanner's schedule.
 */

/** Reminders: after one business day, at most twice; then the leads are told. */
export const MAX_REMINDERS = 2;

/** One business day of a calendar: the mean open minutes of the days it is open in a week. */
export function businessDayMinutes(cal: BusinessCalendar): number {
  if (cal.alwaysOpen) return 1440;
  const days = cal.weekly.map((ranges) => ranges.reduce((sum, r) => sum + (r.end - r.start), 0)).filter((m) => m > 0);
  return days.length ? days.reduce((a, b) => a + b, 0) / days.length : 480;
}

export function reminderAt(cal: BusinessCalendar, from: Date): Date {
  return addBusinessMinutes(cal, from, businessDayMinutes(cal));
}

/** Who is asked for a step: its approver, else the queue's leads. */
export async function askedFor(tx: Conn, step: Pick<ApprovalStep, 'approverId'>, queueKey: string): Promise<number[]> {
  if (step.approverId !== null) return [step.approverId];
  return (await agentsOf(tx, queueKey)).filter((m) => m.role === 'lead').map((m) => m.id);
}

export async function stepCount(conn: Conn, ticketId: number): Promise<number> {
  return (await conn.select({ id: approvalSteps.id }).from(approvalSteps).where(eq(approvalSteps.ticketId, ticketId))).length;
}

/**
 * Remind approvers whose step has waited a business day (twice at most), then tell the leads.
 * Claimed with SKIP LOCKED on the step rows and moved on in the same transaction, so several
 * replicas running the scanner remind once.
 */
export async function scanApprovalReminders(ctx: CoreContext, options: { batchSize?: number } = {}): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const due = await tx
      .select()
      .from(approvalSteps)
      .where(and(isNotNull(approvalSteps.nextReminderAt), lte(approvalSteps.nextReminderAt, now), eq(approvalSteps.state, 'pending')))
      .orderBy(asc(approvalSteps.nextReminderAt))
      .limit(options.batchSize ?? 100)
      .for('update', { skipLocked: true });
    for (const step of due) {
      const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, step.ticketId));
      const queue = await queueByKey(tx, ticket!.queueKey);
      if (ticket!.status !== 'awaiting_approval') {
        await tx.update(approvalSteps).set({ nextReminderAt: null }).where(eq(approvalSteps.id, step.id));
        continue;
      }
      const cal = calendarOf(queue!.calendar);
      const count = await stepCount(tx, ticket!.id);
      if (step.reminders < MAX_REMINDERS) {
        const reminders = step.reminders + 1;
        await tx.update(approvalSteps).set({ reminders, nextReminderAt: reminderAt(cal, now) }).where(eq(approvalSteps.id, step.id));
        await appendEvent(tx, ctx.enabled, {
          ticket: ticket!,
          type: 'approval_reminder',
          visibility: 'internal',
          channel: 'system',
          body: `Reminder ${reminders} of ${MAX_REMINDERS}: approval ${step.step} of ${count} is still waiting`,
          data: { step: step.step, of: count, reminder: reminders, notify: await askedFor(tx, step, ticket!.queueKey), notifyAs: 'approver' },
          at: now,
          known: { queue: queue! },
        });
      } else {
        await tx.update(approvalSteps).set({ nextReminderAt: null, leadsToldAt: now }).where(eq(approvalSteps.id, step.id));
        const leads = (await agentsOf(tx, ticket!.queueKey)).filter((m) => m.role === 'lead').map((m) => m.id);
        await appendEvent(tx, ctx.enabled, {
          ticket: ticket!,
          type: 'approval_overdue',
          visibility: 'internal',
          channel: 'system',
          body: `Approval ${step.step} of ${count} is still waiting after ${MAX_REMINDERS} reminders; the queue's leads are told`,
          data: { step: step.step, of: count, notify: leads, notifyAs: 'lead' },
          at: now,
          known: { queue: queue! },
        });
      }
    }
    return due.length;
  });
}
