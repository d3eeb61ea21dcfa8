import { execFileSync } from 'node:child_process';
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

/** pgbench TPC-B on the same database: the yardstick for "how fast is this Postgres". */
export function pgbenchTps(url: string, clients: number, seconds: number): number {
  const u = new URL(url);
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const db = u.pathname.slice(1);
  execFileSync('pgbench', [...args, '-i', '-q', '-s', '1', db], { stdio: 'ignore' });
  const out = execFileSync('pgbench', [...args, '-c', String(clients), '-j', '2', '-T', String(seconds), db], { encoding: 'utf8' });
  const match = /tps = ([\d.]+)/.exec(out);
  if (!match) throw new Error(`could not read pgbench output:\n${out}`);
  return Number(match[1]);
}
