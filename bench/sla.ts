/**
 * npm run bench:sla — one SLA scanner pass over 100 000 and then 1 000 000 open tickets in
 * real Postgres, 1 % of them due (half at their warning, half at their breach), with the
 * query plan of the scanner's claim. The point: the pass costs what is due, not what is open.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:sla
 *   BENCH_SIZES=100000,1000000 BENCH_BATCH=500 npm run bench:sla
 *
 * BENCH_WALDUMP=1 also prints what the pass wrote to the WAL, by relation and kind of record
 * (pg_waldump --stats over the pass's LSN range, in the server's own pg_wal: run it on the
 * database's machine, as a user who may read it), full-page images apart.
 *
 * BENCH_PROFILE=dir writes a V8 CPU profile of this process for each pass alone (the scanner runs
 * in it), as dir/sla-pass-<size>-<run>.cpuprofile: open it in Chrome DevTools. BENCH_PERF=dir records
 * the whole machine (perf record -a -g, Postgres's backends included) for each pass alone, as
 * dir/sla-pass-<size>-<run>.perf.data: perf report -i … --comm postgres --no-children.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import os from 'node:os';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { loadCatalogFile, syncCatalog } from '../src/core/catalog.ts';
import { resolvePerson } from '../src/core/people.ts';
import { addBusinessMinutes, businessMinutesBetween } from '../src/core/sla/business-time.ts';
import { calendarSchema, compileCalendar } from '../src/core/sla/calendar.ts';
import { SlaScanner } from '../src/core/sla/scanner.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrate, resultRows } from '../src/db/migrate.ts';
import { baseUrl, withThrowawayDatabase } from './support.ts';

const sizes = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const batchSize = Number(process.env.BENCH_BATCH ?? 500);
// The lanes of each pass, in turn: one, and the service's own setting on Postgres (3, src/runtime.ts).
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,3').split(',').map(Number);
// A CHECKPOINT before each pass (BENCH_CHECKPOINT=0: none): every page the pass changes is then
// written whole to the WAL once, as on a server whose last checkpoint predates the pages a pass
// touches (10 000 tickets spread over 1 000 000 are); every pass starts from the same state.
const checkpoint = process.env.BENCH_CHECKPOINT !== '0';
const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : '';
const perfDir = process.env.BENCH_PERF ? path.resolve(process.env.BENCH_PERF) : '';

/** perf record of the whole machine until stopPerf; resolves once perf has started sampling. */
async function startPerf(name: string): Promise<{ child: ChildProcess; file: string }> {
  mkdirSync(perfDir, { recursive: true });
  const file = path.join(perfDir, name);
  const child = spawn('perf', ['record', '-a', '-g', '-q', '-o', file], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { child, file };
}

async function stopPerf(perf: { child: ChildProcess; file: string }): Promise<string> {
  const exited = new Promise((resolve) => perf.child.once('exit', resolve));
  perf.child.kill('SIGINT');
  await exited;
  return perf.file;
}

async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return session;
}

async function stopProfile(session: Session, name: string): Promise<string> {
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  mkdirSync(profileDir, { recursive: true });
  const file = path.join(profileDir, name);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}
// A Wednesday noon in Madrid, inside the IT queue's opening hours, so warnings are due.
const NOW = new Date('2026-11-25T11:00:00Z');

/**
 * Tickets lo..hi, created 2 to 5 h ago (07:00–10:00 Madrid). Every 200th is past its first-response due
 * time (warned already: a breach is due); every other 100th has used 75 % of its first-response
 * budget (a warning is due); the rest look again in 1 h to 4 days.
 */
function insertTickets(lo: number, hi: number, requesterId: number) {
  const now = NOW.toISOString();
  return sql`
    insert into tickets (key, queue_key, number, type_key, title, status, priority, requester_id, origin_channel,
                         created_at, updated_at, first_response_due_at, first_response_warned_at, resolution_due_at, next_sla_check_at)
    select 'IT-' || i, 'IT', i, 'laptop', 'Bench ticket ' || i, 'open', 'P3', ${requesterId}, 'api',
           ${now}::timestamptz - interval '2 hours' - (i % 180) * interval '1 minute', ${now}::timestamptz - interval '2 hours',
           case when i % 200 = 0 then ${now}::timestamptz - (i % 50) * interval '1 minute'
                when i % 100 = 0 then ${now}::timestamptz + interval '30 minutes'
                else ${now}::timestamptz + interval '1 day' end,
           case when i % 200 = 0 then ${now}::timestamptz - interval '1 hour' end,
           ${now}::timestamptz + interval '4 days',
           case when i % 100 = 0 then ${now}::timestamptz - (i % 50) * interval '1 minute'
                else ${now}::timestamptz + interval '1 hour' + (i % 5000) * interval '1 minute' end
    from generate_series(${lo}::int, ${hi}::int) as i`;
}

