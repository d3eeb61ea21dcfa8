import { sql, type SQL } from 'drizzle-orm';
import type { DateTime } from 'luxon';
import type { Conn } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';

// The overview report: per day or week (in the queue's zone) what came in and how the desk
// did, from columns written when the clocks stopped (durations.ts). SQL aggregation only:
// percentile_cont for the medians, count(*) filter for the shares, cumulative sums for the
// backlog. Unanswered and unresolved tickets are counted, never dropped from a median.

export type Interval = 'day' | 'week';

/** The doors a ticket can come in by; counted per interval in the same scan as everything else. */
export const ORIGIN_CHANNELS = ['slack', 'teams', 'email', 'web', 'api'] as const;

export interface OverviewQuery {
  from: DateTime;
  to: DateTime;
  /** A queue key; its calendar's zone sets the interval boundaries. Unset = every queue, in UTC. */
  queue?: string | undefined;
  timezone: string;
  interval: Interval;
  /** Clocks past due and still running at this instant count as breached, as on the ticket. */
  now: Date;
  /**
   * Counts from the hourly rollup when every interval edge is a whole hour (the default), or
   * false: from the tickets themselves (the same figures; what the rollup is checked against).
   */
  rollup?: boolean | undefined;
}

export interface ClockFigures {
  p50: number | null;
  p90: number | null;
  /** Tickets whose clock stopped (answered / resolved). */
  stopped: number;
  /** Tickets still waiting for it (no answer / not resolved yet). */
  waiting: number;
  /** Share of the interval's tickets still waiting (%). */
  waitingPct: number | null;
  metPct: number | null;
}

export interface OverviewFigures {
  created: number;
  createdByChannel: Record<string, number>;
  resolved: number;
  backlog: number;
  firstResponse: ClockFigures;
  resolution: ClockFigures;
  /** Met / (met + breached) over both clocks with a verdict (%). */
  slaMetPct: number | null;
  /** Share of resolved tickets that were reopened at least once (%). */
  reopenRate: number | null;
  /** Share of resolved tickets resolved with at most one agent reply and never reopened (%). */
  firstContactResolution: number | null;
  /** Satisfaction arrives with its issue; null until then. */
  satisfaction: null;
  /** Help articles in the interval (filled by the API from the knowledge feedback; null = not asked). */
  deflection: DeflectionFigures | null;
}

/** What self-service did in an interval: articles shown, said solved, and requests deflected (3-day rule). */
export interface DeflectionFigures {
  shown: number;
  solved: number;
  deflected: number;
  /** Said solved, nothing filed yet, the 3 days not over. */
  pending: number;
}

export interface OverviewItem extends OverviewFigures {
  start: string;
  end: string;
  /** The interval's first local day, yyyy-mm-dd. */
  label: string;
}

export interface Overview {
  from: string;
  to: string;
  queue: string | null;
  interval: Interval;
  timezone: string;
  items: OverviewItem[];
  totals: OverviewFigures;
}

interface FactRow {
  /** The interval's number, 1-based; null on the totals row. */
  bucket: number | string | null;
  created: number;
  fr_answered: number;
  fr_waiting: number;
  fr_met: number;
  fr_breached: number;
  res_resolved: number;
  res_waiting: number;
  res_met: number;
  res_breached: number;
  reopened: number;
  fcr: number;
}

interface PercentileRow {
  bucket: number | string | null;
  /** [p50, p90]: one sort of the column for both (percentile_cont over an array of fractions). */
  fr_pct: Array<number | null> | string | null;
  res_pct: Array<number | null> | string | null;
}

/** Interval starts (local) covering [from, to). */
export function buckets(query: OverviewQuery): DateTime[] {
  const out: DateTime[] = [];
  let at = query.from.setZone(query.timezone).startOf(query.interval === 'week' ? 'week' : 'day');
  const end = query.to.toMillis();
  while (at.toMillis() < end && out.length < 5000) {
    out.push(at);
    at = at.plus(query.interval === 'week' ? { weeks: 1 } : { days: 1 });
  }
  return out;
}

