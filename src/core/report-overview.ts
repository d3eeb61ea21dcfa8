import { sql, type SQL } from 'drizzle-orm';
import type { DateTime } from 'luxon';
import type { Conn } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import { STATUSES } from './status.ts';

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
  /** Satisfaction and deflection arrive with their issues; null until then. */
  satisfaction: null;
  deflection: null;
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
  bucket: string | Date | null;
  created: number;
  /** [p50, p90]: one sort of the column for both (percentile_cont over an array of fractions). */
  fr_pct: Array<number | null> | string | null;
  fr_answered: number;
  fr_waiting: number;
  fr_met: number;
  fr_breached: number;
  res_pct: Array<number | null> | string | null;
  res_resolved: number;
  res_waiting: number;
  res_met: number;
  res_breached: number;
  reopened: number;
  fcr: number;
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
  const unit = sql.raw(`'${query.interval}'`);
  const tz = query.timezone;
  const from = query.from.toUTC().toISO()!;
  const to = query.to.toUTC().toISO()!;
  const now = query.now.toISOString();
  const inQueue: SQL = query.queue ? sql`and queue_key = ${query.queue}` : sql``;
  const knownChannels = sql`(${sql.join(ORIGIN_CHANNELS.map((c) => sql`${c}`), sql`, `)})`;
  const bucketOf = (column: string) => sql`date_trunc(${unit}, ${sql.raw(column)} at time zone ${tz})`;

  const factsQuery = db.execute(sql`
      select ${bucketOf('created_at')} as bucket,
        count(*)::int as created,
        percentile_cont(array[0.5, 0.9]) within group (order by first_response_minutes) as fr_pct,
        count(first_response_minutes)::int as fr_answered,
        (count(*) filter (where first_response_at is null))::int as fr_waiting,
        (count(*) filter (where first_response_at is not null and first_response_breached_at is null and first_response_due_at is not null))::int as fr_met,
        (count(*) filter (where first_response_breached_at is not null
          or (first_response_at is null and sla_paused_at is null and first_response_due_at < ${now}::timestamptz)))::int as fr_breached,
        percentile_cont(array[0.5, 0.9]) within group (order by resolution_minutes) as res_pct,
        count(resolution_minutes)::int as res_resolved,
        (count(*) filter (where resolved_at is null and closed_at is null))::int as res_waiting,
        (count(*) filter (where resolved_at is not null and resolution_breached_at is null and resolution_due_at is not null))::int as res_met,
        (count(*) filter (where resolution_breached_at is not null
          or (resolved_at is null and closed_at is null and sla_paused_at is null and resolution_due_at < ${now}::timestamptz)))::int as res_breached,
        (count(*) filter (where resolved_at is not null and reopen_count > 0))::int as reopened,
        (count(*) filter (where resolved_at is not null and reopen_count = 0 and agent_replies <= 1))::int as fcr,
        ${sql.join(
          ORIGIN_CHANNELS.map((channel) => sql`(count(*) filter (where origin_channel = ${channel}))::int as ${sql.identifier(`ch_${channel}`)}`),
          sql`, `,
        )},
        (count(*) filter (where origin_channel not in ${knownChannels}))::int as ch_other
      from tickets
      where created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz ${inQueue}
      group by grouping sets ((1), ())`);
  // Done in the range: resolved (the last resolution), or closed without ever being resolved.
  // Two index ranges (queue, resolved_at) and (queue, closed_at) instead of a scan of coalesce().
  const doneQuery = db.execute(sql`
      select bucket, sum(resolved)::int as resolved, sum(done)::int as done from (
        select ${bucketOf('resolved_at')} as bucket, count(*) as resolved, count(*) as done
        from tickets
        where resolved_at >= ${from}::timestamptz and resolved_at < ${to}::timestamptz ${inQueue}
        group by 1
        union all
        select ${bucketOf('closed_at')} as bucket, 0 as resolved, count(*) as done
        from tickets
        where resolved_at is null and closed_at >= ${from}::timestamptz and closed_at < ${to}::timestamptz ${inQueue}
        group by 1
      ) parts
      group by bucket`);
  // Open at `from`: open now, or done (resolved, or closed without resolving) at or after it.
  // Three index-friendly counts instead of one scan of every older ticket.
  // Listed, not "not in (resolved, closed)", so the (queue, status) index answers it.
  const openStatuses = sql`(${sql.join(STATUSES.filter((s) => s !== 'resolved' && s !== 'closed').map((s) => sql`${s}`), sql`, `)})`;
  const baseQuery = db.execute(sql`
      select
        (select count(*) from tickets where created_at < ${from}::timestamptz ${inQueue} and status in ${openStatuses})
      + (select count(*) from tickets where created_at < ${from}::timestamptz ${inQueue} and resolved_at >= ${from}::timestamptz)
      + (select count(*) from tickets where created_at < ${from}::timestamptz ${inQueue} and status = 'closed' and resolved_at is null and closed_at >= ${from}::timestamptz)
      as open`);
  // Independent reads: on Postgres they run side by side on the pool's connections.
  const [factsResult, doneResult, baseResult] = await Promise.all([factsQuery, doneQuery, baseQuery]);
  const facts = resultRows<FactRow>(factsResult);
  const done = resultRows<{ bucket: string | Date; resolved: number; done: number }>(doneResult);
  const [base] = resultRows<{ open: number }>(baseResult);
  const key = (bucket: string | Date | null) => (bucket === null ? 'total' : localKey(bucket));
  const factBy = new Map(facts.map((row) => [key(row.bucket), row]));
  const channelsOf = (row: FactRow | undefined): Record<string, number> => {
    const out: Record<string, number> = {};
    if (!row) return out;
    for (const channel of [...ORIGIN_CHANNELS, 'other']) {
      const n = Number((row as unknown as Record<string, unknown>)[`ch_${channel}`] ?? 0);
      if (n > 0) out[channel] = n;
    }
    return out;
  };
  const doneBy = new Map(done.map((row) => [key(row.bucket), row]));

  let backlog = Number(base?.open ?? 0);
  let resolvedTotal = 0;
  const items: OverviewItem[] = buckets(query).map((start) => {
    const label = start.toISODate()!;
    const row = factBy.get(label);
    const closed = doneBy.get(label);
    const created = Number(row?.created ?? 0);
    backlog += created - Number(closed?.done ?? 0);
    resolvedTotal += Number(closed?.resolved ?? 0);
    const end = start.plus(query.interval === 'week' ? { weeks: 1 } : { days: 1 });
    return {
      start: start.toUTC().toISO()!,
      end: end.toUTC().toISO()!,
      label,
      ...figures(row, channelsOf(row), Number(closed?.resolved ?? 0), backlog),
    };
  });
  return {
    from: query.from.toUTC().toISO()!,
    to: query.to.toUTC().toISO()!,
    queue: query.queue ?? null,
    interval: query.interval,
    timezone: tz,
    items,
    totals: figures(factBy.get('total'), channelsOf(factBy.get('total')), resolvedTotal, backlog),
  };
}

function figures(row: FactRow | undefined, byChannel: Record<string, number>, resolved: number, backlog: number): OverviewFigures {
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
      p50: minutes(pctAt(row?.fr_pct, 0)),
      p90: minutes(pctAt(row?.fr_pct, 1)),
      stopped: n(row?.fr_answered),
      waiting: n(row?.fr_waiting),
      waitingPct: pct(n(row?.fr_waiting), created),
      metPct: pct(frMet, frMet + frBreached),
    },
    resolution: {
      p50: minutes(pctAt(row?.res_pct, 0)),
      p90: minutes(pctAt(row?.res_pct, 1)),
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

/** A `timestamp without time zone` bucket (local wall time) as its yyyy-mm-dd. */
function localKey(bucket: string | Date): string {
  if (bucket instanceof Date) {
    // Drivers hand a zone-less timestamp back as if it were UTC: its UTC fields are the local ones.
    return bucket.toISOString().slice(0, 10);
  }
  return String(bucket).slice(0, 10);
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
