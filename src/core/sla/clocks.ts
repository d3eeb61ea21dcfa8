import type { Ticket } from '../../db/schema.ts';
import { compileCalendar, type BusinessCalendar, type CalendarDef } from './calendar.ts';
import { addBusinessMinutes, businessMinutesBetween } from './business-time.ts';
import { PRIORITIES, type Priority } from '../catalog.ts';

/**
 * SLA clocks as pure functions over a ticket row: each returns the columns to change and
 * the sla_* events to append. `now` is always passed in.
 *
 * A clock runs from the ticket's creation for its target in business minutes. Time spent
 * waiting on the requester (and, for resolution, time spent resolved before a reopen)
 * pushes its due time out by exactly that much business time. An outcome (met or
 * breached) is final for the clock; a breach is recorded once in *_breached_at.
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

export type SlaClock = 'first_response' | 'resolution';

export interface SlaEvent {
  type: 'sla_paused' | 'sla_resumed' | 'sla_met' | 'sla_warning' | 'sla_breached';
  body: string;
  data: Record<string, unknown>;
}

export interface SlaChange {
  patch: Partial<Ticket>;
  events: SlaEvent[];
}

/** What a clock rule needs to know about the ticket's queue and type. */
export interface SlaRules {
  cal: BusinessCalendar;
  warnAt: number;
  targets: SlaTargets | null;
}

/** The rules of a ticket from its queue row (calendar, warn_at) and type row (targets). */
export function rulesFor(queue: { calendar: unknown; warnAt: number }, type: { sla: unknown } | undefined, priority: string): SlaRules {
  return { cal: calendarOf(queue.calendar), warnAt: queue.warnAt, targets: type ? targetsFor(type.sla, priority as Priority) : null };
}

export type Clocked = Pick<
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

/** The columns of one clock, so rules can be written once for both. */
export function clockOf(ticket: Clocked, clock: SlaClock) {
  return clock === 'first_response'
    ? { due: ticket.firstResponseDueAt, metAt: ticket.firstResponseAt, warnedAt: ticket.firstResponseWarnedAt, breachedAt: ticket.firstResponseBreachedAt }
    : { due: ticket.resolutionDueAt, metAt: ticket.resolvedAt, warnedAt: ticket.resolutionWarnedAt, breachedAt: ticket.resolutionBreachedAt };
}

const COLUMNS = {
  first_response: { due: 'firstResponseDueAt', metAt: 'firstResponseAt', warnedAt: 'firstResponseWarnedAt', breachedAt: 'firstResponseBreachedAt' },
  resolution: { due: 'resolutionDueAt', metAt: 'resolvedAt', warnedAt: 'resolutionWarnedAt', breachedAt: 'resolutionBreachedAt' },
} as const;

export const CLOCK_LABEL: Record<SlaClock, string> = { first_response: 'First response', resolution: 'Resolution' };

export function targetOf(targets: SlaTargets, clock: SlaClock): number {
  return clock === 'first_response' ? targets.firstResponse : targets.resolution;
}

/** Due times from the creation instant, with the paused business time added back. */
export function dueTimes(cal: BusinessCalendar, targets: SlaTargets | null, start: Date, pausedMinutes = 0) {
  if (!targets) return { firstResponseDueAt: null, resolutionDueAt: null };
  return {
    firstResponseDueAt: addBusinessMinutes(cal, start, targets.firstResponse + pausedMinutes),
    resolutionDueAt: addBusinessMinutes(cal, start, targets.resolution + pausedMinutes),
  };
}

/**
 * The instant the clock has used `warnAt` of its target: when the business time left
 * until `due` is (1 - warnAt) × target. Business time is additive, so counting from the
 * creation instant is exact whatever pauses pushed the due time out.
 */
export function warnInstant(cal: BusinessCalendar, createdAt: Date, due: Date, target: number, warnAt: number): Date {
  const total = businessMinutesBetween(cal, createdAt, due);
  return addBusinessMinutes(cal, createdAt, Math.max(0, total - (1 - warnAt) * target));
}

/** A clock still counting down: it has a due time and no outcome yet. */
function open(ticket: Clocked, clock: SlaClock): boolean {
  const c = clockOf(ticket, clock);
  // A request its requester resolved before the desk answered stops the first-response clock without a verdict.
  if (clock === 'first_response' && ticket.resolvedAt) return false;
  return c.due !== null && c.metAt === null && c.breachedAt === null;
}