export async function overviewReport(db: Conn, query: OverviewQuery): Promise<Overview> {
  const tz = query.timezone;
  const from = query.from.toUTC().toISO()!;
  const to = query.to.toUTC().toISO()!;
  const now = query.now.toISOString();
  const starts = buckets(query);
  // The intervals' edges as instants, worked out in the zone here (luxon knows its DST days), so
  // each row's interval is a binary search over a few dozen timestamps (width_bucket), not a zone
  // conversion per row. The first interval starts at `from`, the last ends at `to`: every row in
  // [from, to) falls in exactly one, numbered 1..n.
  const edges = [from, ...starts.slice(1).map((start) => start.toUTC().toISO()!), to];
  const bounds = sql`${`{${edges.join(',')}}`}::timestamptz[]`;
  // Every queue = every key of the queues table, as an index condition (queue_key = any(...)):
  // the (queue, created_at) indexes then serve both the one-queue and the every-queue report.
  const inQueue: SQL = query.queue ? sql`queue_key = ${query.queue}` : sql`queue_key = any(array(select key from queues))`;
  const created = sql`created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz`;
  const knownChannels = sql`(${sql.join(ORIGIN_CHANNELS.map((c) => sql`${c}`), sql`, `)})`;

  // Counts: the rows of the range collapse first into a few thousand groups of (interval,
  // channel, clock verdicts), read by an index-only scan of tickets_report_idx; the figures are
  // sums over those groups. Equivalent to one count(*) filter per figure, at a fraction of the
  // per-row work. Met and breached exclude each other, so each clock is one small code.
  const countsQuery = sql`
      select b as bucket,
        sum(n)::int as created,
        sum(fr_stopped)::int as fr_answered,
        (sum(n) filter (where fr_waiting))::int as fr_waiting,
        (sum(n) filter (where fr = 1))::int as fr_met,
        (sum(n) filter (where fr = 2))::int as fr_breached,
        sum(res_stopped)::int as res_resolved,
        (sum(n) filter (where res_waiting))::int as res_waiting,
        (sum(n) filter (where res = 1))::int as res_met,
        (sum(n) filter (where res = 2))::int as res_breached,
        (sum(n) filter (where reopened))::int as reopened,
        (sum(n) filter (where fcr))::int as fcr,
        ${sql.join(
          ORIGIN_CHANNELS.map((channel) => sql`(sum(n) filter (where channel = ${channel}))::int as ${sql.identifier(`ch_${channel}`)}`),
          sql`, `,
        )},
        (sum(n) filter (where channel not in ${knownChannels}))::int as ch_other
      from (
        select width_bucket(created_at, ${bounds}) as b, origin_channel as channel,
          first_response_at is null as fr_waiting,
          case when first_response_at is not null and first_response_breached_at is null and first_response_due_at is not null then 1
               when first_response_breached_at is not null
                 or (first_response_at is null and sla_paused_at is null and first_response_due_at < ${now}::timestamptz) then 2
               else 0 end as fr,
          resolved_at is null and closed_at is null as res_waiting,
          case when resolved_at is not null and resolution_breached_at is null and resolution_due_at is not null then 1
               when resolution_breached_at is not null
                 or (resolved_at is null and closed_at is null and sla_paused_at is null and resolution_due_at < ${now}::timestamptz) then 2
               else 0 end as res,
          resolved_at is not null and reopen_count > 0 as reopened,
          resolved_at is not null and reopen_count = 0 and agent_replies <= 1 as fcr,
          count(*) as n, count(first_response_minutes) as fr_stopped, count(resolution_minutes) as res_stopped
        from tickets
        where ${inQueue} and ${created}
        group by 1, 2, 3, 4, 5, 6, 7, 8
      ) groups
      group by grouping sets ((b), ())`;
  // Percentiles need every value: per interval, one index range scan each (so no sort of the
  // whole range by interval), each sorting only its own rows; [p50, p90] from one sort per column.
  const intervalPercentiles = (first: number, last: number) => sql`
      select i as bucket, p.fr_pct, p.res_pct
      from (select ${bounds} as edges) e, generate_series(${first}::int, ${last}::int) as i,
      lateral (
        select percentile_cont(array[0.5, 0.9]) within group (order by first_response_minutes) as fr_pct,
               percentile_cont(array[0.5, 0.9]) within group (order by resolution_minutes) as res_pct
        from tickets
        where ${inQueue} and created_at >= e.edges[i] and created_at < e.edges[i + 1]
      ) p`;
  const totalPercentile = (column: 'first_response_minutes' | 'resolution_minutes') => sql`
      select percentile_cont(array[0.5, 0.9]) within group (order by ${sql.raw(column)}) as pct
      from tickets
      where ${inQueue} and ${created}`;
  // Done in the range: resolved (the last resolution), or closed without ever being resolved.
  // Two index-only ranges (queue, resolved_at) and (queue, closed_at).
  const doneQuery = sql`
      select bucket, sum(resolved)::int as resolved, sum(done)::int as done from (
        select width_bucket(resolved_at, ${bounds}) as bucket, count(*) as resolved, count(*) as done
        from tickets
        where ${inQueue} and resolved_at >= ${from}::timestamptz and resolved_at < ${to}::timestamptz
        group by 1
        union all
        select width_bucket(closed_at, ${bounds}) as bucket, 0 as resolved, count(*) as done
        from tickets
        where ${inQueue} and resolved_at is null and closed_at >= ${from}::timestamptz and closed_at < ${to}::timestamptz
        group by 1
      ) parts
      group by bucket`;
  // Open at `from`: open now, or done (resolved, or closed without resolving) at or after it.
  // Three index-friendly counts instead of one scan of every older ticket: the first is the
  // predicate of tickets_open_created_idx, word for word, so that small index answers it.
  const before = sql`created_at < ${from}::timestamptz`;
  const baseQuery = sql`
      select
        (select count(*) from tickets where ${inQueue} and ${before} and status not in ('resolved', 'closed'))
      + (select count(*) from tickets where ${inQueue} and ${before} and resolved_at >= ${from}::timestamptz)
      + (select count(*) from tickets where ${inQueue} and ${before} and status = 'closed' and resolved_at is null and closed_at >= ${from}::timestamptz)
      as open`;
  // The rollup (ticket_hours, per queue and UTC hour) answers the counts whenever every edge is
  // a whole hour: dates in any zone with a whole-hour offset. Otherwise (or asked not to) the
  // counts come from the tickets themselves, the same figures by a longer way.
  const hourAligned = edges.every((edge) => new Date(edge).getTime() % 3_600_000 === 0);
  const useRollup = (query.rollup ?? true) && hourAligned;
  const inQueueHours: SQL = query.queue ? sql`queue_key = ${query.queue} and` : sql``;
  const hours = sql`hour >= ${from}::timestamptz and hour < ${to}::timestamptz`;
  const rollupQuery = sql`
      select width_bucket(hour, ${bounds}) as bucket,
        sum(created)::int as created, sum(fr_stopped)::int as fr_answered, sum(fr_waiting)::int as fr_waiting,
        sum(fr_met)::int as fr_met, sum(fr_breached)::int as fr_breached,
        sum(res_stopped)::int as res_resolved, sum(res_waiting)::int as res_waiting,
        sum(res_met)::int as res_met, sum(res_breached)::int as res_breached,
        sum(reopened)::int as reopened, sum(fcr)::int as fcr,
        ${sql.join(
          [...ORIGIN_CHANNELS, 'other'].map((channel) => sql`sum(${sql.identifier(`ch_${channel}`)})::int as ${sql.identifier(`ch_${channel}`)}`),
          sql`, `,
        )},
        sum(resolved)::int as resolved, sum(done)::int as done
      from ticket_hours
      where ${inQueueHours} ${hours}
      group by grouping sets ((1), ())`;
  // What the rollup cannot hold: a running clock (not paused) is breached once past due, marked
  // breached or not yet; the rollup counts only the breaches of clocks not running (migration
  // 0025). Running clocks are read from tickets_clocks_running_idx alone, which names no
  // *_breached_at column (so the scanner's breach is a HOT update and changes no rollup count).
  // A running clock marked breached is always past due: a breach is recorded past the due time,
  // and a breached clock's due time never moves again.
  const lateQuery = sql`
      select width_bucket(created_at, ${bounds}) as bucket,
        (count(*) filter (where first_response_at is null and first_response_due_at < ${now}::timestamptz))::int as fr_late,
        (count(*) filter (where resolved_at is null and closed_at is null and resolution_due_at < ${now}::timestamptz))::int as res_late
      from tickets
      where ${inQueue} and ${created} and sla_paused_at is null
        and (first_response_at is null or (resolved_at is null and closed_at is null))
      group by grouping sets ((1), ())`;
  // Independent reads: on Postgres they run side by side on the pool's connections (the
  // percentiles split in halves, so both cores sort); PGlite runs them one after the other.
  const half = Math.ceil(starts.length / 2);
  const [countsResult, doneResult, earlyResult, lateResult, frResult, resResult, baseResult] = await Promise.all([
    read(db, useRollup ? rollupQuery : countsQuery),
    read(db, useRollup ? lateQuery : doneQuery),
    read(db, intervalPercentiles(1, half)),
    read(db, intervalPercentiles(half + 1, starts.length)),
    read(db, totalPercentile('first_response_minutes'), true),
    read(db, totalPercentile('resolution_minutes'), true),
    read(db, baseQuery),
  ]);
  const counts = resultRows<FactRow & { resolved?: number; done?: number }>(countsResult);
  let done: Array<{ bucket: number | string | null; resolved: number; done: number }>;
  if (useRollup) {
    done = counts.filter((row) => row.bucket !== null).map((row) => ({ bucket: row.bucket, resolved: Number(row.resolved ?? 0), done: Number(row.done ?? 0) }));
    const late = new Map(resultRows<{ bucket: number | string | null; fr_late: number; res_late: number }>(doneResult).map((row) => [row.bucket === null ? 'total' : String(Number(row.bucket)), row]));
    for (const row of counts) {
      const extra = late.get(row.bucket === null ? 'total' : String(Number(row.bucket)));
      if (!extra) continue;
      row.fr_breached = Number(row.fr_breached ?? 0) + Number(extra.fr_late);
      row.res_breached = Number(row.res_breached ?? 0) + Number(extra.res_late);
    }
  } else {
    done = resultRows<{ bucket: number | string; resolved: number; done: number }>(doneResult);
  }
  const percentiles = [...resultRows<PercentileRow>(earlyResult), ...resultRows<PercentileRow>(lateResult)];
  const [frTotal] = resultRows<{ pct: PercentileRow['fr_pct'] }>(frResult);
  const [resTotal] = resultRows<{ pct: PercentileRow['fr_pct'] }>(resResult);
  const [base] = resultRows<{ open: number }>(baseResult);
  const key = (bucket: number | string | null) => (bucket === null ? 'total' : String(Number(bucket)));
  const countBy = new Map(counts.map((row) => [key(row.bucket), row]));
  const percentileBy = new Map(percentiles.map((row) => [key(row.bucket), row]));
  percentileBy.set('total', { bucket: null, fr_pct: frTotal?.pct ?? null, res_pct: resTotal?.pct ?? null });
  const doneBy = new Map(done.map((row) => [key(row.bucket), row]));
  const channelsOf = (row: FactRow | undefined): Record<string, number> => {
    const out: Record<string, number> = {};
    if (!row) return out;
    for (const channel of [...ORIGIN_CHANNELS, 'other']) {
      const n = Number((row as unknown as Record<string, unknown>)[`ch_${channel}`] ?? 0);
      if (n > 0) out[channel] = n;
    }
    return out;
  };

  let backlog = Number(base?.open ?? 0);
  let resolvedTotal = 0;
  const items: OverviewItem[] = starts.map((start, index) => {
    const bucket = String(index + 1);
    const row = countBy.get(bucket);
    const closed = doneBy.get(bucket);
    const created = Number(row?.created ?? 0);
    backlog += created - Number(closed?.done ?? 0);
    resolvedTotal += Number(closed?.resolved ?? 0);
    const end = start.plus(query.interval === 'week' ? { weeks: 1 } : { days: 1 });
    return {
      start: start.toUTC().toISO()!,
      end: end.toUTC().toISO()!,
      label: start.toISODate()!,
      ...figures(row, percentileBy.get(bucket), channelsOf(row), Number(closed?.resolved ?? 0), backlog),
    };
  });
  return {
    from,
    to,
    queue: query.queue ?? null,
    interval: query.interval,
    timezone: tz,
    items,
    totals: figures(countBy.get('total'), percentileBy.get('total'), channelsOf(countBy.get('total')), resolvedTotal, backlog),
  };
}

