import { eq, sql } from 'drizzle-orm';
import type { Conn, Tx } from '../db/client.ts';
import { anchors, requestTypes, tickets, type Person, type Ticket, type TicketEvent } from '../db/schema.ts';
import { assigns, pickAssignee } from './assignment.ts';
import { isDesk, notOnDesk } from './roles.ts';
import type { FieldDef, Priority } from './catalog.ts';
import { Conflict, Invalid, NotFound } from './errors.ts';
import { appendEvent, planDeliveries, touchAnchor } from './mirror.ts';
import { DRAFT_ANCHOR_ID, DRAFT_ID, insertNewTicket, insertNewTicketGrouped } from './ticket-insert.ts';
import { learnedOf, normalEmail, resolvePerson, type PersonInput } from './people.ts';
import { intakeFacts } from './intake-reads.ts';
import { dueTimes, nextCheckAt, onAgentPublicComment, onPriorityChange, onStatusChange, rulesFor, targetsFor, type SlaChange, type SlaRules } from './sla/clocks.ts';
import { ticketsCreated } from '../metrics.ts';
import { allowedNext, canTransition, type Status } from './status.ts';
import { toEventView, toTicketView } from './view.ts';
import type { CommandResult, CoreContext } from './context.ts';
import { idempotent, idempotentQuietly, idempotentWrite, type TxResult } from './idempotent.ts';
import { durationPatch } from './durations.ts';
import { startApprovals, type ApprovalRule } from './approvals.ts';
import { followUpOnStatus } from './follow-up-schedule.ts';
import { askSatisfaction } from './satisfaction.ts';
import { anchorValues, emptyClock, isWatcher, lockTicket, personById, queueByKey, validateFields } from './ticket-rows.ts';

export type { CommandResult, CoreContext } from './context.ts';
export { getTicket, getTimeline } from './reads.ts';

import type { AnchorInput } from './ticket-rows.ts';
export type { AnchorInput };

interface Common {
  channel: string;
  idempotencyKey?: string | undefined;
  /** The anchor the command came from: it gets a card refresh, not an echo. */
  originAnchorId?: number | undefined;
}

export interface CreateTicketInput extends Omit<Common, 'originAnchorId'> {
  type: string;
  title: string;
  description?: string | undefined;
  priority?: Priority | undefined;
  requester: PersonInput;
  fields?: Record<string, unknown> | undefined;
  /** The requester's conversation this request came from (Slack DM thread, email Message-ID...). */
  originAnchor?: AnchorInput | undefined;
  /** Free-text intake (an email): required form fields may be missing; given ones are still checked. */
  partialFields?: boolean | undefined;
  /** Extra facts for the created event (e.g. the files an email brought in). */
  eventData?: Record<string, unknown> | undefined;
}

