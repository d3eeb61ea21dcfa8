import { raw } from 'hono/html';
import { DateTime } from 'luxon';
import { formatDuration } from '../../core/sla/business-time.ts';
import type { Forecast } from '../../core/forecast.ts';
import type { ChannelWait, HeatCell } from '../../core/report-breakdowns.ts';
import type { Overview } from '../../core/report-overview.ts';
import { SignedInBar } from './auth-views.tsx';
import { Layout } from './views/layout.tsx';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface ReportsView {
  queue: string;
  queueName: string;
  queues: Array<{ key: string; name: string }>;
  weeks: number;
  timezone: string;
  overview: Overview;
  heat: HeatCell[];
  openCells: Set<string>;
  waits: ChannelWait[];
  slaRows: Array<{ week: string; queue: string; metPct: number | null }>;
  charts: { weekly: string; heat: string; waits: string; sla: string; backlog: string };
}

const minutes = (value: number | null) => (value === null ? '—' : formatDuration(value));
const pct = (value: number | null) => (value === null ? '—' : `${value} %`);

function QueuePicker({ action, queue, queues, extra }: { action: string; queue: string; queues: Array<{ key: string; name: string }>; extra?: unknown }) {
  if (queues.length < 2 && !extra) return null;
  return (
    <form method="get" action={action} class="search">
      <label for="queue">Queue</label>
      <div class="search-row">
        <select id="queue" name="queue">
          {queues.map((q) => (
            <option value={q.key} selected={q.key === queue}>
              {q.name} ({q.key})
            </option>
          ))}
        </select>
        {extra}
        <button type="submit">Show</button>
      </div>
    </form>
  );
}

/** A chart and, beside it, the table holding the same numbers (for screen readers and print). */
function Figure({ id, title, svg, children }: { id: string; title: string; svg: string; children: unknown }) {
  return (
    <section class="report" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <figure class="chart" aria-hidden="true">
        {raw(svg)}
      </figure>
      <details class="data">
        <summary>The numbers</summary>
        {children}
      </details>
    </section>
  );
}