/** The next instant the scanner must look at this ticket: a warning or a breach of a running clock. */
export function nextCheckAt(ticket: Clocked, rules: SlaRules): Date | null {
  if (ticket.slaPausedAt || ticket.status === 'closed') return null;
  const candidates: number[] = [];
  for (const clock of ['first_response', 'resolution'] as const) {
    if (!open(ticket, clock)) continue;
    const { due, warnedAt } = clockOf(ticket, clock);
    if (!warnedAt && rules.targets) {
      candidates.push(warnInstant(rules.cal, ticket.createdAt, due!, targetOf(rules.targets, clock), rules.warnAt).getTime());
    } else {
      candidates.push(due!.getTime());
    }
  }
  return candidates.length ? new Date(Math.min(...candidates)) : null;
}

/**
 * What the scanner fires at `now`: a breach when the due time has passed, else a warning
 * when the share of the budget used has reached warn_at. A breach supersedes a warning
 * not yet sent (a warning after the fact would only be noise).
 */
export function onScan(ticket: Clocked, rules: SlaRules, now: Date): SlaChange {
  const patch: Partial<Ticket> = {};
  const events: SlaEvent[] = [];
  if (ticket.slaPausedAt || ticket.status === 'closed') return { patch, events };
  for (const clock of ['first_response', 'resolution'] as const) {
    if (!open(ticket, clock)) continue;
    const { due, warnedAt } = clockOf(ticket, clock);
    const columns = COLUMNS[clock];
    if (due!.getTime() <= now.getTime()) {
      patch[columns.breachedAt] = now;
      events.push({ type: 'sla_breached', body: `${CLOCK_LABEL[clock]} SLA breached: it was due ${due!.toISOString()}`, data: { clock, dueAt: due!.toISOString() } });
    } else if (!warnedAt && rules.targets) {
      const target = targetOf(rules.targets, clock);
      const warnAt = warnInstant(rules.cal, ticket.createdAt, due!, target, rules.warnAt);
      if (warnAt.getTime() <= now.getTime()) {
        const left = businessMinutesBetween(rules.cal, now, due!);
        patch[columns.warnedAt] = now;
        events.push({
          type: 'sla_warning',
          body: `${CLOCK_LABEL[clock]} SLA at ${Math.round((1 - left / target) * 100)} % of its budget: due ${due!.toISOString()}`,
          data: { clock, dueAt: due!.toISOString(), usedShare: 1 - left / target, businessMinutesLeft: left },
        });
      }
    }
  }
  return { patch, events };
}

/** Met or breached at `at`; a paused clock is judged at the moment it stopped counting. */
function outcome(ticket: Clocked, clock: SlaClock, at: Date, by: string): SlaChange {
  const { due, breachedAt } = clockOf(ticket, clock);
  const columns = COLUMNS[clock];
  const patch: Partial<Ticket> = { [columns.metAt]: at };
  if (!due || breachedAt) return { patch, events: [] };
  const counted = ticket.slaPausedAt && ticket.slaPausedAt.getTime() < at.getTime() ? ticket.slaPausedAt : at;
  const late = counted.getTime() > due.getTime();
  if (late) patch[columns.breachedAt] = at;
  const verdict = late ? 'breached' : 'met';
  return { patch, events: [{ type: late ? 'sla_breached' : 'sla_met', body: `${CLOCK_LABEL[clock]} SLA ${verdict} (${by})`, data: { clock, dueAt: due.toISOString(), by } }] };
}

/** Entering or leaving waiting_on_requester, resolving and reopening. */
export function onStatusChange(ticket: Clocked, to: Ticket['status'], cal: BusinessCalendar, now: Date, options: { byDesk?: boolean } = {}): SlaChange {
  const byDesk = options.byDesk ?? true;
  const patch: Partial<Ticket> = {};
  const events: SlaEvent[] = [];
  let current: Clocked = { ...ticket };
  const apply = (change: SlaChange) => {
    Object.assign(patch, change.patch);
    current = { ...current, ...change.patch };
    events.push(...change.events);
  };
  const from = ticket.status;

  if (from === 'waiting_on_requester' && to !== 'waiting_on_requester' && current.slaPausedAt) {
    const pausedAt = current.slaPausedAt;
    const paused = businessMinutesBetween(cal, pausedAt, now);
    // Push a clock only if it was still counting when the pause began.
    const push = (clock: SlaClock) => {
      const { due } = clockOf(current, clock);
      if (!open(current, clock) || due!.getTime() <= pausedAt.getTime()) return due;
      return addBusinessMinutes(cal, now, businessMinutesBetween(cal, pausedAt, due!));
    };
    apply({
      patch: { firstResponseDueAt: push('first_response'), resolutionDueAt: push('resolution'), slaPausedAt: null, slaPausedMinutes: current.slaPausedMinutes + paused },
      events: [{ type: 'sla_resumed', body: `SLA clock resumed after ${Math.round(paused)} business minutes waiting on requester`, data: { pausedMinutes: paused, since: pausedAt.toISOString(), reason: 'waiting_on_requester' } }],
    });
  }
  if (to === 'waiting_on_requester' && !current.slaPausedAt && (open(current, 'first_response') || open(current, 'resolution'))) {
    apply({ patch: { slaPausedAt: now }, events: [{ type: 'sla_paused', body: 'SLA clock paused: waiting on requester', data: { reason: 'waiting_on_requester' } }] });
  }
  if (to === 'resolved' && !current.resolvedAt) {
    // The desk resolving tells the requester something: it answers a first response still
    // pending. A requester closing their own request got no answer from the desk.
    if (!current.firstResponseAt && byDesk) apply(outcome(current, 'first_response', now, 'resolved'));
    apply(outcome(current, 'resolution', now, 'resolved'));
  }
  if (from === 'resolved' && to !== 'closed' && current.resolvedAt) {
    // Reopened: the resolution clock resumes where it stopped.
    const resolvedAt = current.resolvedAt;
    const due = current.resolutionDueAt;
    const stillCounting = due !== null && !current.resolutionBreachedAt;
    const remaining = stillCounting ? businessMinutesBetween(cal, resolvedAt, due) : 0;
    apply({
      patch: { resolvedAt: null, ...(stillCounting ? { resolutionDueAt: addBusinessMinutes(cal, now, remaining) } : {}) },
      events: stillCounting
        ? [{ type: 'sla_resumed', body: `Reopened: resolution SLA clock resumed with ${Math.round(remaining)} business minutes left`, data: { clock: 'resolution', remainingMinutes: remaining, since: resolvedAt.toISOString(), reason: 'reopened' } }]
        : [],
    });
  }
  if (to === 'closed') patch.closedAt = now;
  return { patch, events };
}

