/**
 * npm run bench:reports — 1 000 000 tickets over two years with a weekly and a daily arrival
 * pattern (bulk SQL in real Postgres), then p95 of the overview report for one day, one month
 * and one year, the tickets CSV for one month, and the staffing forecast of each queue, with the
 * forecast's backtest error (MAPE at each open day's peak hour) on that synthetic history.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:reports
 *   BENCH_TICKETS=200000 BENCH_RUNS=10 npm run bench:reports
 *
 * Targets (issue "Analytics and staffing forecasts"): one-year overview < 1 s, everything else
 * < 300 ms; backtest MAPE < 15 % at the hourly peak.
 */
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { loadCatalogFile, syncCatalog, type Catalog } from '../src/core/catalog.ts';
import { queueForecast } from '../src/core/forecast.ts';
import { overviewReport } from '../src/core/report-overview.ts';
import { ticketCsvPages } from '../src/core/report-tickets.ts';
import { openDatabase, type Db } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { percentile, withThrowawayDatabase } from './support.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const END = new Date('2026-11-30T00:00:00Z'); // a Monday
const START = new Date(END.getTime() - 104 * 7 * 24 * 3_600_000);
// Weekly profile sum (see rates below): 5 weekdays × 19.3 + 2 weekend days × 2.9 ≈ 102.3 per unit of scale.
const SCALE = TICKETS / (104 * 102.3);

/** BENCH_REUSE_URL: load into (or reuse the tickets already in) that database and keep it, to study plans. */
async function withDatabase(run: (url: string) => Promise<void>) {
  const reuse = process.env.BENCH_REUSE_URL;
  return reuse ? run(reuse) : withThrowawayDatabase(run);
}