export async function createTicket(ctx: CoreContext, input: CreateTicketInput): Promise<CommandResult> {
  const title = input.title.trim();
  if (!title) throw new Invalid('title is required', [{ path: 'title', message: 'is required' }]);
  const result = await idempotentWrite(ctx, input.idempotencyKey, async () => {
    const now = ctx.now();
    const plain = Object.keys(learnedOf(input.requester)).length === 0;
    const facts = await intakeFacts(ctx.db, { type: input.type, requesterEmail: normalEmail(input.requester.email), webhooks: ctx.enabled.has('webhook') });
    const { type, queue, webhooks } = facts;
    if (!type || !queue) throw new NotFound(`unknown request type '${input.type}'`);
    if (type.archivedAt) throw new Invalid(`request type '${input.type}' is archived and takes no new requests`);
    const defs = type.fields as FieldDef[];
    const fields = validateFields(input.partialFields ? defs.map((f) => ({ ...f, required: false })) : defs, input.fields ?? {});
    const priority = (input.priority ?? type.defaultPriority) as Priority;

    const rules = rulesFor(queue, type, priority);
    // A type with approvals waits for them with its clocks stopped (src/core/approvals.ts starts them).
    const approvalRules = (type.approvals ?? []) as ApprovalRule[];
    const awaiting = approvalRules.length > 0;
    const due = awaiting ? { firstResponseDueAt: null, resolutionDueAt: null } : dueTimes(rules.cal, rules.targets, now);

    const write = async (conn: Conn, tx: Tx | null) => {
      // A requester we know and learned nothing new about is not written; else found or created (an upsert).
      const requester = plain && facts.requester ? facts.requester : await resolvePerson(conn, input.requester);
      // Assignment locks the queue's cursor until commit, so it comes late (just before numbering).
      const chosen = tx ? await pickAssignee(tx, queue) : null;
      const draft = {
        queueKey: type.queueKey,
        typeKey: type.key,
        title: title.slice(0, 200),
        description: (input.description ?? '').slice(0, 20_000),
        priority,
        requesterId: requester.id,
        assigneeId: chosen?.id ?? null,
        originChannel: input.channel,
        fields,
        ...due,
        status: awaiting ? 'awaiting_approval' : 'new',
        slaPausedAt: awaiting ? now : null,
        nextSlaCheckAt: awaiting ? null : nextCheckAt({ ...emptyClock(now), ...due }, rules),
        createdAt: now,
        updatedAt: now,
      };
      const anchor = input.originAnchor
        ? { personId: input.originAnchor.side === 'triage' ? null : requester.id, ...anchorValues(input.originAnchor), lastUsedAt: now }
        : undefined;
      const eventValues = {
        type: 'created',
        visibility: 'public',
        actorId: requester.id,
        actorRole: 'requester',
        channel: input.channel,
        body: draft.description,
        data: { ...input.eventData, title: draft.title, fields, priority },
        idempotencyKey: input.idempotencyKey ?? null,
        createdAt: now,
      };
      // The mirror rules, planned on draft ids: the insert below gives the rows their real ones.
      const draftAnchors = anchor ? [{ ...anchor, id: DRAFT_ANCHOR_ID, ticketId: DRAFT_ID, createdAt: now }] : [];
      const planned = planDeliveries({
        ticket: { id: DRAFT_ID },
        queue,
        event: { ...eventValues, id: DRAFT_ID, ticketId: DRAFT_ID, originAnchorId: anchor ? DRAFT_ANCHOR_ID : null },
        requester,
        anchors: draftAnchors,
        enabled: ctx.enabled,
        webhooks,
      });
      // Outside a transaction, concurrent plain creates of a queue are written together (group commit).
      const created = await (tx ? insertNewTicket : insertNewTicketGrouped)(conn, { ticket: draft, anchor, event: eventValues, deliveries: planned, search: { title: draft.title, description: draft.description, fields } });
      let current = created.ticket;
      const event = created.event;
      const ticketAnchors = created.anchor ? [created.anchor] : [];
      if (tx && awaiting) {
        const label = (id: string) => defs.find((f) => f.id === id)?.label ?? id;
        current = await startApprovals(tx, ctx.enabled, { ticket: current, queue, rules: approvalRules, requester, fields, fieldLabel: label, now });
      }
      let assignee: Person | null = null;
      if (tx && chosen) {
        assignee = (await personById(tx, chosen.id))!;
        await appendEvent(tx, ctx.enabled, {
          ticket: current,
          type: 'assigned',
          // The desk's own bookkeeping: the requester's card shows the assignee anyway.
          visibility: 'internal',
          channel: 'system',
          body: `Assigned to ${chosen.name ?? chosen.email} (${queue.assignment.replace('_', ' ')})`,
          data: { from: null, to: chosen.email, by: queue.assignment },
          at: now,
          known: { queue, requester, anchors: ticketAnchors },
        });
      }
      // Everything the answer needs is in hand: no reads after commit.
      return { ticketId: current.id, event, views: { ticket: toTicketView(current, requester, assignee, now), event: toEventView(event, requester) } };
    };
    // The plain create is ONE statement (atomic on its own; the requester, when new, is created
    // before it as any channel does): no BEGIN and COMMIT round trips. Approvals and assignment
    // take more statements, so a transaction.
    return awaiting || assigns(queue) ? ctx.db.transaction((tx) => write(tx as Tx, tx as Tx)) : write(ctx.db, null);
  });
  if (!result.replayed) ticketsCreated.inc({ channel: input.channel });
  return result;
}

export interface AddCommentInput extends Common {
  ticketKey: string;
  body: string;
  visibility: 'public' | 'internal';
  author: PersonInput;
  data?: Record<string, unknown>;
  /** A new place the comment came from (an email Message-ID), recorded as an anchor of the author in the same transaction. */
  originAnchor?: AnchorInput | undefined;
  /**
   * Who may write it. 'desk': an agent of the ticket's queue (or an admin) speaking as the
   * desk (reply modals, "Send to requester"); the check is on `actor` (who pressed) when
   * given, else the author. 'participant': the desk, the requester or a watcher (the API).
   * Unset: the conversation the channel saw (email threads, the requester's own thread).
   * Internal notes checked this way always need the desk.
   */
  as?: 'desk' | 'participant' | undefined;
  actor?: PersonInput | undefined;
}

