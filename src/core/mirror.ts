import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { reusable } from '../db/reusable.ts';
import {
  anchors,
  deliveries,
  people,
  ticketEvents,
  webhookSubscriptions,
  type Anchor,
  type Person,
  type Queue,
  type Ticket,
  type TicketEvent,
} from '../db/schema.ts';
import { isDesk } from './roles.ts';
import { personById, queueByKey } from './ticket-rows.ts';
import { indexComment } from './search-index.ts';

/** Channels a participant can be reached on. `web` and `api` have no outbound side. */
export const OUTBOUND_CHANNELS = ['slack', 'teams', 'email', 'webhook'] as const;
export type OutboundChannel = (typeof OUTBOUND_CHANNELS)[number];

/** Channels that show a card which is updated in place. */
const CARD_CHANNELS = new Set<string>(['slack', 'teams']);

export const NOTIFY_CHANNEL = 'switchboard_deliveries';

/** NOTIFY payload of a ticket event: `<queue>:<ticket id>`. */
export function notifyPayload(ticket: Pick<Ticket, 'queueKey' | 'id'>): string {
  return `${ticket.queueKey}:${ticket.id}`;
}

export function parseNotifyPayload(payload: string): { queue: string; ticketId: number } | null {
  const match = /^([A-Za-z0-9]+):(\d+)$/.exec(payload);
  return match ? { queue: match[1]!, ticketId: Number(match[2]) } : null;
}

export type NewDelivery = Omit<typeof deliveries.$inferInsert, 'lane'>;

/** The ordering lane of a delivery: one ticket's deliveries in a lane go out in order. */
export function laneOf(d: NewDelivery): string {
  const target = d.target as { subscriptionId?: number; channel?: string; address?: string } | undefined;
  const who = d.personId ?? target?.subscriptionId ?? target?.channel ?? target?.address ?? '';
  return `${d.channel}:${d.audience}:${who}`;
}

/**
 * A planned delivery as one record of a set-wise insert (`jsonb_to_recordset`): the columns the
 * outbox row takes from its plan, lane included. Callers add the row's own ids and times.
 */
export function deliveryRecord(d: NewDelivery) {
  return {
    channel: d.channel,
    audience: d.audience,
    lane: laneOf(d),
    kind: d.kind ?? 'message',
    person_id: d.personId ?? null,
    anchor_id: d.anchorId ?? null,
    target: d.target ?? {},
  };
}

export interface MirrorContext {
  /** Only its id is copied into the targets: the rules decide on the event, the queue and the people. */
  ticket: Pick<Ticket, 'id'>;
  queue: Queue;
  event: TicketEvent;
  requester: Person;
  /** People following the ticket besides the requester (from anchors with side 'watcher'). */
  watchers?: Person[];
  /** Every anchor of the ticket. */
  anchors: Anchor[];
  /** Outbound channels that are configured in this deployment. */
  enabled: ReadonlySet<string>;
  webhooks: Array<{ id: number; events: unknown; includeInternal: boolean }>;
  /**
   * People this event is addressed to directly, on their own channel (an approver asked to
   * decide, the leads told of an overdue approval, a requester asked how we did): the event's
   * `data.notify` ids. `data.notifyAs` names the audience, `data.notifyKind` 'card' refreshes
   * what they were sent before instead of sending anew.
   */
  notify?: Person[];
}

/**
 * The mirroring rules of DESIGN.md as a pure function: which targets get this event.
 * - triage anchors of the queue get everything, internal notes included;
 * - the requester (and watchers) get public events on the channel they last used;
 * - the anchor an event came from gets no echo, only a card refresh;
 * - webhook subscriptions get what their filter asks for.
 */
