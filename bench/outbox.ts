/**
 * npm run bench:outbox — our outbox with a no-op adapter beside graphile-worker with 20 000 no-op
 * jobs in its batched configuration (the settings of its own perfTest/graphile.config.js:
 * 24 concurrent jobs, pool 25, localQueue 500 with a 10 ms refetch delay, completeJobBatchDelay
 * and failJobBatchDelay 0), on the same Postgres database, alternating runs. Each run also prints
 * what an item cost: CPU of the database's Postgres backends and of this process, and WAL bytes.
 *
 * The outbox runs as the service runs it with DELIVERY_MAX_BATCH=1000 (its setting for a replica
 * that mostly delivers): claims of 32 that double while they come back full, up to 1 000, four in
 * flight, sends recorded as they end. BENCH_BATCH and BENCH_MAX_BATCH set the first and largest claim.
 *
 *   BENCH_DELIVERIES=20000 BENCH_ROUNDS=3 BENCH_CONCURRENCY=4 npm run bench:outbox
 */
import { sql } from 'drizzle-orm';
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import postgres from 'postgres';
import { loadCatalogFile, syncCatalog } from '../src/core/catalog.ts';
import { createTicket } from '../src/core/tickets.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrate, resultRows } from '../src/db/migrate.ts';
import { logger } from '../src/logger.ts';
import type { OutboundAdapter } from '../src/outbox/adapter.ts';
import { DeliveryWorker } from '../src/outbox/worker.ts';
import { backendCpu, percentile, withThrowawayDatabase } from './support.ts';

const total = Number(process.env.BENCH_DELIVERIES ?? 20_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const batchSize = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined;
const maxBatchSize = Number(process.env.BENCH_MAX_BATCH ?? 1000);
// The worker's own default (DeliveryWorker concurrency 4): the bench measures what runs.
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const pool = Number(process.env.BENCH_POOL ?? 10);

/** Sends nothing: what is left is the outbox's own cost (claim, load, record). */
class NoopOutbound implements OutboundAdapter {
  readonly channel = 'noop';
  sent = 0;
  async send() {
    this.sent += 1;
    return { platformMessageId: null };
  }
}

const quiet = new Logger(() => (level: string, message: string) => {
  if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
});

/** What one run cost per item: Postgres CPU (this database's backends), this process's CPU, WAL. */
interface Cost {
  postgresUs: number | null;
  benchUs: number;
  walBytes: number;
}

async function waitFor(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 2));
}

