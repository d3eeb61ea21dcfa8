import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Conn, Tx } from '../db/client.ts';
import { approvalSteps, people, requestTypes, tickets, type ApprovalStep, type Person, type Queue, type Ticket } from '../db/schema.ts';
import type { CommandResult, CoreContext } from './context.ts';
import { Conflict, Forbidden, Invalid, NotFound } from './errors.ts';
import { idempotent } from './idempotent.ts';
import { appendEvent } from './mirror.ts';
import { resolvePerson, type PersonInput } from './people.ts';
import { roleOn } from './roles.ts';
import { businessMinutesBetween } from './sla/business-time.ts';
import { calendarOf, dueTimes, nextCheckAt, rulesFor } from './sla/clocks.ts';
import { lockTicket, queueByKey } from './ticket-rows.ts';
import { askedFor, reminderAt, stepCount } from './approval-reminders.ts';
import type { ApprovalState, ApprovalView } from './view.ts';

/**
 * Approvals: a request type's steps (the requester's manager from the directory, an email field
 * of the form, any lead of the queue), decided in order. The ticket waits in awaiting_approval
 * with its SLA clocks stopped (slaPausedAt = created, no due times); the last approval opens it and
 * starts the clocks from that instant; a rejection closes it with the approver's reason.
 *
 * A step without its approver (no manager in the directory, an empty field, the requester naming
 * themselves) goes to the queue's leads with the reason. One decision per step, whatever the
 * channel: the ticket row is locked and a decided step answers Conflict with who decided what, when.
 */

export type ApprovalRule = { approver: string };

interface Resolved {
  approverId: number | null;
  reason: string | null;
}

async function resolveApprover(tx: Tx, rule: string, requester: Person, fields: Record<string, unknown>, fieldLabel: (id: string) => string): Promise<Resolved> {
  if (rule === 'queue_leads') return { approverId: null, reason: null };
  let person: Person | undefined;
  let missing: string;
  if (rule === 'manager') {
    if (requester.managerId !== null) [person] = await tx.select().from(people).where(and(eq(people.id, requester.managerId), eq(people.active, true)));
    missing = `the directory has no manager for ${requester.email}`;
  } else {
    const id = rule.slice('field:'.length);
    const value = fields[id];
    if (typeof value === 'string' && value.trim()) person = await resolvePerson(tx, { email: value });
    missing = `the form's "${fieldLabel(id)}" is empty`;
  }
  if (!person) return { approverId: null, reason: missing };
  if (person.id === requester.id) return { approverId: null, reason: `${requester.email} cannot approve their own request` };
  return { approverId: person.id, reason: null };
}

/**
 * Create the steps of a new ticket and ask the first one. Runs inside createTicket's transaction,
 * after its created event; returns the ticket row with its approvals snapshot.
 */
export async function startApprovals(
  tx: Tx,
  enabled: ReadonlySet<string>,
  input: { ticket: Ticket; queue: Queue; rules: ApprovalRule[]; requester: Person; fields: Record<string, unknown>; fieldLabel: (id: string) => string; now: Date },
): Promise<Ticket> {
  const { ticket, now } = input;
  const values = [];
  for (const [i, rule] of input.rules.entries()) {
    const resolved = await resolveApprover(tx, rule.approver, input.requester, input.fields, input.fieldLabel);
    values.push({ ticketId: ticket.id, step: i + 1, rule: rule.approver, approverId: resolved.approverId, fallbackReason: resolved.reason, createdAt: now });
  }
  const steps = await tx.insert(approvalSteps).values(values).returning();
  await requestStep(tx, enabled, ticket, input.queue, steps[0]!, now);
  return writeSnapshot(tx, ticket.id);
}

async function requestStep(tx: Tx, enabled: ReadonlySet<string>, ticket: Ticket, queue: Queue, step: ApprovalStep, now: Date): Promise<void> {
  const cal = calendarOf(queue.calendar);
  await tx
    .update(approvalSteps)
    .set({ requestedAt: now, nextReminderAt: reminderAt(cal, now) })
    .where(eq(approvalSteps.id, step.id));
  const notify = await askedFor(tx, step, ticket.queueKey);
  const [approver] = step.approverId !== null ? await tx.select().from(people).where(eq(people.id, step.approverId)) : [];
  const who = approver ? (approver.name ?? approver.email) : `the ${ticket.queueKey} queue's leads`;
  const count = await stepCount(tx, ticket.id);
  await appendEvent(tx, enabled, {
    ticket,
    type: 'approval_requested',
    visibility: 'internal',
    channel: 'system',
    body: `Approval ${step.step} of ${count} requested from ${who}${step.fallbackReason ? ` (${step.fallbackReason})` : ''}`,
    data: { step: step.step, of: count, rule: step.rule, approver: approver?.email ?? null, reason: step.fallbackReason, notify, notifyAs: 'approver' },
    at: now,
    known: { queue },
  });
}