export function planDeliveries(ctx: MirrorContext): NewDelivery[] {
  const { ticket, queue, event, enabled } = ctx;
  const planned: NewDelivery[] = [];
  const base = { eventId: event.id, ticketId: ticket.id };
  const isPublic = event.visibility === 'public';

  // "Email me a fresh link" from the web 403 page: only the requester's mailbox may get it.
  if (event.type === 'access_link_requested') {
    if (!enabled.has('email')) return [];
    const requester = ctx.requester;
    return [{ ...base, channel: 'email', audience: 'requester', kind: 'message', personId: requester.id, anchorId: null, target: { address: requester.email } }];
  }

  const triageChannels: Array<[OutboundChannel, string | null]> = [
    ['slack', queue.slackChannel],
    ['teams', queue.teamsChannel],
  ];
  for (const [channel, target] of triageChannels) {
    if (!target || !enabled.has(channel)) continue;
    const anchor = ctx.anchors.find((a) => a.channel === channel && a.side === 'triage');
    const fromHere = anchor !== undefined && anchor.id === event.originAnchorId;
    planned.push({ ...base, channel, audience: 'triage', kind: fromHere ? 'card' : 'message', anchorId: anchor?.id ?? null, target: { channel: target } });
  }

  if (isPublic) {
    for (const participant of participantsOf(ctx)) {
      const { person, side } = participant;
      const choice = participantChannel(ctx, person, side);
      if (!choice) continue;
      const { channel, anchor } = choice;
      const fromHere = anchor !== undefined && anchor.id === event.originAnchorId;
      const ownWords = event.actorId === person.id && event.type !== 'created';
      // A request filed by email is acknowledged by a reply in its own thread: no card to refresh there.
      const acknowledgement = event.type === 'created' && !CARD_CHANNELS.has(channel);
      const echo = (fromHere && !acknowledgement) || ownWords;
      if (echo && !CARD_CHANNELS.has(channel)) continue;
      planned.push({
        ...base,
        channel,
        audience: side,
        kind: echo ? 'card' : 'message',
        personId: person.id,
        anchorId: anchor?.id ?? null,
        target: channel === 'email' ? { address: person.email } : {},
      });
    }
  }

  planned.push(...directTargets(ctx));

  if (event.type === 'sla_breached' && queue.escalation) {
    planned.push(...escalationTargets(ctx));
  }

  for (const hook of ctx.webhooks) {
    if (!enabled.has('webhook')) break;
    if (!isPublic && !hook.includeInternal) continue;
    const wanted = Array.isArray(hook.events) ? (hook.events as string[]) : [];
    if (wanted.length && !wanted.includes(event.type)) continue;
    planned.push({ ...base, channel: 'webhook', audience: 'integration', kind: 'message', target: { subscriptionId: hook.id } });
  }
  return planned;
}

interface Participant {
  person: Person;
  side: 'requester' | 'watcher';
}

function participantsOf(ctx: MirrorContext): Participant[] {
  const watchers = (ctx.watchers ?? []).filter((p) => p.id !== ctx.requester.id);
  return [{ person: ctx.requester, side: 'requester' as const }, ...watchers.map((person) => ({ person, side: 'watcher' as const }))];
}

/** The channel a participant last used for this ticket, else their preference, else email. */
function participantChannel(
  ctx: MirrorContext,
  person: Person,
  side: Participant['side'],
): { channel: OutboundChannel; anchor?: Anchor } | undefined {
  const own = ctx.anchors
    .filter((a) => a.side === side && a.personId === person.id && ctx.enabled.has(a.channel))
    .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || b.id - a.id);
  const latest = own[0];
  if (latest) return { channel: latest.channel as OutboundChannel, anchor: latest };
  const preferred = person.preferredChannel;
  if (preferred === 'slack' && ctx.enabled.has('slack') && person.slackUserId) return { channel: 'slack' };
  if (preferred === 'teams' && ctx.enabled.has('teams') && person.teamsConversation) return { channel: 'teams' };
  if (ctx.enabled.has('email')) return { channel: 'email' };
  if (ctx.enabled.has('slack') && person.slackUserId) return { channel: 'slack' };
  if (ctx.enabled.has('teams') && person.teamsConversation) return { channel: 'teams' };
  return undefined;
}

/** Ids of the people an event is addressed to directly (see MirrorContext.notify). */
export function notifyIds(data: unknown): number[] {
  const ids = (data as { notify?: unknown } | null)?.notify;
  return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : [];
}

