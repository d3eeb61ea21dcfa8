import { sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';

// Breakdowns for the lead's charts, SQL aggregation only: when people ask (weekday × hour in
// the queue's zone) and how long they wait for a first answer on each channel.

export interface HeatCell {
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  hour: number;
  arrivals: number;
}

/** Tickets created in [from, to) per local weekday and hour; every one of the 168 cells, zeros included. */
export async function arrivalsByWeekdayHour(db: Conn, filter: { from: Date; to: Date; queue: string; timezone: string }): Promise<HeatCell[]> {
  const rows = resultRows<{ weekday: number; hour: number; n: number }>(
    await db.execute(sql`
      select extract(isodow from created_at at time zone ${filter.timezone})::int as weekday,
             extract(hour from created_at at time zone ${filter.timezone})::int as hour,
             count(*)::int as n
      from tickets
      where queue_key = ${filter.queue} and created_at >= ${filter.from.toISOString()}::timestamptz and created_at < ${filter.to.toISOString()}::timestamptz
      group by 1, 2`),
  );
  const counts = new Map(rows.map((row) => [`${row.weekday}:${row.hour}`, Number(row.n)]));
  const cells: HeatCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) cells.push({ weekday, hour, arrivals: counts.get(`${weekday}:${hour}`) ?? 0 });
  }
  return cells;
}

export interface ChannelWait {
  channel: string;
  tickets: number;
  p50: number | null;
  p90: number | null;
  /** Not answered yet: counted, not dropped from the picture. */
  unanswered: number;
}

/** Business minutes to the first agent reply per origin channel, for tickets created in [from, to). */
export async function firstResponseByChannel(db: Conn, filter: { from: Date; to: Date; queue?: string | undefined }): Promise<ChannelWait[]> {
  const inQueue = filter.queue ? sql`and queue_key = ${filter.queue}` : sql``;
  const rows = resultRows<{ channel: string; tickets: number; p50: number | null; p90: number | null; unanswered: number }>(
    await db.execute(sql`
      select origin_channel as channel, count(*)::int as tickets,
             percentile_cont(0.5) within group (order by first_response_minutes) as p50,
             percentile_cont(0.9) within group (order by first_response_minutes) as p90,
             (count(*) filter (where first_response_at is null))::int as unanswered
      from tickets
      where created_at >= ${filter.from.toISOString()}::timestamptz and created_at < ${filter.to.toISOString()}::timestamptz ${inQueue}
      group by 1
      order by 1`),
  );
  const round = (value: number | null) => (value === null ? null : Math.round(Number(value) * 10) / 10);
  return rows.map((row) => ({ channel: row.channel, tickets: Number(row.tickets), p50: round(row.p50), p90: round(row.p90), unanswered: Number(row.unanswered) }));
}