/** The steps of a ticket as readers see them. */
export async function approvalViews(conn: Conn, ticketId: number): Promise<ApprovalView[]> {
  const steps = await conn.select().from(approvalSteps).where(eq(approvalSteps.ticketId, ticketId)).orderBy(asc(approvalSteps.step));
  const ids = [...new Set(steps.flatMap((s) => [s.approverId, s.decidedBy]).filter((id): id is number => id !== null))];
  const rows = ids.length ? await conn.select().from(people).where(inArray(people.id, ids)) : [];
  const byId = new Map(rows.map((p) => [p.id, { email: p.email, name: p.name }]));
  const current = steps.find((s) => s.state === 'pending' && s.requestedAt !== null && !steps.some((o) => o.state === 'rejected'));
  return steps.map((s) => ({
    step: s.step,
    rule: s.rule,
    approver: s.approverId !== null ? byId.get(s.approverId)! : s.decidedBy !== null ? byId.get(s.decidedBy)! : null,
    state: s.state as ApprovalState,
    current: s.id === current?.id,
    reason: s.fallbackReason,
    decidedBy: s.decidedBy !== null ? byId.get(s.decidedBy)! : null,
    decidedAt: s.decidedAt?.toISOString() ?? null,
    comment: s.comment,
  }));
}

async function writeSnapshot(tx: Tx, ticketId: number): Promise<Ticket> {
  const [updated] = await tx
    .update(tickets)
    .set({ approvals: await approvalViews(tx, ticketId) })
    .where(eq(tickets.id, ticketId))
    .returning();
  return updated!;
}

export interface DecideInput {
  ticketKey: string;
  step: number;
  decision: 'approve' | 'reject';
  comment?: string | undefined;
  approver: PersonInput;
  channel: string;
  idempotencyKey?: string | undefined;
  originAnchorId?: number | undefined;
}

/** The facts a second decision is answered with. */
export interface DecidedDetails {
  step: number;
  decision: 'approved' | 'rejected';
  decidedBy: { email: string; name: string | null } | null;
  decidedAt: string | null;
  comment: string | null;
  channel: string | null;
}

/** Who may decide a step: its approver; for a leads' step any lead of the queue; an admin always. */
async function mayDecide(tx: Tx, step: ApprovalStep, person: Person, ticket: Ticket): Promise<boolean> {
  if (person.id === ticket.requesterId) return false;
  if (step.approverId === person.id) return true;
  const role = await roleOn(tx, person.id, ticket.queueKey);
  if (role === 'admin') return true;
  return step.approverId === null && role === 'lead';
}

export class AlreadyDecided extends Conflict {
  constructor(readonly decided: DecidedDetails) {
    const by = decided.decidedBy ? (decided.decidedBy.name ?? decided.decidedBy.email) : 'someone';
    super(`step ${decided.step} was already ${decided.decision} by ${by} at ${decided.decidedAt}`, decided);
  }
}

/**
 * Approve or reject a step. Approving the last step opens the ticket and starts its SLA clocks;
 * approving another asks the next; rejecting closes the ticket with the reason.
 */
export async function decideApproval(ctx: CoreContext, input: DecideInput): Promise<CommandResult> {
  const comment = input.comment?.trim() || null;
  if (input.decision === 'reject' && !comment) throw new Invalid('a rejection needs a reason', [{ path: 'comment', message: 'is required to reject' }]);
  return idempotent(ctx, input.idempotencyKey, async (tx) => {
    const now = ctx.now();
    const ticket = await lockTicket(tx, input.ticketKey);
    const steps = await tx.select().from(approvalSteps).where(eq(approvalSteps.ticketId, ticket.id)).orderBy(asc(approvalSteps.step));
    const step = steps.find((s) => s.step === input.step);
    if (!step) throw new NotFound(steps.length ? `${ticket.key} has no approval step ${input.step} (it has ${steps.length})` : `${ticket.key} needs no approval`);
    const person = await resolvePerson(tx, input.approver);
    if (!(await mayDecide(tx, step, person, ticket))) {
      const [approver] = step.approverId !== null ? await tx.select().from(people).where(eq(people.id, step.approverId)) : [];
      const who = approver ? approver.email : `a lead of the ${ticket.queueKey} queue`;
      throw new Forbidden(`${person.email} cannot decide step ${step.step} of ${ticket.key}; only ${who} can`, { step: step.step, approver: approver?.email ?? null });
    }
    if (step.state !== 'pending') throw new AlreadyDecided(await decidedDetails(tx, step));
    const rejected = steps.find((s) => s.state === 'rejected');
    if (rejected) throw new AlreadyDecided(await decidedDetails(tx, rejected));
    if (ticket.status !== 'awaiting_approval') throw new Conflict(`${ticket.key} is ${ticket.status}, no longer awaiting approval`, { status: ticket.status });
    const earlier = steps.find((s) => s.step < step.step && s.state === 'pending');
    if (earlier) throw new Conflict(`step ${earlier.step} of ${ticket.key} comes first; step ${step.step} is not up yet`, { waitingOn: earlier.step });

    const state = input.decision === 'approve' ? 'approved' : 'rejected';
    await tx
      .update(approvalSteps)
      .set({ state, decidedBy: person.id, decidedAt: now, decidedChannel: input.channel, comment, nextReminderAt: null })
      .where(eq(approvalSteps.id, step.id));
    const queue = await queueByKey(tx, ticket.queueKey);
    const asked = await askedFor(tx, step, ticket.queueKey);
    const who = person.name ?? person.email;
    const event = await appendEvent(tx, ctx.enabled, {
      ticket,
      type: 'approval_decided',
      actor: person,
      actorRole: 'approver',
      channel: input.channel,
      body: `${state === 'approved' ? 'Approved' : 'Rejected'} by ${who} (step ${step.step} of ${steps.length})${comment ? `: ${comment}` : ''}`,
      data: { step: step.step, of: steps.length, decision: state, comment, by: person.email, notify: asked, notifyAs: 'approver', notifyKind: 'card' },
      originAnchorId: input.originAnchorId ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      at: now,
      known: { queue: queue! },
    });
    let current = await writeSnapshot(tx, ticket.id);
    const next = steps.find((s) => s.step > step.step && s.state === 'pending');
    const leave = (to: 'open' | 'closed', reason: string) => leaveApproval(tx, ctx.enabled, current, to, { person, channel: input.channel, originAnchorId: input.originAnchorId, reason, now });
    if (state === 'rejected') {
      current = await leave('closed', `rejected by ${who}: ${comment}`);
    } else if (next) {
      await requestStep(tx, ctx.enabled, current, queue!, next, now);
      current = await writeSnapshot(tx, ticket.id);
    } else {
      current = await startClocks(tx, ctx.enabled, current, queue!, now);
      current = await leave('open', `approved by ${who}`);
    }
    return { ticketId: current.id, event };
  });
}