/**
 * A comment; a requester's public reply reopens a resolved ticket and un-pauses a waiting one.
 * With `result: 'none'` (a channel's own reply, told back through the outbox) it returns nothing
 * and reads no views of the result.
 */
export function addComment(ctx: CoreContext, input: AddCommentInput & { result: 'none' }): Promise<undefined>;
export function addComment(ctx: CoreContext, input: AddCommentInput): Promise<CommandResult>;
export async function addComment(ctx: CoreContext, input: AddCommentInput & { result?: 'none' }): Promise<CommandResult | undefined> {
  const body = input.body.trim();
  if (!body) throw new Invalid('comment body is empty', [{ path: 'body', message: 'is required' }]);
  const run = (tx: Tx) => writeComment(ctx, tx, input, body);
  return input.result === 'none' ? idempotentQuietly(ctx, input.idempotencyKey, run) : idempotent(ctx, input.idempotencyKey, run);
}

async function writeComment(ctx: CoreContext, tx: Tx, input: AddCommentInput, body: string): Promise<TxResult> {
  const now = ctx.now();
  // Statements the next ones don't wait for go out together, in this order, on the transaction's
  // connection (the ticket's lock is still taken first).
  const [ticket, author] = await Promise.all([lockTicket(tx, input.ticketKey), resolvePerson(tx, input.author)]);
  const isRequester = author.id === ticket.requesterId;
  const [authorIsDesk] = await Promise.all([isDesk(tx, author.id, ticket.queueKey), input.originAnchorId ? touchAnchor(tx, input.originAnchorId, now) : undefined]);
  if (input.as) {
    const presser = input.actor ? await resolvePerson(tx, input.actor) : author;
    const desk = presser.id === author.id ? authorIsDesk : await isDesk(tx, presser.id, ticket.queueKey);
    if (!desk) {
      const needsDesk = input.as === 'desk' || input.visibility === 'internal';
      if (needsDesk || !(isRequester || (await isWatcher(tx, ticket.id, author.id)))) {
        throw notOnDesk(presser, ticket.queueKey, input.visibility === 'internal' ? 'write internal notes' : 'reply to the requester');
      }
    }
  }
  let originAnchorId = input.originAnchorId;
  if (input.originAnchor) {
    const [anchor] = await tx
      .insert(anchors)
      .values({ ticketId: ticket.id, personId: input.originAnchor.side === 'triage' ? null : author.id, ...anchorValues(input.originAnchor), lastUsedAt: now })
      .returning();
    originAnchorId = anchor!.id;
  }
  const event = await appendEvent(tx, ctx.enabled, {
    ticket,
    type: 'comment',
    visibility: input.visibility,
    actor: author,
    actorRole: isRequester ? 'requester' : authorIsDesk ? 'agent' : 'colleague',
    channel: input.channel,
    body: body.slice(0, 40_000),
    data: input.data ?? {},
    originAnchorId: originAnchorId ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    at: now,
    ...(isRequester ? { known: { requester: author } } : {}),
  });
  let current = ticket;
  if (input.visibility === 'public' && isRequester && (ticket.status === 'resolved' || ticket.status === 'waiting_on_requester')) {
    current = (await changeStatus(ctx, tx, current, 'open', author, input.channel, originAnchorId, 'requester replied')).ticket;
  } else if (input.visibility === 'public' && authorIsDesk && !isRequester) {
    // Only the service team answers: a colleague's or a watcher's reply is no first response.
    current = await applySla(ctx, tx, current, onAgentPublicComment(current, now), input.channel);
  }
  // Counted for first-contact resolution: public answers of the desk, not colleagues or watchers.
  const agentReply = input.visibility === 'public' && authorIsDesk && !isRequester;
  await tx
    .update(tickets)
    .set({ updatedAt: now, ...(agentReply ? { agentReplies: sql`${tickets.agentReplies} + 1` } : {}) })
    .where(eq(tickets.id, current.id));
  return { ticketId: ticket.id, event };
}

export interface TransitionInput extends Common {
  ticketKey: string;
  status: Status;
  actor?: PersonInput | null;
}

