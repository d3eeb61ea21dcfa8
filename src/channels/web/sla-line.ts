import type { Catalog } from '../../core/catalog.ts';
import { queueCalendar, slaSummary } from '../../core/sla/explain.ts';
import type { TicketView } from '../../core/view.ts';

export interface SlaLine {
  text: string;
  tone: 'ok' | 'late' | 'quiet';
  /** Why the due time is what it is, e.g. "due Tue 11:30 Europe/Madrid: 8 business hours from Mon 14:30, ...". */
  why?: string;
}

/**
 * The one SLA sentence on the requester's page, from core's summary, e.g. "First response
 * due in 2 h 10 min (business hours Europe/Madrid)" or "Resolution breached 20 min ago".
 */
export function slaLine(ticket: TicketView, catalog: Catalog, now: Date, why?: string): SlaLine | null {
  const summary = slaSummary(ticket, now, queueCalendar(catalog, ticket.queue));
  if (summary === 'no SLA') return null;
  const text = `${summary.charAt(0).toUpperCase()}${summary.slice(1)}.`;
  const tone = / breached/.test(summary) ? 'late' : / (met|paused)/.test(summary) ? 'quiet' : 'ok';
  return why ? { text, tone, why } : { text, tone };
}

