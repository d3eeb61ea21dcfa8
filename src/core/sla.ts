import type { Ticket } from '../db/schema.ts';
import { compileCalendar, type BusinessCalendar, type CalendarDef } from './business-calendar.ts';
import { addBusinessMinutes, businessMinutesBetween } from './business-time.ts';
import { PRIORITIES, type Priority } from './catalog.ts';

/**
 * SLA clocks as pure functions over a ticket row: each returns the columns to change and
 * the sla_* events to append. `now` is always passed in.
 */

export interface SlaTargets {
  firstResponse: number;
  resolution: number;
  /** The priority whose targets were used (the nearest defined one when the exact is missing). */
  priority: Priority;
}

type SlaPolicy = Partial<Record<Priority, { first_response: number; resolution: number }>>;

/** Targets for a priority; when the type has none for it, the nearest stricter, then laxer, one. */
export function targetsFor(policy: unknown, priority: Priority): SlaTargets | null {
  const table = (policy ?? {}) as SlaPolicy;
  const index = PRIORITIES.indexOf(priority);
  const order = [...PRIORITIES].sort((a, b) => {
    const da = PRIORITIES.indexOf(a) - index;
    const db = PRIORITIES.indexOf(b) - index;
    return Math.abs(da) - Math.abs(db) || da - db;
  });
  for (const candidate of order) {
    const target = table[candidate];
    if (target) return { firstResponse: target.first_response, resolution: target.resolution, priority: candidate };
  }
  return null;
}

const calendarCache = new Map<string, BusinessCalendar>();
export function calendarOf(def: unknown): BusinessCalendar {
  const key = JSON.stringify(def);
  let cal = calendarCache.get(key);
  if (!cal) {
    cal = compileCalendar(def as CalendarDef);
    calendarCache.set(key, cal);
  }
  return cal;
}

export interface SlaEvent {
  type: 'sla_paused' | 'sla_resumed' | 'sla_met' | 'sla_warning' | 'sla_breached';
  body: string;
  data: Record<string, unknown>;
}

export interface SlaChange {
  patch: Partial<Ticket>;
  events: SlaEvent[];
}

type Clocked = Pick<
  Ticket,
  | 'createdAt'
  | 'firstResponseDueAt'
  | 'firstResponseAt'
  | 'firstResponseBreachedAt'
  | 'firstResponseWarnedAt'
  | 'resolutionDueAt'
  | 'resolutionBreachedAt'
  | 'resolutionWarnedAt'
  | 'resolvedAt'
  | 'slaPausedAt'
  | 'slaPausedMinutes'
  | 'status'
>;

/** Due times from the creation instant, with the paused business time added back. */
export function dueTimes(cal: BusinessCalendar, targets: SlaTargets | null, start: Date, pausedMinutes = 0) {
  if (!targets) return { firstResponseDueAt: null, resolutionDueAt: null };
  return {
    firstResponseDueAt: addBusinessMinutes(cal, start, targets.firstResponse + pausedMinutes),
    resolutionDueAt: addBusinessMinutes(cal, start, targets.resolution + pausedMinutes),
  };
}

/** The next instant the scanner must look at this ticket: a warning or a breach of a running clock. */
export function nextCheckAt(ticket: Clocked & { nextSlaCheckAt?: Date | null }, cal: BusinessCalendar, warnAt: number): Date | null {
  if (ticket.slaPausedAt || ticket.status === 'closed') return null;
  const candidates: Date[] = [];
  const consider = (due: Date | null, warned: Date | null, breached: Date | null, met: boolean) => {
    if (!due || met || breached) return;
    if (!warned) {
      const budget = businessMinutesBetween(cal, ticket.createdAt, due);
      candidates.push(addBusinessMinutes(cal, ticket.createdAt, budget * warnAt));
    } else {
      candidates.push(due);
    }
  };
  consider(ticket.firstResponseDueAt, ticket.firstResponseWarnedAt, ticket.firstResponseBreachedAt, ticket.firstResponseAt !== null);
  consider(ticket.resolutionDueAt, ticket.resolutionWarnedAt, ticket.resolutionBreachedAt, ticket.resolvedAt !== null);
  if (!candidates.length) return null;
  return new Date(Math.min(...candidates.map((d) => d.getTime())));
}