export async function transition(ctx: CoreContext, input: TransitionInput): Promise<CommandResult> {
  return idempotent(ctx, input.idempotencyKey, async (tx) => {
    const ticket = await lockTicket(tx, input.ticketKey);
    const from = ticket.status as Status;
    if (!canTransition(from, input.status)) {
      const allowed = allowedNext(from);
      throw new Conflict(
        `cannot move ${ticket.key} from ${from} to ${input.status}; allowed: ${allowed.length ? allowed.join(', ') : 'none (closed is final)'}`,
        { from, to: input.status, allowed },
      );
    }
    const actor = input.actor ? await resolvePerson(tx, input.actor) : null;
    const desk = actor ? await isDesk(tx, actor.id, ticket.queueKey) : true;
    // The requester may resolve their own ticket, or reopen it once resolved; the rest is the desk's.
    const ownMove = actor?.id === ticket.requesterId && (input.status === 'resolved' || (from === 'resolved' && input.status === 'open'));
    if (!desk && !ownMove) throw notOnDesk(actor!, ticket.queueKey, 'change the status');
    const { event } = await changeStatus(ctx, tx, ticket, input.status, actor, input.channel, input.originAnchorId, undefined, input.idempotencyKey, desk);
    return { ticketId: ticket.id, event };
  });
}

export interface AssignInput extends Common {
  ticketKey: string;
  assignee: PersonInput | null;
  actor?: PersonInput | null;
}

export async function assign(ctx: CoreContext, input: AssignInput): Promise<CommandResult> {
  return idempotent(ctx, input.idempotencyKey, async (tx) => {
    const now = ctx.now();
    const ticket = await lockTicket(tx, input.ticketKey);
    const actor = input.actor ? await resolvePerson(tx, input.actor) : null;
    if (actor && !(await isDesk(tx, actor.id, ticket.queueKey))) throw notOnDesk(actor, ticket.queueKey, input.assignee && actor.email === input.assignee.email.trim().toLowerCase() ? 'claim it' : 'assign it');
    const assignee = input.assignee ? await resolvePerson(tx, input.assignee) : null;
    if (assignee && !(await isDesk(tx, assignee.id, ticket.queueKey))) {
      throw new Invalid(`${assignee.email} is not an agent of the ${ticket.queueKey} queue; assign it to one of its agents`, [{ path: 'assignee', message: 'not an agent of this queue' }]);
    }
    const previous = ticket.assigneeId ? await personById(tx, ticket.assigneeId) : null;
    const [updated] = await tx.update(tickets).set({ assigneeId: assignee?.id ?? null, updatedAt: now }).where(eq(tickets.id, ticket.id)).returning();
    const event = await appendEvent(tx, ctx.enabled, {
      ticket: updated!,
      type: 'assigned',
      actor,
      channel: input.channel,
      body: assignee ? `Assigned to ${assignee.name ?? assignee.email}` : 'Unassigned',
      data: { from: previous?.email ?? null, to: assignee?.email ?? null },
      originAnchorId: input.originAnchorId ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      at: now,
    });
    return { ticketId: ticket.id, event };
  });
}

export interface SetPriorityInput extends Common {
  ticketKey: string;
  priority: Priority;
  actor?: PersonInput | null;
}

/** A priority change recomputes the SLA targets from the creation time (keeping paused time). */
export async function setPriority(ctx: CoreContext, input: SetPriorityInput): Promise<CommandResult> {
  return idempotent(ctx, input.idempotencyKey, async (tx) => {
    const now = ctx.now();
    const ticket = await lockTicket(tx, input.ticketKey);
    const actor = input.actor ? await resolvePerson(tx, input.actor) : null;
    if (actor && !(await isDesk(tx, actor.id, ticket.queueKey))) throw notOnDesk(actor, ticket.queueKey, 'change the priority');
    const [type] = await tx.select().from(requestTypes).where(eq(requestTypes.key, ticket.typeKey));
    const queue = await queueByKey(tx, ticket.queueKey);
    const rules = rulesFor(queue!, type, input.priority);
    const patch: Partial<Ticket> = {
      priority: input.priority,
      updatedAt: now,
      ...onPriorityChange(ticket, type ? targetsFor(type.sla, ticket.priority as Priority) : null, rules, now),
    };
    // While paused, the resume step pushes these out by the time spent waiting.
    patch.nextSlaCheckAt = nextCheckAt({ ...ticket, ...patch }, rules);
    const [updated] = await tx.update(tickets).set(patch).where(eq(tickets.id, ticket.id)).returning();
    const event = await appendEvent(tx, ctx.enabled, {
      ticket: updated!,
      type: 'priority_changed',
      actor,
      channel: input.channel,
      body: `Priority ${ticket.priority} → ${input.priority}`,
      data: { from: ticket.priority, to: input.priority },
      originAnchorId: input.originAnchorId ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      at: now,
    });
    return { ticketId: ticket.id, event };
  });
}