/** Put the tickets an earlier pass handled back to due, and forget its events. */
function resetDue(hi: number) {
  const now = NOW.toISOString();
  return sql`
    update tickets set
      first_response_warned_at = case when number % 200 = 0 then ${now}::timestamptz - interval '1 hour' end,
      first_response_breached_at = null, resolution_warned_at = null, resolution_breached_at = null,
      next_sla_check_at = ${now}::timestamptz - (number % 50) * interval '1 minute'
    where number <= ${hi} and number % 100 = 0`;
}

const CLAIM = `select t.* from ticket_sla_checks c join tickets t on t.id = c.ticket_id where c.next_check_at <= $1
  order by c.next_check_at limit ${batchSize} for update of t skip locked`;

/** EXPLAIN ANALYZE of the claim, in a transaction rolled back so no lock or change stays. */
async function explainClaim(url: string): Promise<string> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const reserved = await client.reserve();
    await reserved.unsafe('begin');
    const rows = await reserved.unsafe(`explain (analyze, buffers, costs off) ${CLAIM}`, [NOW.toISOString()]);
    await reserved.unsafe('rollback');
    reserved.release();
    return rows.map((r) => `    ${String(r['QUERY PLAN'])}`).join('\n');
  } finally {
    await client.end();
  }
}

/**
 * A bulk load, as an import would do it: the rollup trigger off and the secondary indexes of
 * tickets dropped for the insert, then each index rebuilt from its own definition (pg_indexes),
 * the rollup recomputed in one pass and the trigger back on. One trigger call and ~20 index
 * insertions per row made the 1 000 000-ticket load take over 40 minutes; the schema is exactly
 * the migrations' again before anything is measured.
 */
async function bulkLoad(database: Database, load: ReturnType<typeof sql>): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local maintenance_work_mem = '256MB'`);
    const defs = resultRows<{ name: string; def: string }>(
      await tx.execute(sql`
        select i.indexname as name, i.indexdef as def from pg_indexes i
        where i.schemaname = current_schema() and i.tablename = 'tickets'
          and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`),
    );
    await tx.execute(sql`alter table tickets disable trigger ticket_hours_insert_delete`);
    for (const { name } of defs) await tx.execute(sql.raw(`drop index "${name}"`));
    await tx.execute(load);
    for (const { def } of defs) await tx.execute(sql.raw(def));
    await tx.execute(sql`alter table tickets enable trigger ticket_hours_insert_delete`);
    await tx.execute(sql`select ticket_hours_rebuild()`);
  });
}

/** CPU time (ms) the server processes of this database have used so far (Linux /proc, same machine). */
async function backendCpuMs(database: Database): Promise<number> {
  const pids = resultRows<{ pid: number }>(await database.db.execute(sql`select pid from pg_stat_activity where datname = current_database()`));
  let ticks = 0;
  for (const { pid } of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 per second)
    } catch {
      // not on Linux, or another host: no figure
    }
  }
  return ticks * 10;
}

async function walBytes(database: Database): Promise<number> {
  return Number(resultRows<{ b: string }>(await database.db.execute(sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint as b`))[0]!.b);
}

const waldump = process.env.BENCH_WALDUMP === '1';

async function currentLsn(database: Database): Promise<string> {
  return resultRows<{ at: string }>(await database.db.execute(sql`select pg_current_wal_lsn()::text as at`))[0]!.at;
}