/** Entering or leaving waiting_on_requester, resolving and reopening. */
export function onStatusChange(ticket: Clocked, to: Ticket['status'], cal: BusinessCalendar, now: Date): SlaChange {
  const patch: Partial<Ticket> = {};
  const events: SlaEvent[] = [];
  const from = ticket.status;
  const hasClock = ticket.firstResponseDueAt !== null || ticket.resolutionDueAt !== null;

  if (from === 'waiting_on_requester' && to !== 'waiting_on_requester' && ticket.slaPausedAt) {
    const paused = businessMinutesBetween(cal, ticket.slaPausedAt, now);
    const push = (due: Date | null, done: boolean) =>
      due && !done ? addBusinessMinutes(cal, now, businessMinutesBetween(cal, ticket.slaPausedAt!, due)) : due;
    patch.firstResponseDueAt = push(ticket.firstResponseDueAt, ticket.firstResponseAt !== null);
    patch.resolutionDueAt = push(ticket.resolutionDueAt, false);
    patch.slaPausedAt = null;
    patch.slaPausedMinutes = ticket.slaPausedMinutes + paused;
    events.push({ type: 'sla_resumed', body: `SLA clock resumed after ${Math.round(paused)} business minutes paused`, data: { pausedMinutes: paused, since: ticket.slaPausedAt.toISOString() } });
  }
  if (to === 'waiting_on_requester' && hasClock && !ticket.slaPausedAt) {
    patch.slaPausedAt = now;
    events.push({ type: 'sla_paused', body: 'SLA clock paused: waiting on requester', data: {} });
  }
  if (to === 'resolved' && !ticket.resolvedAt) {
    patch.resolvedAt = now;
    if (ticket.resolutionDueAt && !ticket.resolutionBreachedAt) {
      const late = now.getTime() > ticket.resolutionDueAt.getTime();
      events.push({ type: late ? 'sla_breached' : 'sla_met', body: late ? 'Resolution SLA breached' : 'Resolution SLA met', data: { clock: 'resolution', dueAt: ticket.resolutionDueAt.toISOString() } });
      if (late) patch.resolutionBreachedAt = now;
    }
  }
  if (from === 'resolved' && to !== 'closed' && ticket.resolvedAt) {
    // Reopened: the resolution clock resumes where it stopped.
    patch.resolvedAt = null;
    if (ticket.resolutionDueAt && !ticket.resolutionBreachedAt) {
      const remaining = businessMinutesBetween(cal, ticket.resolvedAt, ticket.resolutionDueAt);
      patch.resolutionDueAt = addBusinessMinutes(cal, now, remaining);
      events.push({ type: 'sla_resumed', body: 'Reopened: resolution SLA clock resumed', data: { clock: 'resolution', remainingMinutes: remaining } });
    }
  }
  if (to === 'closed') patch.closedAt = now;
  return { patch, events };
}

/** The first public comment of an agent meets the first-response clock. */
export function onAgentPublicComment(ticket: Clocked, now: Date): SlaChange {
  if (ticket.firstResponseAt) return { patch: {}, events: [] };
  const patch: Partial<Ticket> = { firstResponseAt: now };
  const events: SlaEvent[] = [];
  if (ticket.firstResponseDueAt && !ticket.firstResponseBreachedAt) {
    const late = now.getTime() > ticket.firstResponseDueAt.getTime();
    if (late) patch.firstResponseBreachedAt = now;
    events.push({ type: late ? 'sla_breached' : 'sla_met', body: late ? 'First response SLA breached' : 'First response SLA met', data: { clock: 'first_response', dueAt: ticket.firstResponseDueAt.toISOString() } });
  }
  return { patch, events };
}

export type ClockState = 'running' | 'paused' | 'met' | 'breached';

/** The state of both clocks as the API shows them. */
export function slaView(ticket: Clocked, now: Date) {
  const state = (due: Date | null, metAt: Date | null, breachedAt: Date | null): ClockState => {
    if (breachedAt) return 'breached';
    if (metAt) return due && metAt.getTime() > due.getTime() ? 'breached' : 'met';
    if (ticket.slaPausedAt) return 'paused';
    if (due && now.getTime() > due.getTime()) return 'breached';
    return 'running';
  };
  return {
    firstResponse: {
      dueAt: ticket.firstResponseDueAt?.toISOString() ?? null,
      state: state(ticket.firstResponseDueAt, ticket.firstResponseAt, ticket.firstResponseBreachedAt),
    },
    resolution: {
      dueAt: ticket.resolutionDueAt?.toISOString() ?? null,
      state: state(ticket.resolutionDueAt, ticket.resolvedAt, ticket.resolutionBreachedAt),
    },
  };
}
