/**
 * npm run bench:intake — N concurrent API ticket creations against real Postgres, then
 * pgbench TPC-B on the same database, and the ratio of the two.
 *   BENCH_TICKETS=3000 BENCH_CONCURRENCY=32 npm run bench:intake
 */
import { loadConfig } from '../src/config.ts';
import { startSwitchboard } from '../src/runtime.ts';
import { percentile, pgbenchTps, withThrowawayDatabase } from './support.ts';

const total = Number(process.env.BENCH_TICKETS ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);

await withThrowawayDatabase(async (url) => {
  const app = await startSwitchboard(loadConfig({ PORT: '0', DATABASE_URL: url, API_TOKENS: 'bench', WORKERS: 'off', LOG_LEVEL: 'silent' }));
  const latencies: number[] = [];
  let next = 0;
  const body = (i: number) =>
    JSON.stringify({ type: 'laptop', title: `Bench laptop ${i}`, requester: { email: `bench${i % 500}@example.com` }, fields: { model: '13-inch' } });
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const started = performance.now();
      const res = await fetch(`${app.url}/api/v1/tickets`, { method: 'POST', headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body: body(i) });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
    }
  };
  // Warm up connections and JIT.
  for (let i = 0; i < 50; i++) await fetch(`${app.url}/healthz`);
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await app.stop();
  latencies.sort((a, b) => a - b);
  const ticketsPerSecond = total / seconds;
  process.stdout.write(`intake: ${total} tickets, ${concurrency} concurrent clients, ${seconds.toFixed(2)} s\n`);
  process.stdout.write(`  tickets/s ${ticketsPerSecond.toFixed(0)}  p50 ${percentile(latencies, 50).toFixed(1)} ms  p99 ${percentile(latencies, 99).toFixed(1)} ms\n`);
  const tps = pgbenchTps(url, concurrency, 10);
  process.stdout.write(`  pgbench TPC-B (same database, ${concurrency} clients, 10 s): ${tps.toFixed(0)} tps\n`);
  process.stdout.write(`  ratio tickets/s ÷ pgbench tps = ${(ticketsPerSecond / tps).toFixed(2)} (target ≥ 0.5)\n`);
  process.stdout.write(`reproduce: BENCH_TICKETS=${total} BENCH_CONCURRENCY=${concurrency} npm run bench:intake\n`);
});