await withThrowawayDatabase(async (url) => {
  const database = await openDatabase({ url, max: pool });
  await migrate(database);
  await syncCatalog(database.db, loadCatalogFile(undefined));
  const ctx = { db: database.db, now: () => new Date(), enabled: new Set<string>() };
  await Promise.all(Array.from({ length: 200 }, (_, i) => createTicket(ctx, { type: 'laptop', title: `Outbox ${i}`, requester: { email: 'bench@example.com' }, fields: { model: '13-inch' }, channel: 'api' })));
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const silent = logger.child({ component: 'bench' });
  silent.level = 'warn';

  /** Start measuring a run's costs; the returned function ends it (call it before the connections close). */
  async function measure(): Promise<() => Promise<Cost>> {
    const backends = await backendCpu(url);
    const [lsn] = await admin<{ at: string }[]>`select pg_current_wal_lsn()::text as at`;
    const cpu = process.cpuUsage();
    return async () => {
      const used = process.cpuUsage(cpu);
      const postgresUs = await backends.used();
      const [wal] = await admin<{ bytes: string }[]>`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${lsn!.at}::pg_lsn)::bigint::text as bytes`;
      return { postgresUs: postgresUs === null ? null : postgresUs / total, benchUs: (used.user + used.system) / total, walBytes: Number(wal!.bytes) / total };
    };
  }
  const costs = new Map<string, Cost[]>([
    ['outbox', []],
    ['graphile-worker', []],
  ]);
  const costLine = (c: Cost) => `Postgres ${c.postgresUs === null ? '?' : c.postgresUs.toFixed(0)} µs, bench process ${c.benchUs.toFixed(0)} µs, WAL ${c.walBytes.toFixed(0)} B per item`;

  async function outboxRun(): Promise<number> {
    await database.db.execute(sql`delete from deliveries`);
    // One lane per row, each row on one of the 200 tickets' events: fan-out the worker may send in parallel.
    await database.db.execute(sql`
      insert into deliveries (event_id, ticket_id, channel, audience, lane, status, next_attempt_at)
      select e.id, e.ticket_id, 'noop', 'integration', 'noop:integration:' || g, 'pending', now()
      from generate_series(1, ${total}) g
      join lateral (select id, ticket_id from ticket_events order by id offset (g % 200) limit 1) e on true`);
    await database.db.execute(sql`vacuum analyze deliveries`);
    const adapter = new NoopOutbound();
    const worker = new DeliveryWorker({ database, adapters: [adapter], batchSize, maxBatchSize, concurrency, pollMs: 1000, logger: silent });
    const finish = await measure();
    const started = performance.now();
    await worker.start();
    await waitFor(() => adapter.sent >= total);
    await worker.stop();
    const seconds = (performance.now() - started) / 1000;
    costs.get('outbox')!.push(await finish());
    const [row] = resultRows<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from deliveries where status = 'sent'`));
    if (row?.n !== total) throw new Error(`outbox: ${row?.n} of ${total} recorded sent`);
    return total / seconds;
  }

  async function graphileRun(): Promise<number> {
    // The jobs are added as its perfTest's init.js adds them: one add_jobs call.
    await admin`select 1 from graphile_worker.add_jobs(array(
      select json_populate_record(null::graphile_worker.job_spec, json_build_object('identifier', 'noop', 'payload', json_build_object('id', i)))
      from generate_series(1, ${total}) i))`;
    await admin`vacuum analyze graphile_worker._private_jobs`;
    let done = 0;
    const finish = await measure();
    const started = performance.now();
    const runner = await run({
      taskList: {
        noop: async () => {
          done += 1;
        },
      },
      noHandleSignals: true,
      logger: quiet,
      preset: {
        worker: {
          connectionString: url,
          concurrentJobs: 24,
          maxPoolSize: 25,
          localQueue: { size: 500, refetchDelay: { durationMs: 10 } },
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
        },
      },
    });
    await waitFor(() => done >= total);
    // Its last batch of completions is written after the last task returns: wait for the table to empty.
    for (;;) {
      const [left] = await admin<{ n: number }[]>`select count(*)::int as n from graphile_worker._private_jobs`;
      if (left?.n === 0) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    costs.get('graphile-worker')!.push(await finish());
    await runner.stop();
    const seconds = (performance.now() - started) / 1000;
    const [left] = await admin<{ n: number }[]>`select count(*)::int as n from graphile_worker._private_jobs`;
    if (left?.n !== 0) throw new Error(`graphile-worker: ${left?.n} jobs left`);
    return total / seconds;
  }

  // Install graphile-worker's schema outside the timing.
  const utils = await makeWorkerUtils({ connectionString: url, logger: quiet });
  await utils.migrate();
  await utils.release();

  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first so neither always gets the warmer cache.
    const order = round % 2 ? [outboxRun, graphileRun] : [graphileRun, outboxRun];
    for (const step of order) {
      const rate = await step();
      (step === outboxRun ? ours : theirs).push(rate);
      const name = step === outboxRun ? 'outbox' : 'graphile-worker';
      process.stdout.write(`  round ${round}: ${name.padEnd(15)} ${rate.toFixed(0)} /s; ${costLine(costs.get(name)!.at(-1)!)}\n`);
    }
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const p50 = (xs: number[]) => percentile(sorted(xs), 50);
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  process.stdout.write(`outbox (no-op adapter, claims of ${batchSize ?? 'the default 32'} doubling to ${maxBatchSize} while full, ${concurrency} batches in flight, pool ${pool}): p50 ${p50(ours).toFixed(0)} deliveries/s (${range(ours)})\n`);
  process.stdout.write(`graphile-worker 0.18 (perfTest settings, one process): p50 ${p50(theirs).toFixed(0)} jobs/s (${range(theirs)})\n`);
  // Per item, p50 of the rounds: CPU is what the machine's load leaves least noisy.
  for (const [name, list] of costs) {
    const pg = list.map((c) => c.postgresUs).filter((x): x is number => x !== null);
    const median: Cost = { postgresUs: pg.length ? p50(pg) : null, benchUs: p50(list.map((c) => c.benchUs)), walBytes: p50(list.map((c) => c.walBytes)) };
    process.stdout.write(`  ${name.padEnd(15)} cost: ${costLine(median)}\n`);
  }
  const ratios = ours.map((o, i) => o / theirs[i]!);
  process.stdout.write(`ratio outbox ÷ graphile-worker = ${(p50(ours) / p50(theirs)).toFixed(2)} (per round ${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 1.0)\n`);
  process.stdout.write(`reproduce: BENCH_DELIVERIES=${total} BENCH_ROUNDS=${rounds}${batchSize ? ` BENCH_BATCH=${batchSize}` : ''} BENCH_MAX_BATCH=${maxBatchSize} BENCH_CONCURRENCY=${concurrency} BENCH_POOL=${pool} npm run bench:outbox\n`);
  await admin.end();
  await database.close();
});