/** A person's own channel when the ticket has no thread of theirs: their preference, else chat, else email. */
export function personalChannel(person: Person, enabled: ReadonlySet<string>): OutboundChannel | undefined {
  const reachable = (channel: string) =>
    enabled.has(channel) && (channel === 'slack' ? Boolean(person.slackUserId) : channel === 'teams' ? Boolean(person.teamsConversation) : channel === 'email');
  if (person.preferredChannel && reachable(person.preferredChannel)) return person.preferredChannel as OutboundChannel;
  return (['slack', 'teams', 'email'] as const).find(reachable);
}

function directTargets(ctx: MirrorContext): NewDelivery[] {
  const data = (ctx.event.data ?? {}) as { notifyAs?: unknown; notifyKind?: unknown };
  const audience = typeof data.notifyAs === 'string' ? data.notifyAs : 'person';
  const kind = data.notifyKind === 'card' ? 'card' : 'message';
  const out: NewDelivery[] = [];
  for (const person of ctx.notify ?? []) {
    const channel = personalChannel(person, ctx.enabled);
    // Email cannot be edited in place: a refresh there is nothing to send.
    if (!channel || (kind === 'card' && channel === 'email')) continue;
    out.push({ eventId: ctx.event.id, ticketId: ctx.ticket.id, channel, audience, kind, personId: person.id, anchorId: null, target: channel === 'email' ? { address: person.email } : {} });
  }
  return out;
}

function escalationTargets(ctx: MirrorContext): NewDelivery[] {
  const escalation = (ctx.queue.escalation ?? {}) as { slack_channel?: string; teams_channel?: string; email?: string };
  const base = { eventId: ctx.event.id, ticketId: ctx.ticket.id, audience: 'escalation', kind: 'message' };
  const out: NewDelivery[] = [];
  if (escalation.slack_channel && ctx.enabled.has('slack')) out.push({ ...base, channel: 'slack', target: { channel: escalation.slack_channel } });
  if (escalation.teams_channel && ctx.enabled.has('teams')) out.push({ ...base, channel: 'teams', target: { channel: escalation.teams_channel } });
  if (escalation.email && ctx.enabled.has('email')) out.push({ ...base, channel: 'email', target: { address: escalation.email } });
  return out;
}

export interface AppendEventInput {
  ticket: Ticket;
  type: string;
  visibility?: 'public' | 'internal';
  actor?: Person | null;
  channel: string;
  body?: string;
  data?: Record<string, unknown>;
  originAnchorId?: number | null;
  idempotencyKey?: string | null;
  /** requester | agent | colleague; worked out from the roster when not given. */
  actorRole?: string;
  at: Date;
  /** Rows the caller already holds, so they are not read again. */
  known?: { queue?: Queue; requester?: Person; anchors?: Anchor[] };
}

/** Anchors, each watcher's with their people row; the callers below say whose, newest use first. */
function selectAnchorsWithWatchers(conn: Conn) {
  return conn.select({ anchor: anchors, watcher: people }).from(anchors).leftJoin(people, and(eq(people.id, anchors.personId), eq(anchors.side, 'watcher')));
}
/** A ticket's anchors, newest use first, each watcher's with their people row. */
const anchorsWithWatchers = reusable('anchors_with_watchers', (conn) =>
  selectAnchorsWithWatchers(conn)
    .where(eq(anchors.ticketId, sql.placeholder('ticket')))
    .orderBy(desc(anchors.lastUsedAt)),
);
/** The same for many tickets (the SLA scanner's batch): their ids as one comma-separated text. */
export const anchorsWithWatchersOfTickets = reusable('anchors_with_watchers_of_tickets', (conn) =>
  selectAnchorsWithWatchers(conn)
    .where(sql`${anchors.ticketId} = any(string_to_array(${sql.placeholder('tickets')}, ',')::int[])`)
    .orderBy(desc(anchors.lastUsedAt)),
);
export const activeWebhookRows = reusable('active_webhooks', (conn) =>
  conn
    .select({ id: webhookSubscriptions.id, events: webhookSubscriptions.events, includeInternal: webhookSubscriptions.includeInternal })
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.active, true)),
);

/**
 * Append a timeline event and its outbox rows, inside the caller's transaction, and
 * wake the delivery workers (NOTIFY is delivered on commit).
 */
