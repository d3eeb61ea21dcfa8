import type { BusinessCalendar } from '../core/sla/calendar.ts';
import { businessMinutesBetween, formatDuration } from '../core/sla/business-time.ts';
import { activeClock, slaSummary } from '../core/sla/explain.ts';
import type { TicketView } from '../core/view.ts';
import { clockStateLabel } from './labels.ts';
import { absolute, type When } from './time.ts';

export interface ClockFacts {
  label: 'First response' | 'Resolution';
  state: 'running' | 'paused' | 'met' | 'breached';
  stateLabel: string;
  due: When | null;
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
}

const cap = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

function clockFacts(label: ClockFacts['label'], clock: TicketView['sla']['firstResponse'], zone: string): ClockFacts {
  return { label, state: clock.state, stateLabel: clockStateLabel(clock.state), due: clock.dueAt ? absolute(clock.dueAt, zone) : null };
}

/**
 * The SLA as a reader sees it. `line` never says "in 2 h" or "20 min ago": cards and mails
 * keep it until the next event, and a breach or a warning is such an event (the scanner
 * plans a card refresh for it), so an absolute due time is the only wording that cannot lie.
 */
export function slaFacts(ticket: Pick<TicketView, 'status' | 'sla'>, zone: string, now: Date, cal: BusinessCalendar | undefined, why?: string): SlaFacts | null {
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
  const summary = slaSummary(ticket, now, cal);
  const tone = active.state === 'breached' ? 'late' : active.state === 'met' || active.state === 'paused' ? 'quiet' : 'ok';
  return { line, live: cap(summary), tone, firstResponse, resolution, why };
}
