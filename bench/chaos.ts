/**
 * npm run bench:chaos — faults from outside, with default settings, each printing what clients saw:
 *   kill     kill -9 the service three times under BENCH_TICKETS creates, a webhook subscriber on
 *   postgres a Postgres restart (pg_ctl restart -m fast) and a 5 s stop mid-load, on a throwaway
 *            cluster of its own (never the shared one on 5432)
 *   webhook  the webhook receiver answers 500 for 30 s, then 429 for 10 s, then recovers
 * The service runs as `src/main.ts` in a child process, as in production. Clients retry 503s and
 * dropped connections with the same Idempotency-Key, as the API documents.
 *   BENCH_SCENARIOS=kill,postgres,webhook BENCH_TICKETS=1000 BENCH_CONCURRENCY=16 npm run bench:chaos
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from '../test/support/net.ts';
import { startThrowawayCluster } from '../test/support/pg-cluster.ts';
import { withThrowawayDatabase } from './support.ts';

const scenarios = (process.env.BENCH_SCENARIOS ?? 'kill,postgres,webhook').split(',').map((s) => s.trim());
const total = Number(process.env.BENCH_TICKETS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const webhookTickets = Number(process.env.BENCH_WEBHOOK_TICKETS ?? 300);
const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The service in a child process

interface App {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Uncaught-error lines the stray-error guard logged. */
  strayErrors: () => number;
  killedByUs: boolean;
}

function spawnApp(env: Record<string, string>): App {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', API_TOKENS: 'bench', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stray = 0;
  const scan = (d: Buffer) => (stray += (d.toString().match(/uncaught error/g) ?? []).length);
  child.stdout!.on('data', scan);
  child.stderr!.on('data', (d: Buffer) => {
    scan(d);
    if (process.env.BENCH_VERBOSE) process.stderr.write(d);
  });
  const app: App = { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))), strayErrors: () => stray, killedByUs: false };
  return app;
}