export async function appendEvent(tx: Conn, enabled: ReadonlySet<string>, input: AppendEventInput): Promise<TicketEvent> {
  const { ticket } = input;
  const actorRole =
    input.actorRole ??
    (!input.actor ? 'system' : input.actor.id === ticket.requesterId ? 'requester' : (await isDesk(tx, input.actor.id, ticket.queueKey)) ? 'agent' : 'colleague');
  const known = input.known ?? {};
  const body = input.body ?? '';
  const visibility = input.visibility ?? 'public';
  const data = input.data ?? {};
  const direct = notifyIds(data);
  const knownWatcherIds = known.anchors ? watcherIdsOf(known.anchors) : [];
  // The event's writes and every read the rules need go out together: postgres.js pipelines them on
  // the transaction's connection, one round trip's wait instead of five. The anchors come with
  // their watchers' people rows (one statement, not two).
  const [[event], , queue, requester, anchorRows, webhooks, notify, knownWatchers] = await Promise.all([
    tx
      .insert(ticketEvents)
      .values({
        ticketId: ticket.id,
        type: input.type,
        visibility,
        actorId: input.actor?.id ?? null,
        actorRole,
        channel: input.channel,
        body,
        data,
        originAnchorId: input.originAnchorId ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        createdAt: input.at,
      })
      .returning(),
    // The search index changes in the same transaction as the timeline.
    input.type === 'comment' ? indexComment(tx, ticket.id, body, visibility === 'internal' ? 'internal' : 'public') : undefined,
    known.queue ?? queueByKey(tx, ticket.queueKey),
    known.requester ?? personById(tx, ticket.requesterId),
    known.anchors ? undefined : anchorsWithWatchers(tx, { ticket: ticket.id }),
    activeWebhooks(tx, enabled),
    direct.length ? tx.select().from(people).where(inArray(people.id, direct)) : [],
    knownWatcherIds.length ? tx.select().from(people).where(inArray(people.id, knownWatcherIds)) : [],
  ]);
  const ticketAnchors = known.anchors ?? anchorRows!.map((row) => row.anchor);
  const watchers = known.anchors ? knownWatchers : uniqueById(anchorRows!.flatMap((row) => (row.watcher ? [row.watcher] : [])));
  const planned = planDeliveries({ ticket, queue: queue!, event: event!, requester: requester!, watchers, anchors: ticketAnchors, enabled, webhooks, notify });
  // One NOTIFY per event, delivered on commit: it wakes the delivery workers and, through its
  // payload (queue and ticket id), the desk's live pages (src/channels/web/desk-live.ts).
  await Promise.all([
    planned.length ? tx.insert(deliveries).values(planned.map((d) => ({ ...d, lane: laneOf(d), nextAttemptAt: input.at, createdAt: input.at }))) : Promise.resolve(),
    tx.execute(sql`select pg_notify(${NOTIFY_CHANNEL}, ${notifyPayload(ticket)})`),
  ]);
  return event!;
}

/** The people who follow a ticket as watchers, by its anchors. */
function watcherIdsOf(ticketAnchors: Anchor[]): number[] {
  return [...new Set(ticketAnchors.filter((a) => a.side === 'watcher' && a.personId !== null).map((a) => a.personId!))];
}

/** Each person once, in id order (as the lookup by ids gave them). */
function uniqueById(rows: Person[]): Person[] {
  return [...new Map(rows.map((p) => [p.id, p])).values()].sort((a, b) => a.id - b.id);
}

/** The webhook subscriptions that get events, when webhooks are on. */
export function activeWebhooks(conn: Conn, enabled: ReadonlySet<string>): Promise<MirrorContext['webhooks']> {
  if (!enabled.has('webhook')) return Promise.resolve([]);
  return activeWebhookRows(conn, {});
}

/** Mark an anchor as the participant's most recently used one (drives where replies go). */
export async function touchAnchor(tx: Conn, anchorId: number, at: Date): Promise<void> {
  await tx.update(anchors).set({ lastUsedAt: at }).where(eq(anchors.id, anchorId));
}

