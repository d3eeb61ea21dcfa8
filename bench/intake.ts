/**
 * npm run bench:intake — N concurrent API ticket creations against real Postgres, then
 * pgbench TPC-B on the same database, and the ratio of the two. With the server on this
 * machine it also splits the CPU: Node's per create, the Postgres backends' per create and per
 * TPC-B transaction (from /proc), which says what stops the ratio on a small machine.
 *   BENCH_TICKETS=3000 BENCH_CONCURRENCY=32 npm run bench:intake
 */
import os from 'node:os';
import { loadConfig } from '../src/config.ts';
import { startSwitchboard } from '../src/runtime.ts';
import { backendCpu, percentile, pgbenchTps, withThrowawayDatabase } from './support.ts';

const total = Number(process.env.BENCH_TICKETS ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const load = () => os.loadavg()[0]!.toFixed(2);

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
  const backends = await backendCpu(url, 'switchboard');
  const node = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const nodeCpu = process.cpuUsage(node);
  const postgresCpu = await backends.used();
  await app.stop();
  latencies.sort((a, b) => a - b);
  const ticketsPerSecond = total / seconds;
  process.stdout.write(`intake: ${total} tickets, ${concurrency} concurrent clients, ${seconds.toFixed(2)} s (1-min load average ${load()})\n`);
  process.stdout.write(`  tickets/s ${ticketsPerSecond.toFixed(0)}  p50 ${percentile(latencies, 50).toFixed(1)} ms  p99 ${percentile(latencies, 99).toFixed(1)} ms\n`);
  // Node's share includes this script's own HTTP client.
  const perCreate = (us: number) => `${(us / total).toFixed(0)} µs`;
  process.stdout.write(`  CPU per create: Node ${perCreate(nodeCpu.user + nodeCpu.system)} (server and client)  Postgres backends ${postgresCpu === null ? 'n/a (server not on this machine)' : perCreate(postgresCpu)}\n`);
  const tps = await pgbenchTps(url, concurrency, 10);
  process.stdout.write(
    `  pgbench TPC-B (same database, ${concurrency} clients, 10 s): ${tps.tps.toFixed(0)} tps${tps.backendUsPerTransaction === null ? '' : `, Postgres backends ${tps.backendUsPerTransaction.toFixed(0)} µs per transaction`} (load ${load()})\n`,
  );
  process.stdout.write(`  ratio tickets/s ÷ pgbench tps = ${(ticketsPerSecond / tps.tps).toFixed(2)} (target ≥ 0.5)\n`);
  process.stdout.write(`reproduce: BENCH_TICKETS=${total} BENCH_CONCURRENCY=${concurrency} npm run bench:intake\n`);
});