async function waitReady(url: string, app: App, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`the service exited (${app.child.exitCode}) while starting`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

// ---------------------------------------------------------------------------------------------
// Clients

interface Load {
  attempts: number;
  failures: Map<string, number>;
  accepted: Map<string, string>;
  /** Time of every 201, for recovery times. */
  okAt: number[];
  /** Latency of each 503 (the bounded wait). */
  unavailableMs: number[];
  done: Promise<void>;
  progress: () => number;
}

function startLoad(url: string, count: number, tag: string): Load {
  const load: Omit<Load, 'done' | 'progress'> = { attempts: 0, failures: new Map(), accepted: new Map(), okAt: [], unavailableMs: [] };
  const fail = (what: string) => load.failures.set(what, (load.failures.get(what) ?? 0) + 1);
  let next = 0;
  const client = async () => {
    while (next < count) {
      const i = next++;
      const title = `Chaos ${tag} ${i}`;
      for (let tries = 0; tries < 200; tries++) {
        load.attempts += 1;
        const started = performance.now();
        let status: number;
        let retryAfter: string | null = null;
        let key: string | undefined;
        try {
          const res = await fetch(`${url}/api/v1/tickets`, {
            method: 'POST',
            headers: { authorization: 'Bearer bench', 'content-type': 'application/json', 'idempotency-key': `${tag}-${i}` },
            body: JSON.stringify({ type: 'laptop', title, requester: { email: `chaos${i % 50}@example.com` }, fields: { model: '13-inch' } }),
            signal: AbortSignal.timeout(30_000),
          });
          status = res.status;
          retryAfter = res.headers.get('retry-after');
          key = ((await res.json()) as { key?: string }).key;
        } catch (error) {
          fail(`network (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`);
          await sleep(200);
          continue;
        }
        if (status === 201) {
          load.accepted.set(title, key!);
          load.okAt.push(Date.now());
          break;
        }
        fail(String(status));
        if (status === 503) {
          load.unavailableMs.push(performance.now() - started);
          await sleep(Math.min(1_000, Number(retryAfter ?? 1) * 1000));
          continue;
        }
        if (status >= 500) {
          await sleep(200);
          continue;
        }
        break; // a 4xx is final
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, client)).then(() => undefined);
  // The same object the clients count into (a spread would freeze `attempts` at 0).
  return Object.assign(load, { done, progress: () => load.accepted.size });
}

// ---------------------------------------------------------------------------------------------
// A webhook receiver in this process: counts deliveries by webhook-id, answers from a schedule

function startReceiver(answer: () => { status: number; headers?: Record<string, string> }) {
  const seen = new Map<string, number>();
  const keys = new Map<string, number>(); // ticket key -> first 2xx time
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { status, headers } = answer();
      if (status < 300) {
        const id = String(req.headers['webhook-id']);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        try {
          const key = (JSON.parse(Buffer.concat(chunks).toString()) as { data: { ticket: { key: string } } }).data.ticket.key;
          if (!keys.has(key)) keys.set(key, Date.now());
        } catch {
          // not ours
        }
      }
      res.writeHead(status, headers ?? {}).end();
    });
  });
  return new Promise<{ url: string; keys: Map<string, number>; duplicates: () => number; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
        keys,
        duplicates: () => [...seen.values()].reduce((sum, n) => sum + n - 1, 0),
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

async function subscribe(url: string, hook: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/webhooks`, { method: 'POST', headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body: JSON.stringify({ url: hook, events: ['created'] }) });
  if (res.status !== 201) throw new Error(`webhook subscription answered ${res.status}: ${await res.text()}`);
}

// ---------------------------------------------------------------------------------------------
// Figures

interface Figures {
  name: string;
  load: Load;
  databaseUrl: string;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  requests: number;
  exits: () => number;
  strayErrors: () => number;
  recover: () => string;
  reproduce: string;
  deliveryTimeoutMs: number;
}

async function report(f: Figures): Promise<void> {
  const sql = postgres(f.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<Array<{ key: string; title: string }>>`select key, title from tickets where title like 'Chaos %'`;
    const titles = new Map<string, number>();
    for (const r of rows) titles.set(r.title, (titles.get(r.title) ?? 0) + 1);
    const duplicates = [...titles.values()].filter((n) => n > 1).length;
    const lost = [...f.load.accepted.keys()].filter((t) => !titles.has(t)).length;
    const deadline = Date.now() + f.deliveryTimeoutMs;
    while (rows.some((r) => !f.receiver.keys.has(r.key)) && Date.now() < deadline) await sleep(250);
    const lostDeliveries = rows.filter((r) => !f.receiver.keys.has(r.key)).length;
    const [dead] = await sql<Array<{ n: number }>>`select count(*)::int as n from deliveries where status = 'dead'`;
    const failures = Object.fromEntries([...f.load.failures.entries()].sort());
    const maxUnavailable = f.load.unavailableMs.length ? `${Math.max(...f.load.unavailableMs).toFixed(0)} ms` : 'n/a';
    process.stdout.write(`chaos ${f.name}\n`);
    process.stdout.write(`  requests ${f.requests} (${f.load.attempts} HTTP attempts); client-visible failures by status ${JSON.stringify(failures)}; slowest 503 ${maxUnavailable}\n`);
    process.stdout.write(`  tickets ${rows.length}, accepted ${f.load.accepted.size}, duplicates ${duplicates}, lost requests ${lost}\n`);
    process.stdout.write(`  lost deliveries ${lostDeliveries}, repeated deliveries (same webhook-id) ${f.receiver.duplicates()}, dead letters ${dead?.n ?? 0}\n`);
    process.stdout.write(`  process exits we did not cause ${f.exits()}, uncaught errors logged ${f.strayErrors()}\n`);
    process.stdout.write(`  time to recover ${f.recover()}\n`);
    process.stdout.write(`  reproduce: ${f.reproduce}\n`);
  } finally {
    await sql.end();
  }
}

const firstOkAfter = (load: Load, at: number) => {
  const ok = load.okAt.filter((t) => t >= at);
  return ok.length ? Math.min(...ok) - at : NaN;
};
const seconds = (ms: number) => (Number.isNaN(ms) ? 'never' : `${(ms / 1000).toFixed(1)} s`);

// ---------------------------------------------------------------------------------------------
// Scenarios

async function killScenario(): Promise<void> {
  await withThrowawayDatabase(async (databaseUrl) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: databaseUrl, PORT: String(port) };
    const receiver = await startReceiver(() => ({ status: 204 }));
    let app = spawnApp(env);
    await waitReady(url, app);
    await subscribe(url, receiver.url);
    let exits = 0;
    let stray = 0;
    const watch = (a: App) =>
      void a.exited.then(() => {
        if (!a.killedByUs) exits += 1;
      });
    watch(app);
    const load = startLoad(url, total, `kill-${Date.now().toString(36)}`);
    const recoveries: number[] = [];
    for (const share of [0.25, 0.5, 0.75]) {
      while (load.progress() < total * share) await sleep(20);
      app.killedByUs = true;
      stray += app.strayErrors();
      app.child.kill('SIGKILL');
      await app.exited;
      const killedAt = Date.now();
      app = spawnApp(env);
      watch(app);
      await waitReady(url, app);
      while (Number.isNaN(firstOkAfter(load, killedAt))) await sleep(20);
      recoveries.push(firstOkAfter(load, killedAt));
    }
    await load.done;
    await report({
      name: `kill -9 ×3 under ${total} creates (Postgres, webhook subscriber)`,
      load,
      databaseUrl,
      receiver,
      requests: total,
      exits: () => exits,
      strayErrors: () => stray + app.strayErrors(),
      recover: () => `${recoveries.map(seconds).join(', ')} (kill → first 201 on the restarted process, start-up included)`,
      reproduce: `BENCH_SCENARIOS=kill BENCH_TICKETS=${total} BENCH_CONCURRENCY=${concurrency} npm run bench:chaos`,
      deliveryTimeoutMs: 60_000,
    });
    app.killedByUs = true;
    app.child.kill('SIGTERM');
    await app.exited;
    await receiver.close();
  });
}

async function postgresScenario(): Promise<void> {
  const cluster = await startThrowawayCluster();
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const receiver = await startReceiver(() => ({ status: 204 }));
    const app = spawnApp({ DATABASE_URL: cluster.url, PORT: String(port) });
    let exits = 0;
    void app.exited.then(() => {
      if (!app.killedByUs) exits += 1;
    });
    await waitReady(url, app);
    await subscribe(url, receiver.url);
    const load = startLoad(url, total, `pg-${Date.now().toString(36)}`);
    while (load.progress() < total * 0.3) await sleep(20);
    const restartAt = Date.now();
    cluster.restart('fast');
    const restartedAt = Date.now();
    while (load.progress() < total * 0.6) await sleep(20);
    cluster.stop('fast');
    await sleep(5_000);
    cluster.start();
    const backAt = Date.now();
    await load.done;
    await report({
      name: `Postgres restart (-m fast, ${restartedAt - restartAt} ms) and a 5 s stop under ${total} creates (throwaway cluster)`,
      load,
      databaseUrl: cluster.url,
      receiver,
      requests: total,
      exits: () => exits,
      strayErrors: () => app.strayErrors(),
      recover: () => `${seconds(firstOkAfter(load, restartedAt))} after the restart, ${seconds(firstOkAfter(load, backAt))} after the stopped server was started again (→ first 201)`,
      reproduce: `BENCH_SCENARIOS=postgres BENCH_TICKETS=${total} BENCH_CONCURRENCY=${concurrency} npm run bench:chaos`,
      deliveryTimeoutMs: 60_000,
    });
    app.killedByUs = true;
    app.child.kill('SIGTERM');
    await app.exited;
    await receiver.close();
  } finally {
    cluster.destroy();
  }
}

async function webhookScenario(): Promise<void> {
  await withThrowawayDatabase(async (databaseUrl) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let failingSince = Infinity;
    const receiver = await startReceiver(() => {
      const t = Date.now() - failingSince;
      if (t >= 0 && t < 30_000) return { status: 500 };
      if (t >= 30_000 && t < 40_000) return { status: 429, headers: { 'retry-after': '2' } };
      return { status: 204 };
    });
    const app = spawnApp({ DATABASE_URL: databaseUrl, PORT: String(port) });
    let exits = 0;
    void app.exited.then(() => {
      if (!app.killedByUs) exits += 1;
    });
    await waitReady(url, app);
    await subscribe(url, receiver.url);
    failingSince = Date.now();
    const healthyAt = failingSince + 40_000;
    const load = startLoad(url, webhookTickets, `hook-${Date.now().toString(36)}`);
    await load.done;
    await report({
      name: `webhook receiver 500 for 30 s, then 429 (Retry-After: 2) for 10 s; ${webhookTickets} tickets filed as it starts failing; default DELIVERY_* settings`,
      load,
      databaseUrl,
      receiver,
      requests: webhookTickets,
      exits: () => exits,
      strayErrors: () => app.strayErrors(),
      recover: () => `${seconds(Math.max(...receiver.keys.values()) - healthyAt)} from the receiver answering 2xx again to the last delivery (backoff with full jitter, capped at 5 min)`,
      reproduce: `BENCH_SCENARIOS=webhook BENCH_WEBHOOK_TICKETS=${webhookTickets} npm run bench:chaos`,
      // The backoff is capped at 5 min (DELIVERY_MAX_BACKOFF): allow that after the receiver is back.
      deliveryTimeoutMs: 40_000 + 6 * 60_000,
    });
    app.killedByUs = true;
    app.child.kill('SIGTERM');
    await app.exited;
    await receiver.close();
  });
}

const runs: Record<string, () => Promise<void>> = { kill: killScenario, postgres: postgresScenario, webhook: webhookScenario };
for (const name of scenarios) {
  const run = runs[name];
  if (!run) throw new Error(`unknown scenario ${name}; pick from ${Object.keys(runs).join(', ')}`);
  await run();
}