/** pg_waldump --stats=record between two LSNs: the kinds of WAL record a pass wrote, and their full-page images. */
async function walProfile(database: Database, from: string, to: string): Promise<string> {
  const [dir] = resultRows<{ dir: string; version: string }>(await database.db.execute(sql`select current_setting('data_directory') as dir`));
  const major = resultRows<{ v: string }>(await database.db.execute(sql`select current_setting('server_version_num') as v`))[0]!.v.slice(0, 2);
  const binary = [`/usr/lib/postgresql/${major}/bin/pg_waldump`, 'pg_waldump'].find((b) => b === 'pg_waldump' || existsSync(b))!;
  try {
    const out = execFileSync(binary, ['--stats=record', '-p', `${dir!.dir}/pg_wal`, '-s', from, '-e', to], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    // The header and the ten largest kinds by combined size (records + full-page images).
    const lines = out.split('\n').filter((l) => l.trim());
    const header = lines.slice(0, 2);
    const rows = lines.slice(2).filter((l) => !l.startsWith('Total') && !l.startsWith('---'));
    const combined = (l: string) => Number(/\s(\d+)\s+\(\s*[\d.]+\)\s*$/.exec(l)?.[1] ?? 0);
    const total = lines.find((l) => l.startsWith('Total')) ?? '';
    return [...header, ...rows.sort((a, b) => combined(b) - combined(a)).slice(0, 10), total].map((l) => `    ${l}`).join('\n');
  } catch (error) {
    return `    pg_waldump failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): run the bench on the database's machine, as a user who may read its pg_wal`;
  }
}

async function count(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  const rows = await database.db.execute<{ n: number }>(query);
  return Number(resultRows<{ n: number }>(rows)[0]?.n ?? 0);
}

/** 10 000 business hours ahead from Mon 5 Jan 2026 09:00 Madrid, and measured back: the best of five runs. */
function businessTimeFarAhead(): void {
  const madrid = compileCalendar(
    calendarSchema.parse({ timezone: 'Europe/Madrid', hours: { 'mon-fri': ['09:00-13:00', '14:00-18:00'] }, holidays: ['2026-04-06', { date: '2026-12-24', hours: ['09:00-13:00'] }, '2026-12-25'] }),
  );
  const start = new Date('2026-01-05T08:00:00Z');
  let best = Number.POSITIVE_INFINITY;
  let due = start;
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    due = addBusinessMinutes(madrid, start, 600_000);
    if (businessMinutesBetween(madrid, start, due) !== 600_000) throw new Error('10 000 business hours did not measure back to 10 000');
    best = Math.min(best, performance.now() - started);
  }
  console.log(`business time: 10 000 business hours ahead (→ ${due.toISOString().slice(0, 10)}) and back in ${best.toFixed(1)} ms (best of 5)`);
}

businessTimeFarAhead();

