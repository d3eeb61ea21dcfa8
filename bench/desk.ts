/**
 * npm run bench:desk — the agent desk at a million tickets: 1 000 000 tickets and 3 000 000
 * events bulk-inserted with SQL into real Postgres, the search index built by the same backfill
 * as migration 0014, then p50/p95 of the real pages over HTTP (signed in as an IT agent): the
 * /desk summary, a filtered list, the list sorted by SLA due, a rare-word, a common-word and a
 * no-hit search, and the workspace of a ticket with 200 events. Plans of the slow ones are printed.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:desk
 *   BENCH_TICKETS=1000000 BENCH_EVENTS=3000000 BENCH_RUNS=30 npm run bench:desk
 *   BENCH_REUSE_URL=postgres://postgres@127.0.0.1:5432/desk_bench npm run bench:desk   # load once, keep, reuse
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { hashToken, newToken } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { loadCatalogFile, syncCatalog } from '../src/core/catalog.ts';
import { openDatabase, type Db } from '../src/db/client.ts';
import { migrate, migrationsFolder, resultRows } from '../src/db/migrate.ts';
import { sessions } from '../src/db/schema.ts';
import { startSwitchboard } from '../src/runtime.ts';
import { percentile, withThrowawayDatabase } from './support.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 3_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const TARGET_MS = 100;
const AGENT = 'marta.lopez@example.com'; // an IT agent in the sample catalog
const RARE = 'zeppelin'; // in one ticket of 50 000 (an internal note)
const COMMON = 'laptop'; // in about one ticket of three
const NONE = 'xylophonist';

/** BENCH_REUSE_URL: load into (or reuse the tickets already in) that database and keep it. */
async function withDatabase(run: (url: string) => Promise<void>) {
  const reuse = process.env.BENCH_REUSE_URL;
  return reuse ? run(reuse) : withThrowawayDatabase(run);
}

const count = async (db: Db, query: ReturnType<typeof sql>) => Number(resultRows<{ n: number }>(await db.execute(query))[0]?.n ?? 0);

/** Words people write in tickets (common ones repeat a lot), plus a long tail of rarer made-up words. */
const VOCABULARY = [
  'laptop', 'screen', 'password', 'reset', 'access', 'vpn', 'printer', 'badge', 'monitor', 'keyboard', 'mouse', 'dock', 'charger', 'battery', 'email',
  'calendar', 'meeting', 'room', 'desk', 'chair', 'payroll', 'letter', 'contract', 'holiday', 'expense', 'invoice', 'account', 'locked', 'broken',
  'slow', 'crash', 'error', 'update', 'install', 'licence', 'software', 'hardware', 'network', 'wifi', 'cable', 'phone', 'headset', 'camera',
  'new', 'hire', 'starter', 'leaver', 'manager', 'approval', 'urgent', 'please', 'help', 'thanks', 'again', 'today', 'tomorrow', 'office', 'remote',
];

