import type { BusinessCalendar } from '../core/sla/calendar.ts';
import { businessMinutesBetween, formatDuration, isOpen, nextOpening } from '../core/sla/business-time.ts';
import { activeClock, slaSummary } from '../core/sla/explain.ts';
import type { TicketView } from '../core/view.ts';
import { clockStateLabel, type Audience } from './labels.ts';
import { absolute, type When } from './time.ts';

export interface ClockFacts {
  label: 'First response' | 'Resolution';
  state: 'running' | 'paused' | 'met' | 'breached';
  stateLabel: string;
  due: When | null;
}

/**
 * The queue's business calendar is shut at the moment of drawing, while the ticket waits for
 * its first reply: the acknowledgement, the cards and the pages say so and when the desk opens.
 */
export interface ClosedFacts {
  /** When the queue's calendar opens next, in the reader's zone. */
  opensAt: When;
  /** When the first reply is due, in the reader's zone. */
  replyBy: When;
  /** "We're closed now and open again Mon 7 Dec, 09:00 Europe/Madrid; expect a first reply by Mon 7 Dec, 13:00 Europe/Madrid." */
  line: string;
}

export interface SlaFacts {
  /** The clock that matters now, in words that stay true until the next event refreshes the card. */
  line: string;
  /** The same clock with the time left ("First response due in 2 h (business hours Europe/Madrid)"): web pages only. */
  live: string;
  tone: 'ok' | 'late' | 'quiet';
  firstResponse: ClockFacts;
  resolution: ClockFacts;
  /** Why the due time is what it is (target, start, pauses, holidays), when the caller worked it out. */
  why?: string | undefined;
  /** Set while the desk is closed and the first reply is still to come; null otherwise. */
  closed: ClosedFacts | null;
}

const cap = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

function clockFacts(label: ClockFacts['label'], clock: TicketView['sla']['firstResponse'], zone: string): ClockFacts {
  return { label, state: clock.state, stateLabel: clockStateLabel(clock.state), due: clock.dueAt ? absolute(clock.dueAt, zone) : null };
}

/**
 * Closed now (the calendar, holidays included, says so at `now`) while the first response clock
 * runs: when the desk opens and when the first reply is due. A 24x7 queue is never closed.
 * "Closed now" is true when drawn; the same sentence names the opening, so a card read later
 * still tells when the desk opened.
 */
export function closedFacts(ticket: Pick<TicketView, 'status' | 'sla'>, zone: string, now: Date, cal: BusinessCalendar | undefined, audience: Audience): ClosedFacts | null {
  if (!cal || cal.alwaysOpen || isOpen(cal, now)) return null;
  const clock = ticket.sla.firstResponse;
  if (ticket.status === 'awaiting_approval' || activeClock(ticket) !== 'firstResponse' || clock.state !== 'running' || !clock.dueAt) return null;
  const opensAt = absolute(nextOpening(cal, now).toISOString(), zone);
  const replyBy = absolute(clock.dueAt, zone);
  const line =
    audience === 'requester'
      ? `We're closed now and open again ${opensAt.text}; expect a first reply by ${replyBy.text}.`
      : `The desk is closed now and opens ${opensAt.text}; first response due ${replyBy.text}.`;
  return { opensAt, replyBy, line };
}

/**
 * The SLA as a reader sees it. `line` never says "in 2 h" or "20 min ago": cards and mails
 * keep it until the next event, and a breach or a warning is such an event (the scanner
 * plans a card refresh for it), so an absolute due time is the only wording that cannot lie.
 */
export function slaFacts(ticket: Pick<TicketView, 'status' | 'sla'>, zone: string, now: Date, cal: BusinessCalendar | undefined, why?: string, audience: Audience = 'desk'): SlaFacts | null {
  const firstResponse = clockFacts('First response', ticket.sla.firstResponse, zone);
  const resolution = clockFacts('Resolution', ticket.sla.resolution, zone);
  const active = activeClock(ticket) === 'firstResponse' ? firstResponse : resolution;
  const raw = activeClock(ticket) === 'firstResponse' ? ticket.sla.firstResponse : ticket.sla.resolution;
  if (!active.due) return null;
  let line: string;
  switch (active.state) {
    case 'met':
      line = `${active.label} met`;
      break;
    case 'paused': {
      // While paused the time left does not change, so it cannot go stale.
      const left = cal ? businessMinutesBetween(cal, new Date(raw.pausedAt ?? now), new Date(raw.dueAt!)) : (Date.parse(raw.dueAt!) - Date.parse(raw.pausedAt ?? now.toISOString())) / 60_000;
      line = `${active.label} paused, waiting on requester (${formatDuration(Math.max(0, left))} left)`;
      break;
    }
    case 'breached':
      line = `${active.label} breached (was due ${active.due.text})`;
      break;
    default:
      line = `${active.label} due ${active.due.text}`;
  }
  const tone = active.state === 'breached' ? 'late' : active.state === 'met' || active.state === 'paused' ? 'quiet' : 'ok';
  return { line, live: livePhrase(ticket, zone, now, cal), tone, firstResponse, resolution, why, closed: closedFacts(ticket, zone, now, cal, audience) };
}

/**
 * The clock that matters with the time left, for pages drawn when read (the ticket pages, the
 * desk's lists). "Due in 4 h" counts business hours; read while the desk is shut it would
 * promise an answer hours too soon, so a running clock then says its due time and when the desk opens.
 */
export function livePhrase(ticket: Pick<TicketView, 'status' | 'sla'>, zone: string, now: Date, cal: BusinessCalendar | undefined): string {
  const active = activeClock(ticket) === 'firstResponse' ? ticket.sla.firstResponse : ticket.sla.resolution;
  if (ticket.status !== 'awaiting_approval' && active.state === 'running' && active.dueAt && cal && !cal.alwaysOpen && !isOpen(cal, now)) {
    const label = activeClock(ticket) === 'firstResponse' ? 'First response' : 'Resolution';
    return `${label} due ${absolute(active.dueAt, zone).text} (closed now, opens ${absolute(nextOpening(cal, now).toISOString(), zone).text})`;
  }
  return cap(slaSummary(ticket, now, cal));
}