/** Record a channel-specific event (an edit, a removal, an SLA notice) with its mirror targets. */
export interface RecordEventInput extends Common {
  ticketKey: string;
  type: string;
  visibility: 'public' | 'internal';
  actor?: PersonInput | null;
  body?: string;
  data?: Record<string, unknown>;
}

export async function recordEvent(ctx: CoreContext, input: RecordEventInput): Promise<CommandResult> {
  return idempotent(ctx, input.idempotencyKey, async (tx) => {
    const ticket = await lockTicket(tx, input.ticketKey);
    const actor = input.actor ? await resolvePerson(tx, input.actor) : null;
    const event = await appendEvent(tx, ctx.enabled, {
      ticket,
      type: input.type,
      visibility: input.visibility,
      actor,
      channel: input.channel,
      body: input.body ?? '',
      data: input.data ?? {},
      originAnchorId: input.originAnchorId ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      at: ctx.now(),
    });
    return { ticketId: ticket.id, event };
  });
}

// ---------------------------------------------------------------------------------------

/** A status change inside a command's transaction (also the follow-up scanner's resolve and close). */
export async function changeStatus(
  ctx: CoreContext,
  tx: Tx,
  ticket: Ticket,
  to: Status,
  actor: Person | null,
  channel: string,
  originAnchorId: number | undefined,
  reason?: string,
  idempotencyKey?: string,
  /** The desk (or the system) made the change: resolving then also answers a pending first response. */
  byDesk = false,
): Promise<{ ticket: Ticket; event: TicketEvent }> {
  const now = ctx.now();
  const rules = await slaRulesOf(tx, ticket);
  const queue = await queueByKey(tx, ticket.queueKey);
  const sla = onStatusChange(ticket, to, rules.cal, now, { byDesk });
  const [updated] = await tx
    .update(tickets)
    .set({ status: to, updatedAt: now, ...followUpOnStatus(queue!.followUp, to, now), ...sla.patch, ...durationPatch(rules.cal, ticket, sla.patch), ...(ticket.status === 'resolved' && to !== 'closed' ? { reopenCount: ticket.reopenCount + 1 } : {}) })
    .where(eq(tickets.id, ticket.id))
    .returning();
  const event = await appendEvent(tx, ctx.enabled, {
    ticket: updated!,
    type: 'status_changed',
    actor,
    channel,
    body: `Status ${ticket.status} → ${to}${reason ? ` (${reason})` : ''}`,
    data: { from: ticket.status, to, ...(reason ? { reason } : {}) },
    originAnchorId: originAnchorId ?? null,
    idempotencyKey: idempotencyKey ?? null,
    at: now,
  });
  const clocked = await applySla(ctx, tx, updated!, { patch: {}, events: sla.events }, channel, rules);
  if (to === 'resolved') await askSatisfaction(tx, ctx.enabled, clocked, queue!, now);
  return { ticket: clocked, event };
}

/** Write an SLA change and its events, and recompute when the scanner must look next. */
async function applySla(ctx: CoreContext, tx: Tx, ticket: Ticket, change: SlaChange, channel: string, known?: SlaRules): Promise<Ticket> {
  const now = ctx.now();
  const rules = known ?? (await slaRulesOf(tx, ticket));
  const nextSlaCheckAt = nextCheckAt({ ...ticket, ...change.patch }, rules);
  const [updated] = await tx.update(tickets).set({ ...change.patch, ...durationPatch(rules.cal, ticket, change.patch), nextSlaCheckAt }).where(eq(tickets.id, ticket.id)).returning();
  for (const event of change.events) {
    await appendEvent(tx, ctx.enabled, { ticket: updated!, type: event.type, visibility: 'internal', channel: 'system', body: event.body, data: { ...event.data, via: channel }, at: now });
  }
  return updated!;
}

async function slaRulesOf(tx: Tx, ticket: Ticket): Promise<SlaRules> {
  const queue = await queueByKey(tx, ticket.queueKey);
  const [type] = await tx.select().from(requestTypes).where(eq(requestTypes.key, ticket.typeKey));
  return rulesFor(queue!, type, ticket.priority);
}

