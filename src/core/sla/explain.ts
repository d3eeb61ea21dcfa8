import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Conn } from '../../db/client.ts';
import { reusable } from '../../db/reusable.ts';
import { queues, requestTypes, ticketEvents, tickets, type Ticket } from '../../db/schema.ts';
import type { BusinessCalendar } from './calendar.ts';
import { businessMinutesBetween, closedDaysBetween, formatDuration, type ClosedDay } from './business-time.ts';
import type { Catalog } from '../catalog.ts';
import { NotFound } from '../errors.ts';
import { calendarOf, clockOf, clockState, rulesFor, slaView, targetOf, type ClockState, type SlaClock, type SlaRules } from './clocks.ts';
import type { TicketView } from '../view.ts';

/** Why a clock is due when it is: the inputs of the arithmetic, and one sentence. */
export interface SlaExplanation {
  clock: SlaClock;
  state: ClockState;
  dueAt: string | null;
  timezone: string;
  targetMinutes: number | null;
  startedAt: string;
  /** Business minutes the due time was pushed out by (waiting on requester, resolved before a reopen). */
  pausedMinutes: number;
  pauses: Array<{ from: string; to: string | null; reason: 'waiting_on_requester' | 'resolved' | 'awaiting_approval'; businessMinutes: number }>;
  closedDays: ClosedDay[];
  text: string;
}

export interface PauseEvent {
  type: string;
  data: unknown;
  createdAt: Date;
}

type Pause = SlaExplanation['pauses'][number];

/** Pauses told by the timeline: sla_paused → sla_resumed, and resolved → reopened. */
export function pausesOf(ticket: Pick<Ticket, 'slaPausedAt'>, events: PauseEvent[], cal: BusinessCalendar, now: Date): Pause[] {
  const pauses: Pause[] = [];
  let openFrom: Date | null = null;
  const add = (from: Date, to: Date | null, reason: Pause['reason']) =>
    pauses.push({ from: from.toISOString(), to: to?.toISOString() ?? null, reason, businessMinutes: businessMinutesBetween(cal, from, to ?? now) });
  for (const event of events) {
    const data = (event.data ?? {}) as { reason?: string; since?: string };
    if (event.type === 'sla_paused') openFrom = event.createdAt;
    if (event.type !== 'sla_resumed') continue;
    if (data.reason === 'reopened' && data.since) add(new Date(data.since), event.createdAt, 'resolved');
    else if (data.reason === 'approved' && data.since) add(new Date(data.since), event.createdAt, 'awaiting_approval');
    else if (openFrom || data.since) {
      add(openFrom ?? new Date(data.since!), event.createdAt, 'waiting_on_requester');
      openFrom = null;
    }
  }
  if (ticket.slaPausedAt) add(ticket.slaPausedAt, null, 'waiting_on_requester');
  return pauses;
}

