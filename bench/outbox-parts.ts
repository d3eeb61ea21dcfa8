/**
 * npm run bench:outbox-parts — where the outbox's Postgres time per delivery goes, part by part,
 * beside what a queue that keeps no history and carries its payload in the job (graphile-worker)
 * does instead. One connection, no concurrency: each figure is the statement's own cost.
 *
 * The claim is the worker's own statement, taken from a real DeliveryWorker.runOnce; each line below
 * it takes one part away (the payload it reads, the lane-order check, the update that marks the
 * claim), down to the bare `select … for update skip locked` every SKIP LOCKED queue pays. The record
 * is the worker's success update beside a delete.
 *
 *   BENCH_CLAIM=1000 BENCH_REPEATS=3 npm run bench:outbox-parts
 */
import type { SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { loadCatalogFile, syncCatalog } from '../src/core/catalog.ts';
import { createTicket } from '../src/core/tickets.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { logger } from '../src/logger.ts';
import type { OutboundAdapter } from '../src/outbox/adapter.ts';
import { DeliveryWorker } from '../src/outbox/worker.ts';
import { percentile, withThrowawayDatabase } from './support.ts';

const claimSize = Number(process.env.BENCH_CLAIM ?? 1000);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const total = 20_000;

await withThrowawayDatabase(async (url) => {
  const database = await openDatabase({ url, max: 2 });
  await migrate(database);
  await syncCatalog(database.db, loadCatalogFile(undefined));
  const ctx = { db: database.db, now: () => new Date(), enabled: new Set<string>() };
  await Promise.all(Array.from({ length: 200 }, (_, i) => createTicket(ctx, { type: 'laptop', title: `Parts ${i}`, requester: { email: 'bench@example.com' }, fields: { model: '13-inch' }, channel: 'api' })));
  const pg = postgres(url, { max: 1, onnotice: () => {} });

  /** 20 000 due deliveries on the 200 tickets' events, one lane each: the shape bench:outbox drains. */
  async function fill(): Promise<void> {
    await pg`delete from deliveries`;
    await pg`insert into deliveries (event_id, ticket_id, channel, audience, lane, status, next_attempt_at)
      select e.id, e.ticket_id, 'noop', 'integration', 'noop:integration:' || g, 'pending', '2000-01-01'
      from generate_series(1, ${total}) g join lateral (select id, ticket_id from ticket_events order by id offset (g % 200) limit 1) e on true`;
    await pg`vacuum analyze deliveries`;
  }

  // The worker's claim, as it runs: captured from one runOnce of a real worker.
  await fill();
  const dialect = (database.db as unknown as { dialect: { sqlToQuery(s: SQL): { sql: string; params: unknown[] } } }).dialect;
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  const capturing: Database = {
    ...database,
    db: new Proxy(database.db, {
      get(target, key, receiver) {
        if (key !== 'execute') return Reflect.get(target, key, receiver);
        return (query: SQL) => {
          statements.push(dialect.sqlToQuery(query));
          return target.execute(query);
        };
      },
    }),
  };
  const noop: OutboundAdapter = { channel: 'noop', send: async () => ({ platformMessageId: null }) };
  const quiet = logger.child({ component: 'bench' });
  quiet.level = 'warn';
  await new DeliveryWorker({ database: capturing, adapters: [noop], logger: quiet }).runOnce(claimSize);
  const claim = statements.find((s) => s.sql.includes('with claimed as'));
  if (!claim) throw new Error('the worker ran no claim statement');
  // Its parameters: lease, then the due clock twice, the channel, the limit. The clock is now; the
  // rows are due since 2000, the lease runs an hour, so a claimed row is not due again.
  const [, at] = claim.params as string[];
  // Every claim variant keeps all five (only the lane-order check, which has none, is taken out).
  const params = () => [new Date(Date.now() + 3_600_000).toISOString(), at!, at!, 'noop', String(claimSize)];

  /** The claim's update alone, returning only `returning`; without the lane-order check if asked. */
  const update = (returning: string, { lane = true } = {}) => {
    const text = claim.sql.slice(claim.sql.indexOf('update'), claim.sql.indexOf('returning *'));
    return `${lane ? text : text.replace(/and not exists \(select 1 from "deliveries" e[^)]*\)/s, '')}returning ${returning}`;
  };
  if (update('id', { lane: false }).includes('not exists')) throw new Error('the claim changed shape: update the lane-check pattern of bench/outbox-parts.ts');
  const parts: Array<[string, string]> = [
    ['the worker’s claim (update, lane check, payload as JSON)', claim.sql],
    ['  without the payload (returning id)', update('id')],
    ['  and without the lane-order check', update('id', { lane: false })],
    ['select … for update skip locked alone', `select d.id from deliveries d where d.phase = 'open' and d.next_attempt_at <= $1::timestamptz and d.channel = 'noop' order by d.next_attempt_at limit ${claimSize} for update skip locked`],
  ];

  const line = (name: string, ms: number[]) => {
    const median = percentile([...ms].sort((a, b) => a - b), 50);
    const perRow = (median * 1000) / claimSize;
    process.stdout.write(`  ${name.padEnd(58)} ${median.toFixed(2).padStart(7)} ms per ${claimSize}  ${perRow.toFixed(1).padStart(5)} µs/delivery\n`);
    return perRow;
  };
  process.stdout.write(`Postgres time per statement, one connection, claims of ${claimSize} from ${total} due (median of ${repeats} × ${total / claimSize})\n`);
  const cost = new Map<string, number>();
  for (const [name, text] of parts) {
    const ms: number[] = [];
    for (let r = 0; r < repeats; r++) {
      await fill();
      for (let i = 0; i < total / claimSize; i++) {
        // The bare lock takes the same first rows each time unless they move on: it runs in a
        // transaction that leases what it locked, outside the timing.
        if (text.startsWith('select')) {
          await pg.begin(async (tx) => {
            const t0 = performance.now();
            const rows = await tx.unsafe(text, [at!]);
            ms.push(performance.now() - t0);
            await tx`update deliveries set leased_until = now() + interval '1 hour', next_attempt_at = 'infinity' where id = any(${rows.map((r) => r.id as string)}::bigint[])`;
          });
          continue;
        }
        const t0 = performance.now();
        await pg.unsafe(text, params());
        ms.push(performance.now() - t0);
      }
    }
    cost.set(name, line(name, ms));
  }

  const recordMs = new Map<string, number[]>([
    ['record sent (the worker’s success update, kept as history)', []],
    ['delete (a queue that keeps no history)', []],
  ]);
  for (let r = 0; r < repeats; r++) {
    await fill();
    for (let i = 0; i < total / claimSize; i++) {
      const ids = (await pg.unsafe(update('id'), params())).map((row) => row.id as string).join(',');
      const kind = i % 2 ? 'delete (a queue that keeps no history)' : 'record sent (the worker’s success update, kept as history)';
      const t0 = performance.now();
      if (kind.startsWith('delete')) await pg`delete from deliveries where id = any(string_to_array(${ids}, ',')::bigint[])`;
      else
        await pg`update deliveries set status = 'sent', sent_at = now(), last_error = null, platform_message_id = null
          where id = any(string_to_array(${ids}, ',')::bigint[]) and status = 'sending'`;
      recordMs.get(kind)!.push(performance.now() - t0);
    }
  }
  for (const [name, ms] of recordMs) cost.set(name, line(name, ms));

  const [full, noPayload, noLane, bare, sent, del] = [...cost.values()] as number[];
  process.stdout.write(
    `\nper delivery: payload ${(full! - noPayload!).toFixed(1)} µs, lane order ${(noPayload! - noLane!).toFixed(1)} µs, marking the claim ${(noLane! - bare!).toFixed(1)} µs, ` +
      `history (sent update − delete) ${(sent! - del!).toFixed(1)} µs; the lock and the delete every queue pays: ${(bare! + del!).toFixed(1)} µs\n`,
  );
  process.stdout.write(`reproduce: BENCH_CLAIM=${claimSize} BENCH_REPEATS=${repeats} npm run bench:outbox-parts\n`);
  await pg.end();
  await database.close();
});