async function load(db: Db): Promise<void> {
  const WORDS = sql.raw(String(VOCABULARY.length));
  const vocabulary = sql.raw(`(array[${VOCABULARY.map((w) => `'${w}'`).join(',')}])`);
  const started = performance.now();
  const step = (what: string) => console.log(`  ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  await db.execute(sql`insert into people (email, name) select 'person' || i || '@example.com', 'Person ' || i from generate_series(1, 20000) i on conflict do nothing`);
  const agents = resultRows<{ id: number; queue_key: string }>(await db.execute(sql`select person_id as id, queue_key from desk_roles where role in ('agent', 'lead') order by queue_key, position`));
  const agentIds = (queue: string) => sql.raw(`array[${agents.filter((a) => a.queue_key === queue).map((a) => a.id).join(',') || 'null'}]::int[]`);
  // Two years of tickets; the newest 4 % still need work (due times around now), the rest closed.
  // Titles and descriptions: vocabulary words (a Zipf-like skew: low indexes are common) and a long tail.
  await db.execute(sql`
    insert into tickets (key, queue_key, number, type_key, title, description, status, priority, requester_id, assignee_id, origin_channel, fields,
                         created_at, updated_at, first_response_due_at, first_response_at, resolution_due_at, resolved_at, closed_at, sla_paused_at)
    select q || '-' || n, q, n, t, title, descr, status, 'P' || (1 + i % 4), (select min(id) from people) + (i % 20000),
           case when status = 'closed' or i % 2 = 0 then (case q when 'IT' then ${agentIds('IT')} when 'HR' then ${agentIds('HR')} else ${agentIds('FAC')} end)[1 + i % 2] end,
           (array['slack', 'teams', 'email', 'web', 'api'])[1 + i % 5], jsonb_build_object('model', case when i % 3 = 0 then '13-inch' else '15-inch' end),
           at, at + interval '1 hour',
           case when status = 'closed' then at + interval '4 hours' else now() - interval '3 hours' + (i % 3000) * interval '1 minute' end,
           case when status <> 'new' then at + interval '30 minutes' end,
           case when status = 'closed' then at + interval '3 days' else now() - interval '1 hour' + (i % 5000) * interval '1 minute' end,
           case when status = 'closed' then at + interval '1 day' end, case when status = 'closed' then at + interval '2 days' end,
           case when status = 'waiting_on_requester' then now() - interval '1 hour' end
    from (
      select i, n, q, t, at,
             case when i > ${TICKETS} * 0.96 then (array['new', 'open', 'in_progress', 'waiting_on_requester'])[1 + i % 4] else 'closed' end as status,
             initcap(${vocabulary}[1 + ((hashint4(i) & 65535) % ${WORDS}) * ((hashint4(i) & 65535) % ${WORDS}) / ${WORDS}]) || ' ' || ${vocabulary}[1 + (hashint4(i + 7) & 65535) % ${WORDS}] || ' ' || 'w' || ((hashint4(i + 1) & 1048575) % 200000) as title,
             ${vocabulary}[1 + (hashint4(i + 2) & 65535) % ${WORDS}] || ' ' || ${vocabulary}[1 + (hashint4(i + 3) & 65535) % 30] || ' not working since ' || 'w' || ((hashint4(i + 4) & 1048575) % 200000) || ' and ' || 'w' || ((hashint4(i + 5) & 1048575) % 200000)
               || case when i % 3 = 0 then ' laptop' else '' end as descr
      from (
        select i, (array['IT', 'IT', 'HR', 'FAC'])[1 + i % 4] as q, (array['it-other', 'it-other', 'hr-other', 'fac-other'])[1 + i % 4] as t,
               row_number() over (partition by (array['IT', 'IT', 'HR', 'FAC'])[1 + i % 4] order by i) as n,
               now() - (${TICKETS} - i) * (interval '2 years' / ${TICKETS}) as at
        from generate_series(1, ${TICKETS}) i
      ) base
    ) s`);
  step(`${TICKETS.toLocaleString('en')} tickets`);
  await db.execute(sql`update queues set next_number = (select coalesce(max(number), 0) + 1 from tickets where queue_key = queues.key)`);
  // One created event per ticket, then comments (a third of them internal notes) up to EVENTS in all.
  await db.execute(sql`
    insert into ticket_events (ticket_id, type, visibility, actor_id, actor_role, channel, body, created_at)
    select id, 'created', 'public', requester_id, 'requester', origin_channel, description, created_at from tickets`);
  const comments = Math.max(0, EVENTS - TICKETS - 200);
  await db.execute(sql`
    insert into ticket_events (ticket_id, type, visibility, actor_id, actor_role, channel, body, created_at)
    select t.id, 'comment', case when j % 3 = 0 then 'internal' else 'public' end, coalesce(t.assignee_id, t.requester_id),
           case when j % 3 = 0 then 'agent' else 'requester' end, 'slack',
           ${vocabulary}[1 + (hashint4(j) & 65535) % ${WORDS}] || ' ' || ${vocabulary}[1 + (hashint4(j + 1) & 65535) % ${WORDS}] || ' w' || ((hashint4(j + 2) & 1048575) % 200000)
             || case when j % 3 = 0 and t.id % 50000 = 7 then ' ${sql.raw(RARE)} ' else '' end,
           t.created_at + (j % 1440) * interval '1 minute'
    from generate_series(1, ${comments}) j join tickets t on t.id = 1 + (hashint4(j) & 2147483647) % ${TICKETS}`);
  // Every 50 000th ticket's internal note names the rare word.
  await db.execute(sql`
    insert into ticket_events (ticket_id, type, visibility, actor_id, actor_role, channel, body, created_at)
    select id, 'comment', 'internal', requester_id, 'agent', 'slack', 'Looks like the ${sql.raw(RARE)} driver again', created_at + interval '1 hour'
    from tickets where id % 50000 = 0`);
  // The busy ticket: 200 events on one open IT ticket.
  await db.execute(sql`
    insert into ticket_events (ticket_id, type, visibility, actor_id, actor_role, channel, body, created_at)
    select (select max(id) from tickets where queue_key = 'IT'), case when j % 10 = 0 then 'status_changed' else 'comment' end,
           case when j % 4 = 0 then 'internal' else 'public' end, (select min(id) from people), 'agent', 'web',
           'Update ' || j || ': ' || ${vocabulary}[1 + j % ${WORDS}] || ' checked, still ' || ${vocabulary}[1 + (j * 7) % ${WORDS}], now() - (200 - j) * interval '1 minute'
    from generate_series(1, 200) j`);
  step('events');
  // The search index: the migration's own backfill, with its GIN indexes built after the rows (as there).
  await db.execute(sql`drop index if exists ticket_search_public_idx`);
  await db.execute(sql`drop index if exists ticket_search_internal_idx`);
  await db.execute(sql`truncate ticket_search`);
  const migration = fs.readFileSync(path.join(migrationsFolder, '0014_desk-search.sql'), 'utf8').split('--> statement-breakpoint');
  for (const statement of migration.filter((s) => /INSERT INTO "ticket_search"|CREATE INDEX "ticket_search_/.test(s))) await db.execute(sql.raw(statement));
  step('search index (migration 0014 backfill)');
  await db.execute(sql`vacuum analyze`);
  step('vacuum analyze');
}

interface Case {
  name: string;
  path: string;
  /** The SQL to EXPLAIN when the case is slow (the statement that dominates it). */
  explain?: string;
}

async function main() {
  await withDatabase(async (url) => {
    const database = await openDatabase({ url, max: 4 });
    await migrate(database);
    await syncCatalog(database.db, loadCatalogFile(undefined));
    const db = database.db;
    const existing = await count(db, sql`select count(*)::int as n from tickets`);
    const t0 = performance.now();
    if (!existing) {
      console.log(`loading ${TICKETS.toLocaleString('en')} tickets and ${EVENTS.toLocaleString('en')} events…`);
      await load(db);
    }
    const tickets = await count(db, sql`select count(*)::int as n from tickets`);
    const events = await count(db, sql`select count(*)::int as n from ticket_events`);
    const open = await count(db, sql`select count(*)::int as n from tickets where status <> 'closed'`);
    console.log(`${existing ? 'reused' : 'loaded'} ${tickets.toLocaleString('en')} tickets (${open.toLocaleString('en')} need work), ${events.toLocaleString('en')} events in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const busy = resultRows<{ key: string; n: number }>(await db.execute(sql`select t.key, count(*)::int as n from ticket_events e join tickets t on t.id = e.ticket_id group by t.key order by n desc limit 1`))[0]!;
    const agent = resultRows<{ id: number }>(await db.execute(sql`select id from people where email = ${AGENT}`))[0]!;
    const token = newToken();
    await db.insert(sessions).values({ tokenHash: hashToken(token), personId: agent.id, method: 'link', expiresAt: new Date(Date.now() + 3_600_000) });
    await database.close();

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-desk-'));
    const sb = await startSwitchboard(loadConfig({ PORT: '0', DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', API_TOKENS: 'bench-token' }));
    try {
      const cases: Case[] = [
        { name: '/desk summary (3 IT counts + next up)', path: '/desk' },
        { name: 'filtered list: IT, status open, unassigned', path: '/desk/tickets?queue=IT&status=open&assignee=none', explain: `select id from tickets where queue_key = 'IT' and status = 'open' and assignee_id is null order by sla_due_at, id limit 26` },
        { name: 'sort by SLA due: IT, all that need work', path: '/desk/tickets?queue=IT&sort=due', explain: `select id from tickets where queue_key = 'IT' and status in ('new','open','in_progress','waiting_on_requester') order by sla_due_at, id limit 26` },
        { name: `search, rare word (${RARE})`, path: `/desk/tickets?q=${RARE}&status=all`, explain: searchSql(RARE, false) },
        { name: `search, common word (${COMMON})`, path: `/desk/tickets?q=${COMMON}&status=all`, explain: searchSql(COMMON, true) },
        { name: `search, no hit (${NONE})`, path: `/desk/tickets?q=${NONE}&status=all`, explain: searchSql(NONE, false) },
        { name: `workspace, ${busy.n} events (${busy.key})`, path: `/desk/t/${busy.key}` },
        { name: `API: /api/v1/tickets?q=${RARE}`, path: `/api/v1/tickets?q=${RARE}` },
      ];
      const headers = { cookie: `sb_session=${token}` };
      console.log(`\n${RUNS} runs each over HTTP (warm-up excluded), target p95 < ${TARGET_MS} ms, ${os.cpus().length} cores:`);
      const slow: Case[] = [];
      for (const c of cases) {
        const isApi = c.path.startsWith('/api/');
        const get = async () => {
          const response = await fetch(`${sb.url}${c.path}`, { headers: isApi ? { authorization: 'Bearer bench-token' } : headers, redirect: 'manual' });
          const body = await response.text();
          if (response.status !== 200) throw new Error(`${c.path} answered ${response.status}: ${body.slice(0, 200)}`);
          return body;
        };
        // Warm-up: a cold cache right after start may make the first answer a 503 (the bounded wait); try again.
        let first = '';
        for (let attempt = 0; ; attempt++) {
          try {
            first = await get();
            break;
          } catch (error) {
            if (attempt >= 5) throw error;
            await new Promise((resolve) => setTimeout(resolve, 2000));
          }
        }
        await get();
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const started = performance.now();
          await get();
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const p50 = percentile(times, 50);
        const p95 = percentile(times, 95);
        const rows = isApi ? (JSON.parse(first) as { items: unknown[] }).items.length : (first.match(/class="desk-row"/g) ?? []).length;
        console.log(`  ${c.name.padEnd(46)} p50 ${p50.toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms   ${rows} rows${p95 >= TARGET_MS ? '   SLOW' : ''}`);
        if (p95 >= TARGET_MS / 2 && c.explain) slow.push(c);
      }
      for (const c of slow) console.log(`\nplan of "${c.name}":\n${await explain(url, c.explain!)}`);
    } finally {
      await sb.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    console.log(`\nreproduce: BENCH_TICKETS=${TICKETS} BENCH_EVENTS=${EVENTS} BENCH_RUNS=${RUNS} npm run bench:desk  (BENCH_REUSE_URL=… keeps the loaded database)`);
  });
}

/** The statement searchTicketIds runs (src/core/search.ts): newest first for a common word, from the GIN index for a rare one. */
function searchSql(word: string, common: boolean): string {
  return `with hits as materialized (select s.ticket_id, s.public_doc, s.internal_doc from ticket_search s join tickets on tickets.id = s.ticket_id
    where (s.public_doc @@ websearch_to_tsquery('desk_search', '${word}') or s.internal_doc @@ websearch_to_tsquery('desk_search', '${word}'))
      and tickets.queue_key in ('IT') order by s.ticket_id${common ? '' : ' + 0'} desc limit 1000)
    select h.ticket_id from hits h order by ts_rank(h.public_doc || h.internal_doc, websearch_to_tsquery('desk_search', '${word}')) desc, h.ticket_id desc limit 26`;
}

async function explain(url: string, statement: string): Promise<string> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await client.unsafe(`explain (analyze, buffers, costs off) ${statement}`);
    return rows.map((r) => `    ${String(r['QUERY PLAN'])}`).join('\n');
  } finally {
    await client.end();
  }
}

await main();
