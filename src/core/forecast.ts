import { sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import { backtest, floorHour, forecastHours, HOUR_MS, type Backtest, type HourlyHistory } from './arrivals-model.ts';
import { isOpen } from './sla/business-time.ts';
import type { Catalog, Priority } from './catalog.ts';
import { agentsNeeded } from './erlang.ts';
import { Invalid } from './errors.ts';
import { calendarOf, targetsFor } from './sla/clocks.ts';

// Staffing forecast for one queue: hourly arrivals for the next weeks (arrivals-model.ts)
// and, per hour, the agents Erlang C says are needed to answer `serviceLevel` of them within
// the first-response target of the queue's default request type at its default priority.

export const DEFAULT_HANDLING_MINUTES = 20;
export const DEFAULT_SERVICE_LEVEL = 0.9;
const HISTORY_WEEKS = 52;
const WEEK_MS = 7 * 24 * HOUR_MS;

export interface ForecastQuery {
  queue: string;
  from: Date;
  weeks: number;
  serviceLevel: number;
}

export interface ForecastHour {
  hour: string;
  arrivals: number;
  low: number;
  high: number;
  agentsNeeded: number;
  open: boolean;
  /** Demand expected while the queue is closed: the hours opening times do not cover. */
  demandWhileClosed: boolean;
}

export interface Forecast {
  queue: string;
  serviceLevel: number;
  handlingTimeMinutes: number;
  targetMinutes: number;
  timezone: string;
  model: string;
  backtest: Backtest;
  items: ForecastHour[];
}

/** The queue's staffing inputs from the catalog: handling time and first-response target. */
export function staffingInputs(catalog: Catalog, queueKey: string): { handlingMinutes: number; targetMinutes: number; calendar: unknown } {
  const queue = catalog.queues[queueKey];
  if (!queue) throw new Invalid(`unknown queue '${queueKey}'`, [{ path: 'queue', message: `known queues: ${Object.keys(catalog.queues).join(', ')}` }]);
  const handling = (queue as { handling_time?: unknown }).handling_time;
  const handlingMinutes = typeof handling === 'number' && handling > 0 ? handling : DEFAULT_HANDLING_MINUTES;
  const typeKey = queue.default_type ?? Object.entries(catalog.request_types).find(([, type]) => type.queue === queueKey)?.[0];
  const type = typeKey ? catalog.request_types[typeKey] : undefined;
  const targets = type ? targetsFor(type.sla, type.default_priority as Priority) : null;
  return { handlingMinutes, targetMinutes: targets?.firstResponse ?? 240, calendar: catalog.calendars[queue.calendar] };
}

/** Tickets created per UTC hour for one queue over [start, end). */
export async function hourlyArrivals(db: Conn, queueKey: string, start: Date, end: Date): Promise<HourlyHistory> {
  const rows = resultRows<{ hour: string | Date; n: number | string }>(
    await db.execute(sql`
      select date_bin('1 hour', created_at, timestamptz '2000-01-01T00:00:00Z') as hour, count(*)::int as n
      from tickets
      where queue_key = ${queueKey} and created_at >= ${start.toISOString()}::timestamptz and created_at < ${end.toISOString()}::timestamptz
      group by 1`),
  );
  const counts = new Map<number, number>();
  for (const row of rows) counts.set(new Date(row.hour).getTime(), Number(row.n));
  return { start, end, counts };
}

export async function queueForecast(db: Conn, catalog: Catalog, query: ForecastQuery): Promise<Forecast> {
  const queueKey = query.queue.toUpperCase();
  const { handlingMinutes, targetMinutes, calendar } = staffingInputs(catalog, queueKey);
  const cal = calendarOf(calendar);
  const from = new Date(floorHour(query.from.getTime()));
  const history = await hourlyArrivals(db, queueKey, new Date(from.getTime() - HISTORY_WEEKS * WEEK_MS), from);
  const hours = forecastHours(cal, history, from, query.weeks * 168);
  const items = hours.map((h) => {
    const open = isOpen(cal, h.hour);
    return {
      hour: h.hour.toISOString(),
      arrivals: h.arrivals,
      low: h.low,
      high: h.high,
      agentsNeeded: agentsNeeded(h.arrivals, handlingMinutes, targetMinutes, query.serviceLevel),
      open,
      demandWhileClosed: !open && h.arrivals >= 0.5,
    };
  });
  return {
    queue: queueKey,
    serviceLevel: query.serviceLevel,
    handlingTimeMinutes: handlingMinutes,
    targetMinutes,
    timezone: cal.timezone,
    model: 'seasonal hour-of-week mean over the last 8 weeks (half-life 4 weeks), holidays scaled by past holidays; 80% interval',
    backtest: backtest(cal, history, 4),
    items,
  };
}