/**
 * One report read. A sort of a whole range (the totals' percentiles) runs in a transaction of
 * its own with room to sort in memory: the default 4 MB spills a year of one queue to disk.
 */
async function read(db: Conn, query: SQL, sortsWholeRange = false): Promise<unknown> {
  // Already in a transaction (a caller's): read there, as it is.
  if (!sortsWholeRange || 'rollback' in db) return db.execute(query);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('work_mem', '64MB', true)`);
    return tx.execute(query);
  });
}

function figures(row: FactRow | undefined, pcts: PercentileRow | undefined, byChannel: Record<string, number>, resolved: number, backlog: number): OverviewFigures {
  const n = (value: unknown) => Number(value ?? 0);
  const created = n(row?.created);
  const frMet = n(row?.fr_met);
  const frBreached = n(row?.fr_breached);
  const resMet = n(row?.res_met);
  const resBreached = n(row?.res_breached);
  const resolvedOfCreated = n(row?.res_resolved);
  return {
    created,
    createdByChannel: byChannel,
    resolved,
    backlog,
    firstResponse: {
      p50: minutes(pctAt(pcts?.fr_pct, 0)),
      p90: minutes(pctAt(pcts?.fr_pct, 1)),
      stopped: n(row?.fr_answered),
      waiting: n(row?.fr_waiting),
      waitingPct: pct(n(row?.fr_waiting), created),
      metPct: pct(frMet, frMet + frBreached),
    },
    resolution: {
      p50: minutes(pctAt(pcts?.res_pct, 0)),
      p90: minutes(pctAt(pcts?.res_pct, 1)),
      stopped: resolvedOfCreated,
      waiting: n(row?.res_waiting),
      waitingPct: pct(n(row?.res_waiting), created),
      metPct: pct(resMet, resMet + resBreached),
    },
    slaMetPct: pct(frMet + resMet, frMet + frBreached + resMet + resBreached),
    reopenRate: pct(n(row?.reopened), resolvedOfCreated),
    firstContactResolution: pct(n(row?.fcr), resolvedOfCreated),
    satisfaction: null,
    deflection: null,
  };
}

/** Element `index` of a float8[] as the driver hands it back (an array, or '{1,2}' text). */
function pctAt(value: Array<number | null> | string | null | undefined, index: number): number | null {
  if (value === null || value === undefined) return null;
  const list = Array.isArray(value) ? value : value.replace(/[{}]/g, '').split(',').map((part) => (part === 'NULL' ? null : Number(part)));
  const item = list[index];
  return item === null || item === undefined || Number.isNaN(Number(item)) ? null : Number(item);
}

function minutes(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return Math.round(Number(value) * 10) / 10;
}

function pct(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}