export function ReportsPage({ who, view }: { who: string; view: ReportsView }) {
  const { overview } = view;
  const t = overview.totals;
  const channels = [...new Set(overview.items.flatMap((item) => Object.keys(item.createdByChannel)))].sort();
  const heat = new Map(view.heat.map((cell) => [`${cell.weekday}:${cell.hour}`, cell.arrivals]));
  const closedDemand = view.heat.filter((cell) => !view.openCells.has(`${cell.weekday}:${cell.hour}`)).reduce((n, cell) => n + cell.arrivals, 0);
  return (
    <Layout title={`Reports · ${view.queueName}`}>
      <SignedInBar who={who} desk />
      <h1>{view.queueName}: the last {view.weeks} weeks</h1>
      <p class="lead">
        Weeks start on Monday in {view.timezone}. <a href={`/desk/forecast?queue=${view.queue}`}>Staffing forecast for next week</a>
      </p>
      <QueuePicker action="/desk/reports" queue={view.queue} queues={view.queues} />
      <dl class="kpis">
        <div><dt>Created</dt><dd>{t.created}</dd></div>
        <div><dt>Resolved</dt><dd>{t.resolved}</dd></div>
        <div><dt>Open now</dt><dd>{t.backlog}</dd></div>
        <div><dt>First reply, median</dt><dd>{minutes(t.firstResponse.p50)}</dd></div>
        <div><dt>First reply, 90 %</dt><dd>{minutes(t.firstResponse.p90)}</dd></div>
        <div><dt>Not answered yet</dt><dd>{t.firstResponse.waiting}</dd></div>
        <div><dt>SLA met</dt><dd>{pct(t.slaMetPct)}</dd></div>
        <div><dt>Reopened</dt><dd>{pct(t.reopenRate)}</dd></div>
        <div><dt>First-contact resolution</dt><dd>{pct(t.firstContactResolution)}</dd></div>
      </dl>

      <Figure id="weekly" title="Tickets per week, by channel" svg={view.charts.weekly}>
        <table>
          <caption>Tickets created per week and channel</caption>
          <thead><tr><th scope="col">Week</th>{channels.map((ch) => <th scope="col">{ch}</th>)}<th scope="col">All</th></tr></thead>
          <tbody>
            {overview.items.map((item) => (
              <tr><th scope="row">{item.label}</th>{channels.map((ch) => <td>{item.createdByChannel[ch] ?? 0}</td>)}<td>{item.created}</td></tr>
            ))}
          </tbody>
        </table>
      </Figure>

      <Figure id="heat" title="When people ask (outlined: opening hours)" svg={view.charts.heat}>
        <p>{closedDemand} of {t.created} requests arrived while the queue was closed.</p>
        <table class="heat">
          <caption>Tickets by weekday and hour ({view.timezone}); * = open hour</caption>
          <thead><tr><th scope="col">Day</th>{Array.from({ length: 24 }, (_, h) => <th scope="col">{h}</th>)}</tr></thead>
          <tbody>
            {WEEKDAYS.map((day, index) => (
              <tr>
                <th scope="row">{day}</th>
                {Array.from({ length: 24 }, (_, h) => (
                  <td>{`${heat.get(`${index + 1}:${h}`) ?? 0}${view.openCells.has(`${index + 1}:${h}`) ? '*' : ''}`}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Figure>

      <Figure id="waits" title="Time to first reply, by channel" svg={view.charts.waits}>
        <table>
          <caption>Business minutes to the first agent reply</caption>
          <thead><tr><th scope="col">Channel</th><th scope="col">Tickets</th><th scope="col">Median</th><th scope="col">90 %</th><th scope="col">Not answered yet</th></tr></thead>
          <tbody>
            {view.waits.map((w) => (
              <tr><th scope="row">{w.channel}</th><td>{w.tickets}</td><td>{minutes(w.p50)}</td><td>{minutes(w.p90)}</td><td>{w.unanswered}</td></tr>
            ))}
          </tbody>
        </table>
      </Figure>

      <Figure id="sla" title="SLA met, per week" svg={view.charts.sla}>
        <table>
          <caption>Share of SLA clocks met</caption>
          <thead><tr><th scope="col">Week</th><th scope="col">Queue</th><th scope="col">Met</th></tr></thead>
          <tbody>
            {view.slaRows.map((row) => (
              <tr><th scope="row">{row.week}</th><td>{row.queue}</td><td>{pct(row.metPct)}</td></tr>
            ))}
          </tbody>
        </table>
      </Figure>

      <Figure id="backlog" title="Backlog at the end of each week" svg={view.charts.backlog}>
        <table>
          <caption>Open tickets at the end of the week</caption>
          <thead><tr><th scope="col">Week</th><th scope="col">Open</th><th scope="col">Created</th><th scope="col">Resolved</th></tr></thead>
          <tbody>
            {overview.items.map((item) => (
              <tr><th scope="row">{item.label}</th><td>{item.backlog}</td><td>{item.created}</td><td>{item.resolved}</td></tr>
            ))}
          </tbody>
        </table>
      </Figure>
      <p class="muted">
        CSV of every ticket: <code>GET /api/v1/reports/tickets.csv?queue={view.queue}</code>
      </p>
    </Layout>
  );
}

export function ForecastPage(props: {
  who: string;
  queue: string;
  queueName: string;
  queues: Array<{ key: string; name: string }>;
  forecast: Forecast;
  charts: { arrivals: string; staffing: string };
}) {
  const { forecast } = props;
  const local = (iso: string) => DateTime.fromISO(iso, { zone: forecast.timezone }).toFormat('ccc d LLL HH:mm');
  const flagged = forecast.items.filter((item) => item.demandWhileClosed);
  const busiest = [...forecast.items].sort((a, b) => b.agentsNeeded - a.agentsNeeded || b.arrivals - a.arrivals).slice(0, 12);
  const level = Math.round(forecast.serviceLevel * 100);
  return (
    <Layout title={`Forecast · ${props.queueName}`}>
      <SignedInBar who={props.who} desk />
      <h1>{props.queueName}: next week</h1>
      <p class="lead">
        Expected requests per hour and the agents needed to answer {level} % of them within {formatDuration(forecast.targetMinutes)} (the first-response
        target), at {formatDuration(forecast.handlingTimeMinutes)} of work each (Erlang C). Times in {forecast.timezone}.
      </p>
      <QueuePicker action="/desk/forecast" queue={props.queue} queues={props.queues} />
      <p class="notice">
        {forecast.backtest.peakMape === null ? (
          <>How good is it? Not known yet: the history is too short to forecast its last 4 weeks from the weeks before them. </>
        ) : (
          <>
            How good is it? Forecasting the last 4 weeks from the weeks before them missed by <strong>{`${forecast.backtest.peakMape} %`}</strong> at each open
            day's busiest hour ({forecast.backtest.mape === null ? '—' : `${forecast.backtest.mape} %`} over every hour with requests).{' '}
          </>
        )}
        Model: {forecast.model}.
      </p>
      <Figure id="arrivals" title="Requests per hour (band: 80 % of weeks; grey: closed)" svg={props.charts.arrivals}>
        <table>
          <caption>Busiest hours of the week</caption>
          <thead><tr><th scope="col">Hour</th><th scope="col">Expected</th><th scope="col">80 % range</th><th scope="col">Agents needed</th><th scope="col">Open</th></tr></thead>
          <tbody>
            {busiest.map((item) => (
              <tr><th scope="row">{local(item.hour)}</th><td>{item.arrivals}</td><td>{`${item.low}–${item.high}`}</td><td>{item.agentsNeeded}</td><td>{item.open ? 'yes' : 'no'}</td></tr>
            ))}
          </tbody>
        </table>
      </Figure>
      <Figure id="staffing" title="Agents needed per hour" svg={props.charts.staffing}>
        <p>Peak: {Math.max(0, ...forecast.items.map((i) => i.agentsNeeded))} agents.</p>
      </Figure>
      <section aria-labelledby="closed">
        <h2 id="closed">Demand while closed</h2>
        {flagged.length ? (
          <>
            <p>{flagged.length} hours next week expect requests while the queue is closed; they wait for the next opening.</p>
            <ul>
              {flagged.slice(0, 24).map((item) => (
                <li>
                  {local(item.hour)}: about {item.arrivals} request{item.arrivals === 1 ? '' : 's'}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>No hour outside the opening hours expects requests.</p>
        )}
      </section>
    </Layout>
  );
}
