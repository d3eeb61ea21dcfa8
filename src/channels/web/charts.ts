import { DateTime } from 'luxon';
import type { TopLevelSpec } from 'vega-lite';

// Charts for leads, rendered on the server as SVG with Vega-Lite (compiled to Vega, rendered
// headless with renderer 'none' and toSVG): readable without JavaScript, printable, and each
// page puts the numbers in a table beside the picture for screen readers.

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const FONT = { font: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif' };
const CONFIG = {
  background: 'white',
  font: FONT.font,
  axis: { labelFontSize: 11, titleFontSize: 12, labelColor: '#333', titleColor: '#222' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: null },
};

/** One chart as an SVG string; `description` becomes its accessible name. */
export async function renderChart(spec: TopLevelSpec): Promise<string> {
  // Loaded with the first chart, not at start: Vega and Vega-Lite are ~100 modules (d3 and all),
  // about half a second and 60 MB that a desk which never opens a report does not need.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function ticketsPerWeekByChannel(rows: Array<{ week: string; channel: string; tickets: number }>, weeks: string[]): TopLevelSpec {
  return {
    description: 'Tickets created per week, stacked by the channel they came from',
    width: 640,
    height: 220,
    data: { values: rows },
    mark: { type: 'bar', tooltip: false },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'Week starting', axis: { labelAngle: -45 }, scale: { domain: weeks } },
      y: { field: 'tickets', type: 'quantitative', title: 'Tickets', stack: 'zero' },
      color: { field: 'channel', type: 'nominal', title: 'Channel', scale: { scheme: 'tableau10' } },
    },
  };
}

export function arrivalsHeatmap(cells: Array<{ weekday: number; hour: number; arrivals: number }>, open: Array<{ weekday: number; hour: number }>): TopLevelSpec {
  const day = (weekday: number) => WEEKDAYS[weekday - 1] ?? String(weekday);
  return {
    description: 'Arrivals by weekday and hour in the queue zone; outlined cells are opening hours',
    width: 640,
    height: 210,
    layer: [
      {
        data: { values: cells.map((c) => ({ day: day(c.weekday), hour: c.hour, arrivals: c.arrivals })) },
        mark: 'rect',
        encoding: {
          x: { field: 'hour', type: 'ordinal', title: 'Hour (queue time)' },
          y: { field: 'day', type: 'ordinal', title: null, sort: WEEKDAYS },
          color: { field: 'arrivals', type: 'quantitative', title: 'Tickets', scale: { scheme: 'oranges' } },
        },
      },
      {
        data: { values: open.map((o) => ({ day: day(o.weekday), hour: o.hour })) },
        mark: { type: 'rect', fill: null, stroke: '#1f3a93', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'hour', type: 'ordinal' },
          y: { field: 'day', type: 'ordinal', sort: WEEKDAYS },
        },
      },
    ],
  };
}

export function firstResponseByChannelChart(rows: Array<{ channel: string; p50: number | null; p90: number | null }>): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { channel: r.channel, measure: 'p50', minutes: r.p50 ?? 0 },
    { channel: r.channel, measure: 'p90', minutes: r.p90 ?? 0 },
  ]);
  return {
    description: 'Business minutes to the first reply by channel, median and 90th percentile',
    width: 320,
    height: 200,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'channel', type: 'nominal', title: 'Channel' },
      xOffset: { field: 'measure' },
      y: { field: 'minutes', type: 'quantitative', title: 'Business minutes' },
      color: { field: 'measure', type: 'nominal', title: null, scale: { range: ['#4e79a7', '#f28e2b'] } },
    },
  };
}

export function slaMetOverTime(rows: Array<{ week: string; queue: string; metPct: number | null }>): TopLevelSpec {
  return {
    description: 'Share of SLA clocks met per week and queue',
    width: 320,
    height: 200,
    data: { values: rows.filter((r) => r.metPct !== null) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'Week starting', axis: { labelAngle: -45 } },
      y: { field: 'metPct', type: 'quantitative', title: 'SLA met %', scale: { domain: [0, 100] } },
      color: { field: 'queue', type: 'nominal', title: 'Queue' },
    },
  };
}

export function backlogOverTime(rows: Array<{ week: string; backlog: number }>): TopLevelSpec {
  return {
    description: 'Open tickets at the end of each week',
    width: 640,
    height: 180,
    data: { values: rows },
    mark: { type: 'area', line: true, opacity: 0.35 },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'Week starting', axis: { labelAngle: -45 } },
      y: { field: 'backlog', type: 'quantitative', title: 'Open tickets' },
    },
  };
}

/**
 * Hours as the queue's wall clock: Vega formats time in the server's zone, so each hour is
 * passed as its local time written as if it were UTC, and the axes use a UTC scale.
 */
function wallClock(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat("yyyy-LL-dd'T'HH:mm:ss'Z'");
}
const HOUR_AXIS = { title: null, format: '%a %H:%M', labelAngle: -30 } as const;

export function forecastChart(rows: Array<{ hour: string; arrivals: number; low: number; high: number; open: boolean }>, zone: string): TopLevelSpec {
  const values = rows.map((r) => ({ ...r, hour: wallClock(r.hour, zone), next: wallClock(DateTime.fromISO(r.hour).plus({ hours: 1 }).toISO()!, zone) }));
  return {
    description: 'Expected tickets per hour with the 80 percent interval; shaded hours are closed',
    width: 680,
    height: 200,
    data: { values },
    layer: [
      {
        mark: { type: 'rect', color: '#e8e8e8' },
        transform: [{ filter: '!datum.open' }],
        encoding: { x: { field: 'hour', type: 'temporal', scale: { type: 'utc' } }, x2: { field: 'next' } },
      },
      {
        mark: { type: 'area', opacity: 0.3, color: '#4e79a7' },
        encoding: { x: { field: 'hour', type: 'temporal', scale: { type: 'utc' }, axis: HOUR_AXIS }, y: { field: 'low', type: 'quantitative', title: 'Tickets per hour' }, y2: { field: 'high' } },
      },
      { mark: { type: 'line', color: '#1f3a93' }, encoding: { x: { field: 'hour', type: 'temporal', scale: { type: 'utc' } }, y: { field: 'arrivals', type: 'quantitative' } } },
    ],
  };
}

export function staffingChart(rows: Array<{ hour: string; agentsNeeded: number; open: boolean }>, zone: string): TopLevelSpec {
  return {
    description: 'Agents needed per hour by Erlang C; orange bars are hours with demand while the queue is closed',
    width: 680,
    height: 160,
    data: { values: rows.map((r) => ({ ...r, hour: wallClock(r.hour, zone), when: r.open ? 'open' : 'closed' })) },
    mark: 'bar',
    encoding: {
      x: { field: 'hour', type: 'temporal', scale: { type: 'utc' }, axis: HOUR_AXIS },
      y: { field: 'agentsNeeded', type: 'quantitative', title: 'Agents needed' },
      color: { field: 'when', type: 'nominal', title: 'Queue', scale: { domain: ['open', 'closed'], range: ['#4e79a7', '#f28e2b'] } },
    },
  };
}