/**
 * awaiting_approval → open | closed. No SLA clock has run (startClocks starts them for open), so
 * this is the status, closedAt and the status_changed event the timeline and every card show.
 */
async function leaveApproval(
  tx: Tx,
  enabled: ReadonlySet<string>,
  ticket: Ticket,
  to: 'open' | 'closed',
  how: { person: Person; channel: string; originAnchorId: number | undefined; reason: string; now: Date },
): Promise<Ticket> {
  const [updated] = await tx
    .update(tickets)
    .set({ status: to, updatedAt: how.now, ...(to === 'closed' ? { closedAt: how.now, nextSlaCheckAt: null } : {}) })
    .where(eq(tickets.id, ticket.id))
    .returning();
  await appendEvent(tx, enabled, {
    ticket: updated!,
    type: 'status_changed',
    actor: how.person,
    actorRole: 'approver',
    channel: how.channel,
    body: `Status ${ticket.status} → ${to} (${how.reason})`,
    data: { from: ticket.status, to, reason: how.reason },
    originAnchorId: how.originAnchorId ?? null,
    at: how.now,
  });
  return updated!;
}

async function decidedDetails(conn: Conn, step: ApprovalStep): Promise<DecidedDetails> {
  const [by] = step.decidedBy !== null ? await conn.select().from(people).where(eq(people.id, step.decidedBy)) : [];
  return {
    step: step.step,
    decision: step.state as 'approved' | 'rejected',
    decidedBy: by ? { email: by.email, name: by.name } : null,
    decidedAt: step.decidedAt?.toISOString() ?? null,
    comment: step.comment,
    channel: step.decidedChannel,
  };
}

/**
 * The clocks start at the last approval: the business time spent awaiting approval counts as
 * paused (so due = approval + target, and warnings, priority changes and durations stay exact).
 */
async function startClocks(tx: Tx, enabled: ReadonlySet<string>, ticket: Ticket, queue: Queue, now: Date): Promise<Ticket> {
  const [type] = await tx.select().from(requestTypes).where(eq(requestTypes.key, ticket.typeKey));
  const rules = rulesFor(queue, type, ticket.priority);
  const waited = businessMinutesBetween(rules.cal, ticket.createdAt, now);
  const patch = { slaPausedAt: null, slaPausedMinutes: ticket.slaPausedMinutes + waited, ...dueTimes(rules.cal, rules.targets, ticket.createdAt, ticket.slaPausedMinutes + waited) };
  const [updated] = await tx
    .update(tickets)
    .set({ ...patch, nextSlaCheckAt: nextCheckAt({ ...ticket, ...patch, status: 'open' }, rules) })
    .where(eq(tickets.id, ticket.id))
    .returning();
  // The explanation of the due times (src/core/sla/explain.ts) reads the wait from this event.
  await appendEvent(tx, enabled, {
    ticket: updated!,
    type: 'sla_resumed',
    visibility: 'internal',
    channel: 'system',
    body: `SLA clocks started on approval (${Math.round(waited)} business minutes awaiting approval)`,
    data: { reason: 'approved', since: ticket.createdAt.toISOString(), pausedMinutes: waited },
    at: now,
    known: { queue },
  });
  return updated!;
}

export async function stepById(conn: Conn, id: number): Promise<{ step: ApprovalStep; ticket: Ticket } | null> {
  const [row] = await conn.select({ step: approvalSteps, ticket: tickets }).from(approvalSteps).innerJoin(tickets, eq(tickets.id, approvalSteps.ticketId)).where(eq(approvalSteps.id, id));
  return row ?? null;
}