async function main() {
  await withDatabase(async (url) => {
    const database = await openDatabase({ url, max: 4 });
    await migrate(database);
    const catalog = loadCatalogFile(undefined);
    await syncCatalog(database.db, catalog);
    const db = database.db;
    const existing = ((await db.execute(sql`select count(*)::int as existing from tickets`)) as unknown as Array<{ existing: number }>)[0]?.existing ?? 0;
    const t = performance.now();
    if (!existing) await load(db);
    const n = ((await db.execute(sql`select count(*)::int as n from tickets`)) as unknown as Array<{ n: number }>)[0]?.n ?? 0;
    console.log(`${existing ? 'reused' : 'loaded'} ${n.toLocaleString('en')} tickets over 104 weeks in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await measure(db, catalog, url);
    await database.close();
  });
}

async function load(db: Db) {
    await db.execute(sql`insert into people (email) values ('bench@example.com')`);
    // A bulk load: the rollup triggers off for the insert, then the rollup rebuilt in one pass
    // (what an import does; one trigger call per row would only make the load slower).
    await db.execute(sql`alter table tickets disable trigger ticket_hours_insert_delete`);
    // Arrivals per hour: weekday mornings busiest, afternoons next, a trickle at night and at weekends,
    // in Madrid time; Poisson-like noise around the rate; facts drawn at random around realistic values.
    await db.execute(sql`
      insert into tickets (key, queue_key, number, type_key, title, status, priority, requester_id, origin_channel, created_at, updated_at,
                           first_response_due_at, first_response_at, first_response_breached_at, first_response_minutes,
                           resolution_due_at, resolved_at, resolution_breached_at, resolution_minutes, closed_at, reopen_count, agent_replies)
      select q || '-' || n, q, n, lower(q) || '-other', 'Bench ' || n,
             case when resolved then 'closed' else 'open' end, 'P3',
             (select id from people where email = 'bench@example.com'),
             (array['slack', 'teams', 'email', 'web', 'api'])[1 + (n % 5)],
             at, at,
             at + interval '4 hours', case when answered then at + fr * interval '1 minute' end,
             case when answered and fr > 240 then at + fr * interval '1 minute' end, case when answered then fr end,
             at + interval '3 days', case when resolved then at + res * interval '1 minute' end,
             case when resolved and res > 1440 then at + res * interval '1 minute' end, case when resolved then res end,
             case when resolved then at + res * interval '1 minute' end,
             case when n % 20 = 0 then 1 else 0 end, 1 + (n % 3)
      from (
        select q, row_number() over (partition by q order by at) as n, at,
               random() > 0.03 as answered, (5 + random() * 400)::real as fr,
               at < ${END.toISOString()}::timestamptz - interval '5 days' and random() > 0.05 as resolved, (60 + random() * 2400)::real as res
        from (
          select q, h + random() * interval '1 hour' as at
          from (
            select h, q, share * (case when dow <= 5 then 1 else 0.15 end)
                   * (case when hr between 9 and 12 then 2.2 when hr between 14 and 17 then 1.6 when hr between 7 and 19 then 0.6 else 0.1 end) * ${SCALE}::float8 as rate
            from (
              select h, extract(isodow from h at time zone 'Europe/Madrid') as dow, extract(hour from h at time zone 'Europe/Madrid') as hr
              from generate_series(${START.toISOString()}::timestamptz, ${END.toISOString()}::timestamptz - interval '1 hour', interval '1 hour') as h
            ) hours, (values ('IT', 0.5), ('HR', 0.3), ('FAC', 0.2)) as queues(q, share)
          ) rates, lateral generate_series(1, greatest(0, round(rate + (random() - 0.5) * 2 * sqrt(rate)))::int)
        ) arrivals
      ) numbered`);
    await db.execute(sql`alter table tickets enable trigger ticket_hours_insert_delete`);
    await db.execute(sql`select ticket_hours_rebuild()`);
    await db.execute(sql`vacuum analyze tickets`);
    await db.execute(sql`vacuum analyze ticket_hours`);
}

async function measure(db: Db, catalog: Catalog, url: string) {
    let t = performance.now();

    const madrid = 'Europe/Madrid';
    const day = DateTime.fromJSDate(END, { zone: madrid }).minus({ days: 3 }).startOf('day');
    const ranges = [
      { name: 'overview, one day (IT, by day)', from: day, to: day.plus({ days: 1 }), interval: 'day' as const },
      { name: 'overview, one month (IT, by day)', from: day.minus({ days: 30 }), to: day, interval: 'day' as const },
      { name: 'overview, one year (IT, by week)', from: day.minus({ days: 365 }), to: day, interval: 'week' as const },
      { name: 'overview, one year (every queue, by week)', from: day.minus({ days: 365 }), to: day, interval: 'week' as const, all: true },
    ];
    const lines: string[] = [];
    const time = async (name: string, run: () => Promise<unknown>) => {
      await run(); // warm
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        t = performance.now();
        await run();
        samples.push(performance.now() - t);
      }
      samples.sort((a, b) => a - b);
      lines.push(`${name.padEnd(46)} p50 ${percentile(samples, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(samples, 95).toFixed(0).padStart(5)} ms`);
    };
    for (const range of ranges) {
      await time(range.name, () => overviewReport(db, { from: range.from, to: range.to, interval: range.interval, queue: range.all ? undefined : 'IT', timezone: range.all ? 'UTC' : madrid, now: END }));
    }
    let csvRows = 0;
    await time('tickets.csv, one month (IT)', async () => {
      csvRows = 0;
      for await (const page of ticketCsvPages(db, { from: day.minus({ days: 30 }).toJSDate(), to: day.toJSDate(), queue: 'IT', now: END })) {
        csvRows += page.split('\r\n').length - 1;
      }
    });
    const mape: string[] = [];
    for (const queue of ['IT', 'HR', 'FAC']) {
      let result: Awaited<ReturnType<typeof queueForecast>> | undefined;
      await time(`forecast, next week (${queue})`, async () => {
        result = await queueForecast(db, catalog, { queue, from: END, weeks: 1, serviceLevel: 0.9 });
      });
      const peak = Math.max(...result!.items.map((i) => i.agentsNeeded));
      mape.push(`${queue}: backtest MAPE ${result!.backtest.mape}% over all hours with arrivals, ${result!.backtest.peakMape}% at each open day's peak hour; peak staffing ${peak} agents`);
    }
    console.log(`\n${lines.join('\n')}\n(tickets.csv month: ${csvRows.toLocaleString('en')} rows)\n\n${mape.join('\n')}`);
    console.log(`\nmachine: ${os.cpus().length} × ${os.cpus()[0]?.model}; Postgres at ${new URL(url).host}; ${RUNS} runs each`);
    console.log('reproduce: BENCH_TICKETS=1000000 BENCH_RUNS=10 npm run bench:reports');
}

await main();
