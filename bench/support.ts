import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import postgres from 'postgres';
import { createThrowawayDatabase, dropDatabase } from '../test/support/db.ts';

/** Shared helpers for the benchmarks: a throwaway Postgres database and percentiles. */
export const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function withThrowawayDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const url = await createThrowawayDatabase(baseUrl);
  try {
    return await run(url);
  } finally {
    await dropDatabase(baseUrl, url);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * pgbench TPC-B on the same database: the yardstick for "how fast is this Postgres". With the
 * server on this machine, also the CPU its backends spend per transaction (sampled from /proc over
 * the middle of the run, transactions from pg_stat_database).
 */
export async function pgbenchTps(url: string, clients: number, seconds: number): Promise<{ tps: number; backendUsPerTransaction: number | null }> {
  const u = new URL(url);
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const db = u.pathname.slice(1);
  execFileSync('pgbench', [...args, '-i', '-q', '-s', '1', db], { stdio: 'ignore' });
  const child = spawn('pgbench', [...args, '-c', String(clients), '-j', '2', '-T', String(seconds), db], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let backendUsPerTransaction: number | null = null;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sleep(Math.min(2000, (seconds * 1000) / 5));
    const backends = await backendCpu(url, 'pgbench');
    const commits = async () => Number((await admin`select xact_commit from pg_stat_database where datname = current_database()`)[0]!.xact_commit);
    const before = await commits();
    await sleep((seconds * 1000) / 2);
    const used = await backends.used();
    const transactions = (await commits()) - before;
    if (used !== null && transactions > 0) backendUsPerTransaction = used / transactions;
  } finally {
    await admin.end();
  }
  const code = await exited;
  const match = /tps = ([\d.]+)/.exec(out);
  if (code !== 0 || !match) throw new Error(`pgbench failed (exit ${code}); its output:\n${out}`);
  return { tps: Number(match[1]), backendUsPerTransaction };
}

/**
 * CPU time (µs) the Postgres backends of this database and application spend from now until
 * `used()`, read from /proc: null when the server is not on this machine. Without an application
 * name, every backend of the database (autovacuum's included) but the one that reads the pids.
 */
export async function backendCpu(url: string, applicationName?: string): Promise<{ used(): Promise<number | null> }> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const pids = async () =>
    (applicationName === undefined
      ? await admin`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`
      : await admin`select pid from pg_stat_activity where datname = current_database() and application_name = ${applicationName}`
    ).map((r) => Number(r.pid));
  const start = new Map<number, number>();
  try {
    for (const pid of await pids()) start.set(pid, processCpuUs(pid) ?? 0);
  } catch (error) {
    await admin.end();
    throw error;
  }
  // Backends' pids mean something here only when the server runs on this machine.
  const local = fs.existsSync('/proc/self/stat') && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  return {
    async used() {
      try {
        if (!local) return null;
        let total = 0;
        for (const pid of new Set([...start.keys(), ...(await pids())])) {
          const now = processCpuUs(pid);
          if (now === null) continue;
          total += now - (start.get(pid) ?? 0);
        }
        return total;
      } finally {
        await admin.end();
      }
    },
  };
}

/** utime + stime of a process in µs (Linux), null when it is not visible here. */
function processCpuUs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux we run on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** prom-client's eventLoopMonitoringPrecision default: the histogram's timer interval. */
export const LOOP_RESOLUTION_MS = 10;

/** The service's event-loop delay since the previous scrape, in ms (prom-client's monitorEventLoopDelay gauges). */
export async function eventLoopDelay(url: string): Promise<{ p50: number; p99: number; max: number }> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const gauge = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`/metrics has no ${name}`);
    return Number(line.slice(name.length + 1)) * 1000;
  };
  return { p50: gauge('nodejs_eventloop_lag_p50_seconds'), p99: gauge('nodejs_eventloop_lag_p99_seconds'), max: gauge('nodejs_eventloop_lag_max_seconds') };
}
