import type { Context, Hono } from 'hono';
import { DateTime } from 'luxon';
import { authOf } from '../../auth/index.ts';
import { DEFAULT_SERVICE_LEVEL, queueForecast } from '../../core/forecast.ts';
import { arrivalsByWeekdayHour, firstResponseByChannel } from '../../core/report-breakdowns.ts';
import { overviewReport } from '../../core/report-overview.ts';
import { queuesWorkedBy, roleOn } from '../../core/roles.ts';
import { calendarOf } from '../../core/sla/clocks.ts';
import type { Person } from '../../db/schema.ts';
import { arrivalsHeatmap, backlogOverTime, firstResponseByChannelChart, forecastChart, renderChart, slaMetOverTime, staffingChart, ticketsPerWeekByChannel } from './charts.ts';
import { DeskForbiddenPage } from './desk-views.tsx';
import { ForecastPage, ReportsPage, type ReportsView } from './desk-report-views.tsx';
import { render, type WebContext } from './render.tsx';

const QUEUE = /^[A-Z][A-Z0-9]{0,9}$/;

/** /desk/reports and /desk/forecast: charts for the leads of a queue and for admins. */
export function deskReportRoutes(app: Hono, web: WebContext): void {
  const { core, deps } = web;
  const auth = authOf(deps);
  const who = (p: Person) => p.name ?? p.email;

  /** Signed in, and a lead or admin of the asked queue (or of some queue when none is asked). */
  const leadGate = async (c: Context, here: string): Promise<{ ok: true; person: Person; queue: string; queues: string[] } | { ok: false; response: Response | Promise<Response> }> => {
    const signedIn = await auth.sessions.current(c);
    if (!signedIn) return { ok: false, response: c.redirect(`/login?next=${encodeURIComponent(here)}`, 303) };
    const { person } = signedIn;
    const led: string[] = [];
    for (const key of await queuesWorkedBy(core.db, person.id)) {
      const role = await roleOn(core.db, person.id, key);
      if (role === 'lead' || role === 'admin') led.push(key);
    }
    const asked = (c.req.query('queue') ?? '').toUpperCase();
    const queue = asked && QUEUE.test(asked) ? asked : led[0];
    if (!queue || !led.includes(queue) || !deps.catalog.queues[queue]) {
      return { ok: false, response: render(c, <DeskForbiddenPage who={who(person)} message="Reports and forecasts are for the leads of a queue and for admins." />, 403) };
    }
    return { ok: true, person, queue, queues: led };
  };

  app.get('/desk/reports', async (c) => {
    const gate = await leadGate(c, `/desk/reports${new URL(c.req.url).search}`);
    if (!gate.ok) return gate.response;
    const { queue, queues } = gate;
    const weeks = Math.min(Math.max(Number(c.req.query('weeks') ?? 12) || 12, 2), 52);
    const calendarDef = deps.catalog.calendars[deps.catalog.queues[queue]!.calendar];
    const cal = calendarOf(calendarDef);
    const now = core.now();
    const to = DateTime.fromJSDate(now, { zone: cal.timezone }).startOf('week').plus({ weeks: 1 });
    const from = to.minus({ weeks });
    const overview = await overviewReport(core.db, { from, to, queue, timezone: cal.timezone, interval: 'week', now });
    const perQueue = await Promise.all(
      queues.map(async (key) => {
        const zone = calendarOf(deps.catalog.calendars[deps.catalog.queues[key]!.calendar]).timezone;
        const report = key === queue ? overview : await overviewReport(core.db, { from, to, queue: key, timezone: zone, interval: 'week', now });
        return report.items.map((item) => ({ week: item.label, queue: key, metPct: item.slaMetPct }));
      }),
    );
    const heat = await arrivalsByWeekdayHour(core.db, { from: from.toJSDate(), to: to.toJSDate(), queue, timezone: cal.timezone });
    const open = openHours(cal.weekly);
    const waits = await firstResponseByChannel(core.db, { from: from.toJSDate(), to: to.toJSDate(), queue });
    const weekly = overview.items.flatMap((item) => Object.entries(item.createdByChannel).map(([channel, tickets]) => ({ week: item.label, channel, tickets })));
    const view: ReportsView = {
      queue,
      queueName: deps.catalog.queues[queue]!.name,
      queues: queues.map((key) => ({ key, name: deps.catalog.queues[key]!.name })),
      weeks,
      timezone: cal.timezone,
      overview,
      heat,
      openCells: new Set(open.map((o) => `${o.weekday}:${o.hour}`)),
      waits,
      slaRows: perQueue.flat(),
      charts: {
        weekly: await renderChart(ticketsPerWeekByChannel(weekly, overview.items.map((item) => item.label))),
        heat: await renderChart(arrivalsHeatmap(heat, open)),
        waits: await renderChart(firstResponseByChannelChart(waits)),
        sla: await renderChart(slaMetOverTime(perQueue.flat())),
        backlog: await renderChart(backlogOverTime(overview.items.map((item) => ({ week: item.label, backlog: item.backlog })))),
      },
    };
    return render(c, <ReportsPage who={who(gate.person)} view={view} />);
  });

  app.get('/desk/forecast', async (c) => {
    const gate = await leadGate(c, `/desk/forecast${new URL(c.req.url).search}`);
    if (!gate.ok) return gate.response;
    const { queue, queues } = gate;
    const level = Number(c.req.query('serviceLevel') ?? DEFAULT_SERVICE_LEVEL);
    const serviceLevel = level > 0 && level < 1 ? level : DEFAULT_SERVICE_LEVEL;
    const from = DateTime.fromJSDate(core.now()).toUTC().startOf('hour').plus({ hours: 1 });
    const forecast = await queueForecast(core.db, deps.catalog, { queue, from: from.toJSDate(), weeks: 1, serviceLevel });
    return render(
      c,
      <ForecastPage
        who={who(gate.person)}
        queue={queue}
        queueName={deps.catalog.queues[queue]!.name}
        queues={queues.map((key) => ({ key, name: deps.catalog.queues[key]!.name }))}
        forecast={forecast}
        charts={{ arrivals: await renderChart(forecastChart(forecast.items, forecast.timezone)), staffing: await renderChart(staffingChart(forecast.items, forecast.timezone)) }}
      />,
    );
  });
}

/** The weekday × hour cells the calendar is open in (any part of the hour). */
function openHours(weekly: ReadonlyArray<ReadonlyArray<{ start: number; end: number }>>): Array<{ weekday: number; hour: number }> {
  const cells: Array<{ weekday: number; hour: number }> = [];
  weekly.forEach((ranges, index) => {
    for (let hour = 0; hour < 24; hour++) {
      if (ranges.some((r) => r.start < (hour + 1) * 60 && r.end > hour * 60)) cells.push({ weekday: index + 1, hour });
    }
  });
  return cells;
}