await withThrowawayDatabase(async (url) => {
  const database = await openDatabase({ url, max: 4 });
  try {
    await migrate(database);
    await syncCatalog(database.db, loadCatalogFile(undefined));
    await database.db.execute(sql`delete from ticket_events`);
    const requester = await resolvePerson(database.db, { email: 'bench@example.com', name: 'Bench' });
    const core = { db: database.db, now: () => NOW, enabled: new Set(['slack']) };
    console.log(`SLA scanner pass, batch ${batchSize}, Postgres at ${new URL(baseUrl).host}, clock ${NOW.toISOString()}`);

    // Warm-up (connections, zone data, and the JIT: a service's scanner runs every 15 s, so its
    // code is optimised before any big pass) on 100 000 tickets (1 000 due, two batches) at the
    // first concurrency, then removed. (Until stop 31 it was 1 000 tickets, 10 due: the first
    // measured pass then ran half-interpreted, 30–50 % more Node CPU than the passes after it.)
    await database.db.execute(insertTickets(9_000_001, 9_100_000, requester.id));
    const warmStarted = performance.now();
    const warm = await new SlaScanner({ core, batchSize, concurrency: concurrencies[0] }).runOnce();
    console.log(`warm-up pass: ${warm.checked} due of 100,000 in ${(performance.now() - warmStarted).toFixed(0)} ms (not measured)`);
    await database.db.execute(sql`delete from deliveries`);
    await database.db.execute(sql`delete from ticket_events`);
    await database.db.execute(sql`delete from tickets`);

    let inserted = 0;
    for (const size of sizes) {
      const started = performance.now();
      await bulkLoad(database, insertTickets(inserted + 1, size, requester.id));
      if (inserted) {
        await database.db.execute(resetDue(inserted));
        await database.db.execute(sql`delete from deliveries`);
        await database.db.execute(sql`delete from ticket_events`);
      }
      inserted = size;
      const loadSeconds = (performance.now() - started) / 1000;
      console.log(`\n${size.toLocaleString('en')} tickets loaded in ${loadSeconds.toFixed(1)} s`);
      let plan = '';
      for (const [run, concurrency] of concurrencies.entries()) {
        if (run) {
          await database.db.execute(resetDue(size));
          await database.db.execute(sql`delete from deliveries`);
          await database.db.execute(sql`delete from ticket_events`);
        }
        await database.db.execute(sql`vacuum analyze tickets`);
        await database.db.execute(sql`vacuum analyze ticket_sla_checks`);
        await database.db.execute(sql`vacuum analyze ticket_hours`);
        const open = await count(database, sql`select count(*)::int as n from tickets where status = 'open'`);
        const due = await count(database, sql`select count(*)::int as n from ticket_sla_checks where next_check_at <= ${NOW.toISOString()}::timestamptz`);
        if (!run) plan = await explainClaim(url);

        if (checkpoint) await database.db.execute(sql`checkpoint`);
        const scanner = new SlaScanner({ core, batchSize, concurrency });
        // Open the pool's connections first, so the CPU figure covers every backend the pass uses.
        await Promise.all(Array.from({ length: 4 }, () => database.db.transaction(async (tx) => tx.execute(sql`select pg_sleep(0.05)`))));
        const loadBefore = os.loadavg()[0]!;
        const cpuBefore = await backendCpuMs(database);
        const walBefore = await walBytes(database);
        const lsnBefore = waldump ? await currentLsn(database) : '';
        const perf = perfDir ? await startPerf(`sla-pass-${size}-${run + 1}.perf.data`) : null;
        const profiler = profileDir ? await startProfile() : null;
        const nodeBefore = process.cpuUsage();
        const passStarted = performance.now();
        const result = await scanner.runOnce();
        const passMs = performance.now() - passStarted;
        const nodeCpu = process.cpuUsage(nodeBefore);
        const profileFile = profiler ? await stopProfile(profiler, `sla-pass-${size}-${run + 1}.cpuprofile`) : '';
        const perfFile = perf ? await stopPerf(perf) : '';
        const pgCpuMs = (await backendCpuMs(database)) - cpuBefore;
        const wal = (await walBytes(database)) - walBefore;
        const lsnAfter = waldump ? await currentLsn(database) : '';

        const idleStarted = performance.now();
        await scanner.runOnce();
        const idleMs = performance.now() - idleStarted;
        const events = await count(database, sql`select count(*)::int as n from ticket_events`);
        const sent = await count(database, sql`select count(*)::int as n from deliveries`);

        const per = (x: number) => ((x * 1000) / Math.max(1, result.checked)).toFixed(0);
        console.log(`${open.toLocaleString('en')} open tickets, ${due.toLocaleString('en')} due; concurrency ${concurrency}${checkpoint ? ', after a checkpoint' : ''}`);
        console.log(`  pass: ${passMs.toFixed(0)} ms for ${result.checked} tickets → ${result.warned} warnings, ${result.breached} breaches (${events} events, ${sent} deliveries)`);
        console.log(`  per due ticket: ${per(passMs)} µs; a pass with nothing due: ${idleMs.toFixed(1)} ms`);
        console.log(
          `  CPU: Postgres ${pgCpuMs} ms (${per(pgCpuMs)} µs per due), Node ${((nodeCpu.user + nodeCpu.system) / 1000).toFixed(0)} ms; WAL ${(wal / 1e6).toFixed(1)} MB (${(wal / Math.max(1, result.checked)).toFixed(0)} B per due)`,
        );
        if (profileFile) console.log(`  CPU profile of the pass (this process): ${profileFile}`);
        if (perfFile) console.log(`  perf record of the pass (whole machine): perf report -i ${perfFile} --comm postgres --no-children`);
        if (waldump) console.log(`  WAL of the pass by kind of record (pg_waldump --stats=record ${lsnBefore}..${lsnAfter}):\n${await walProfile(database, lsnBefore, lsnAfter)}`);
        console.log(`  machine load average (1 min) before / after the pass: ${loadBefore.toFixed(1)} / ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores (shared with other agents)`);
      }
      console.log(`  plan of the claim (first batch):\n${plan}`);
    }
    console.log(`\nReproduce: BENCH_DATABASE_URL=${baseUrl} BENCH_SIZES=${sizes.join(',')} BENCH_BATCH=${batchSize} BENCH_CONCURRENCY=${concurrencies.join(',')} BENCH_CHECKPOINT=${checkpoint ? 1 : 0} npm run bench:sla`);
  } finally {
    await database.close();
  }
});