/** The explanation of one clock; pure, given the ticket, its rules and its sla_* events. */
export function explainClock(ticket: Ticket, clock: SlaClock, rules: SlaRules, events: PauseEvent[], now: Date): SlaExplanation {
  const { cal } = rules;
  const { due, metAt } = clockOf(ticket, clock);
  const state = clockState(ticket, clock, now);
  // Pauses after the clock's outcome did not move it; resolved gaps only move resolution.
  const end = metAt?.getTime() ?? Infinity;
  const pauses = pausesOf(ticket, events, cal, now).filter(
    (p) => new Date(p.from).getTime() < end && (clock === 'resolution' || p.reason !== 'resolved'),
  );
  const pausedMinutes = pauses.reduce((sum, p) => sum + p.businessMinutes, 0);
  const target = rules.targets ? targetOf(rules.targets, clock) : null;
  const closedDays = due ? closedDaysBetween(cal, ticket.createdAt, due) : [];
  const base = {
    clock,
    state,
    dueAt: due?.toISOString() ?? null,
    timezone: cal.timezone,
    targetMinutes: target,
    startedAt: ticket.createdAt.toISOString(),
    pausedMinutes,
    pauses,
    closedDays,
  };
  if (!due || target === null) return { ...base, text: `no ${clock.replace('_', ' ')} target for this request type and priority` };

  const local = (at: Date) => DateTime.fromJSDate(at, { zone: cal.timezone });
  const start = local(ticket.createdAt);
  // Weekday names alone are clear within a week of the start; past that the date is added.
  const when = (at: DateTime) => (at.diff(start, 'days').days < 6 ? at.toFormat('ccc HH:mm') : at.toFormat('ccc d LLL HH:mm'));
  const day = (date: string) => {
    const at = DateTime.fromISO(date, { zone: cal.timezone });
    return at.diff(start.startOf('day'), 'days').days < 6 ? at.toFormat('ccc') : at.toFormat('ccc d LLL');
  };
  const parts = [`due ${when(local(due))} ${cal.timezone}: ${budgetText(target, cal)} from ${when(start)}`];
  const waited = pauses.filter((p) => p.reason === 'waiting_on_requester');
  const waitedMinutes = waited.reduce((sum, p) => sum + p.businessMinutes, 0);
  const ongoing = waited.find((p) => p.to === null);
  if (ongoing) parts.push(`paused since ${when(local(new Date(ongoing.from)))} waiting on requester (due moves out when the clock resumes)`);
  if (waitedMinutes > 0 && (!ongoing || waited.length > 1)) {
    const done = waited.filter((p) => p.to !== null).reduce((sum, p) => sum + p.businessMinutes, 0);
    if (done > 0) parts.push(`paused ${formatDuration(done)} waiting on requester`);
  }
  const approvalWait = pauses.filter((p) => p.reason === 'awaiting_approval').reduce((sum, p) => sum + p.businessMinutes, 0);
  if (approvalWait > 0) parts.push(`started after ${formatDuration(approvalWait)} awaiting approval`);
  const resolvedGap = pauses.filter((p) => p.reason === 'resolved').reduce((sum, p) => sum + p.businessMinutes, 0);
  if (resolvedGap > 0) parts.push(`stopped ${formatDuration(resolvedGap)} while resolved before a reopen`);
  const holidays = closedDays.filter((d) => d.reason === 'holiday').map((d) => day(d.date));
  const shortDays = closedDays.filter((d) => d.reason === 'short_day').map((d) => day(d.date));
  if (holidays.length) parts.push(`${holidays.length > 1 ? 'holidays' : 'holiday'} ${holidays.join(', ')} excluded`);
  if (shortDays.length) parts.push(`short ${shortDays.length > 1 ? 'days' : 'day'} ${shortDays.join(', ')}`);
  let text = parts.join(', ');
  if (state === 'met' && metAt) text += `; met ${when(local(metAt))}`;
  if (state === 'breached') text += metAt ? `; breached, answered ${when(local(metAt))}` : '; breached';
  return { ...base, text };
}

function budgetText(minutes: number, cal: BusinessCalendar): string {
  const unit = cal.alwaysOpen ? '' : 'business ';
  if (minutes % 60 === 0) return `${minutes / 60} ${unit}${minutes === 60 ? 'hour' : 'hours'}`;
  return `${formatDuration(minutes)} of ${unit || 'elapsed '}time`;
}

const PAUSE_EVENTS = ['sla_paused', 'sla_resumed'];

const ticketWithRules = reusable('ticket_with_rules', (conn) =>
  conn
    .select({ ticket: tickets, queue: queues, type: requestTypes })
    .from(tickets)
    .innerJoin(queues, eq(queues.key, tickets.queueKey))
    .leftJoin(requestTypes, eq(requestTypes.key, tickets.typeKey))
    .where(eq(tickets.key, sql.placeholder('key'))),
);
const pauseEventsOf = reusable('sla_pauses_of_ticket', (conn) =>
  conn
    .select({ type: ticketEvents.type, data: ticketEvents.data, createdAt: ticketEvents.createdAt })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, conn.select({ id: tickets.id }).from(tickets).where(eq(tickets.key, sql.placeholder('key')))), inArray(ticketEvents.type, PAUSE_EVENTS)))
    .orderBy(asc(ticketEvents.id)),
);

