import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpSink } from '../support/http-sink.ts';
import { freePort } from '../support/net.ts';
import { postgresBinDir, startThrowawayCluster, type ThrowawayCluster } from '../support/pg-cluster.ts';

/**
 * A real Postgres goes away under load: restarted (pg_ctl restart -m fast), then stopped for a
 * few seconds and started again. It is a throwaway cluster of this test's own (initdb into a temp
 * dir, random port): the shared cluster on 5432 serves other tests at the same time.
 */
const root = path.resolve(import.meta.dirname, '../..');
const bin = postgresBinDir();
if (!bin) {
  if (process.env.CI) throw new Error('CI must have the Postgres server binaries (initdb, pg_ctl) for the outage test');
  console.warn('SKIPPED test/db/postgres-outage.test.ts: no initdb/pg_ctl under /usr/lib/postgresql/*/bin (set PG_BIN)');
}

let cluster: ThrowawayCluster;
let child: ChildProcess;
let stdout = '';
let appUrl: string;
const sink = await startHttpSink();

beforeAll(async () => {
  if (!bin) return;
  cluster = await startThrowawayCluster();
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: cluster.url, PORT: String(port), API_TOKENS: 'tok', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stdout += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${appUrl}/readyz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`switchboard did not start:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  child?.kill('SIGKILL');
  cluster?.destroy();
  await sink.close();
});

const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${appUrl}/api/v1${route}`, { method: 'POST', headers: { authorization: 'Bearer tok', 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// README ("Database away"): every request answers 503 with Retry-After: 2 "within about 2 s",
// never a 500 or a long wait. Speed is a benchmark, not a timed test (`npm run bench:chaos`
// reports the slowest 503 and the time to recover), so what this proves is behaviour: every
// client is answered (503) while Postgres is still stopped, so none waits the outage out; the
// only clock is that README promise, with room for a loaded machine (PROMISED_MS + SLACK_MS).
// It used to require each 503 within 2 s flat and the first 201 within 5 s of the restart.
const PROMISED_MS = 2_000;
const SLACK_MS = 3_000;

describe.skipIf(!bin)('Postgres restart and outage under load', () => {
  it('answers 503 + Retry-After (never 500) to every client while Postgres is away, stores every accepted request once, and delivers after recovery', async () => {
    expect((await post('/webhooks', { url: sink.url, events: ['created'] })).status).toBe(201);

    const answers: Array<{ client: number; status: number; ms: number; retryAfter: string | null; at: number }> = [];
    const accepted = new Map<string, string>(); // title -> ticket key
    const failures: string[] = [];
    let next = 0;
    let loading = true;
    // Clients that retry a 503 with the same Idempotency-Key, as the API documents.
    const client = async (_: unknown, n: number) => {
      while (loading) {
        const i = next++;
        const title = `Outage ${i}`;
        for (;;) {
          const started = performance.now();
          let res: Response;
          try {
            res = await post('/tickets', { type: 'laptop', title, requester: { email: `u${i % 7}@example.com` }, fields: { model: '13-inch' } }, { 'idempotency-key': `outage-${i}` });
          } catch (error) {
            failures.push(`request ${i}: ${String(error)}`);
            break;
          }
          const body = (await res.json()) as { key?: string };
          answers.push({ client: n, status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after'), at: Date.now() });
          if (res.status === 201) {
            accepted.set(title, body.key!);
            break;
          }
          if (res.status !== 503) {
            failures.push(`request ${i}: ${res.status} ${JSON.stringify(body)}`);
            break;
          }
          await sleep(200);
        }
      }
    };
    const clients = Array.from({ length: 6 }, client);

    await sleep(1_500);
    cluster.restart('fast');
    await sleep(1_000);
    cluster.stop('fast');
    const stoppedAt = Date.now();
    await sleep(500);
    const readyz = await fetch(`${appUrl}/readyz`);
    expect(readyz.status).toBe(503);
    expect(((await readyz.json()) as { reason: string }).reason).toMatch(/^database unreachable: /);
    await sleep(2_000);
    cluster.start();
    const startedAt = Date.now();
    // It resumes by itself, in the same process (README: the pool reconnects on its own).
    await expect.poll(() => answers.some((a) => a.status === 201 && a.at > startedAt), { timeout: 30_000, interval: 50 }).toBe(true);
    const recoveredInMs = Math.min(...answers.filter((a) => a.status === 201 && a.at > startedAt).map((a) => a.at)) - startedAt;
    await sleep(1_000);
    loading = false;
    await Promise.all(clients);

    // The process lived through it, and nothing escaped to the stray-error guard.
    expect(child.exitCode).toBeNull();
    expect(stdout).not.toMatch(/uncaught error/);
    expect(failures).toEqual([]);
    const unavailable = answers.filter((a) => a.status === 503);
    // Every client had a 503 while Postgres was stopped: no request was held until it came back.
    const answeredWhileStopped = new Set(unavailable.filter((a) => a.at >= stoppedAt && a.at < startedAt).map((a) => a.client));
    expect([...answeredWhileStopped].sort((a, b) => a - b)).toEqual(clients.map((_, n) => n));
    expect(unavailable.every((a) => a.retryAfter === '2')).toBe(true);
    expect(Math.max(...unavailable.map((a) => a.ms))).toBeLessThan(PROMISED_MS + SLACK_MS);
    expect(answers.every((a) => a.status === 201 || a.status === 503)).toBe(true);
    console.info(`outage: slowest 503 ${Math.round(Math.max(...unavailable.map((a) => a.ms)))} ms; first 201 ${recoveredInMs} ms after Postgres was started again`);

    // Every accepted request is stored, exactly once.
    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<Array<{ title: string; n: number }>>`select title, count(*)::int as n from tickets group by title`;
      expect(rows.filter((r) => r.n > 1)).toEqual([]);
      expect(new Set(rows.map((r) => r.title))).toEqual(new Set(accepted.keys()));
      // LISTEN is back on a fresh session (postgres.js re-listens after its connection drops).
      await expect
        .poll(async () => (await sql`select 1 from pg_stat_activity where application_name = 'switchboard' and query ilike 'listen %'`).length, { timeout: 5_000 })
        .toBeGreaterThan(0);
    } finally {
      await sql.end();
    }

    // The outbox delivers every ticket's webhook after recovery, once each.
    const delivered = () => new Set(sink.requests.map((r) => (JSON.parse(r.body) as { data: { ticket: { key: string } } }).data.ticket.key));
    await expect.poll(() => [...accepted.values()].filter((key) => !delivered().has(key)), { timeout: 20_000, interval: 200 }).toEqual([]);
    const ids = sink.requests.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    // Each background loop logged the outage once or twice (restart, stop), not once per tick.
    const outageLines = stdout.split('\n').filter((line) => line.includes('delivery worker: database'));
    expect(outageLines.filter((line) => line.includes('unavailable')).length, outageLines.join('\n')).toBeLessThanOrEqual(2);
  }, 90_000);
});