/** The first public comment of an agent meets the first-response clock. */
export function onAgentPublicComment(ticket: Clocked, now: Date): SlaChange {
  if (ticket.firstResponseAt) return { patch: {}, events: [] };
  return outcome(ticket, 'first_response', now, 'agent reply');
}

/**
 * New targets for a priority change, counted from the creation instant. A clock keeps
 * the business time it was pushed out by (pauses, time spent resolved); a clock with an
 * outcome keeps it. A warning already sent stays sent unless the new target puts the
 * clock back under the warning line, so it can warn again for the new target.
 */
export function onPriorityChange(ticket: Clocked, before: SlaTargets | null, after: SlaRules, now: Date): Partial<Ticket> {
  const patch: Partial<Ticket> = {};
  const counting = ticket.slaPausedAt ?? now;
  for (const clock of ['first_response', 'resolution'] as const) {
    const { due, metAt, breachedAt, warnedAt } = clockOf(ticket, clock);
    if (metAt || breachedAt) continue;
    const columns = COLUMNS[clock];
    if (!after.targets) {
      patch[columns.due] = null;
      continue;
    }
    const target = targetOf(after.targets, clock);
    const pushedBy = due && before ? Math.max(0, businessMinutesBetween(after.cal, ticket.createdAt, due) - targetOf(before, clock)) : ticket.slaPausedMinutes;
    const newDue = addBusinessMinutes(after.cal, ticket.createdAt, target + pushedBy);
    patch[columns.due] = newDue;
    if (warnedAt && warnInstant(after.cal, ticket.createdAt, newDue, target, after.warnAt).getTime() > counting.getTime()) {
      patch[columns.warnedAt] = null;
    }
  }
  return patch;
}

export type ClockState = 'running' | 'paused' | 'met' | 'breached';

export function clockState(ticket: Clocked, clock: SlaClock, now: Date): ClockState {
  const { due, metAt, breachedAt } = clockOf(ticket, clock);
  if (breachedAt) return 'breached';
  if (metAt) return 'met';
  if (clock === 'first_response' && ticket.resolvedAt) return due && due.getTime() < ticket.resolvedAt.getTime() ? 'breached' : 'paused';
  if (ticket.slaPausedAt) return due && due.getTime() < ticket.slaPausedAt.getTime() ? 'breached' : 'paused';
  if (due && now.getTime() > due.getTime()) return 'breached';
  return 'running';
}

/** The state of both clocks as the API shows them. */
export function slaView(ticket: Clocked, now: Date) {
  const view = (clock: SlaClock) => {
    const { due, metAt, breachedAt } = clockOf(ticket, clock);
    const state = clockState(ticket, clock, now);
    return {
      dueAt: due?.toISOString() ?? null,
      state,
      /** When the clock got its outcome (answered, resolved); null while it counts. */
      metAt: metAt?.toISOString() ?? null,
      breachedAt: breachedAt?.toISOString() ?? null,
      /** Since when the clock stands still waiting on the requester; null unless paused. */
      pausedAt: state === 'paused' ? (ticket.slaPausedAt ?? ticket.resolvedAt)!.toISOString() : null,
    };
  };
  return { firstResponse: view('first_response'), resolution: view('resolution') };
}