/** Both clocks of a ticket, explained, plus the short summary cards show. */
export async function explainSla(ctx: { db: Conn; now: () => Date }, key: string) {
  const ticketKey = key.toUpperCase();
  // One round trip: the ticket with its queue and request type, and its pauses found by its key.
  const [[found], events] = await Promise.all([ticketWithRules(ctx.db, { key: ticketKey }), pauseEventsOf(ctx.db, { key: ticketKey })]);
  if (!found) throw new NotFound(`no ticket ${key}`);
  const { ticket, queue, type } = found;
  const rules = rulesFor(queue, type ?? undefined, ticket.priority);
  const now = ctx.now();
  const view = slaView(ticket, now);
  return {
    key: ticket.key,
    timezone: rules.cal.timezone,
    summary: slaSummary({ status: ticket.status, sla: view }, now, rules.cal),
    firstResponse: { ...view.firstResponse, explanation: explainClock(ticket, 'first_response', rules, events, now) },
    resolution: { ...view.resolution, explanation: explainClock(ticket, 'resolution', rules, events, now) },
  };
}

/** The business calendar of a queue from the catalog, for slaSummary. */
export function queueCalendar(catalog: Catalog, queueKey: string): BusinessCalendar | undefined {
  const queue = catalog.queues[queueKey];
  const def = queue ? catalog.calendars[queue.calendar] : undefined;
  return def ? calendarOf(def) : undefined;
}

/** The clock that matters now: first response until it is met (or the ticket is done), then resolution. */
export function activeClock(ticket: { status: string; sla: TicketView['sla'] }): 'firstResponse' | 'resolution' {
  const done = ticket.status === 'resolved' || ticket.status === 'closed';
  return !done && ticket.sla.firstResponse.metAt === null && ticket.sla.firstResponse.dueAt !== null ? 'firstResponse' : 'resolution';
}

/**
 * One short line for cards and the ticket page: the clock that matters now.
 * "first response due in 2 h 10 min (business hours Europe/Madrid)", "resolution breached 20 min ago".
 * Without a calendar, times left are wall-clock times.
 */
export function slaSummary(ticket: { status: string; sla: TicketView['sla'] }, now: Date, cal?: BusinessCalendar): string {
  if (ticket.status === 'awaiting_approval') return 'SLA paused until the request is approved';
  const active = activeClock(ticket);
  const [label, clock] = active === 'firstResponse' ? ['first response', ticket.sla.firstResponse] : ['resolution', ticket.sla.resolution];
  if (!clock.dueAt) return 'no SLA';
  const due = new Date(clock.dueAt);
  // A paused clock keeps what it had left when it stopped.
  const from = clock.pausedAt ? new Date(clock.pausedAt) : now;
  const left = cal ? businessMinutesBetween(cal, from, due) : Math.max(0, (due.getTime() - from.getTime()) / 60_000);
  const zone = cal ? (cal.alwaysOpen ? `around the clock, ${cal.timezone}` : `business hours ${cal.timezone}`) : '';
  const hours = zone ? ` (${zone})` : '';
  switch (clock.state) {
    case 'met':
      return `${label} met`;
    case 'paused':
      return `${label} paused, waiting on requester (${formatDuration(left)} left${zone ? `, ${zone}` : ''})`;
    case 'breached':
      if (clock.metAt) return `${label} breached (late by ${formatDuration((new Date(clock.metAt).getTime() - due.getTime()) / 60_000)})`;
      return `${label} breached ${formatDuration((now.getTime() - due.getTime()) / 60_000)} ago`;
    default:
      return `${label} due in ${formatDuration(left)}${hours}`;
  }
}

/** The explanation of the clock the summary talks about (first response until met, then resolution). */
export async function slaWhy(core: { db: Conn; now: () => Date }, ticket: TicketView): Promise<string | undefined> {
  const explained = await explainSla(core, ticket.key);
  const clock = explained[activeClock(ticket)];
  return clock.dueAt ? clock.explanation.text : undefined;
}
