/**
 * npm run bench:outbox — deliveries/s from the worker to a local HTTP sink (webhooks) on
 * real Postgres. BENCH_DELIVERIES=20000 BENCH_BATCH=64 npm run bench:outbox
 */
import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { WebhookOutbound } from '../src/channels/webhook/outbound.ts';
import { loadCatalogFile, syncCatalog } from '../src/core/catalog.ts';
import { createTicket } from '../src/core/tickets.ts';
import { createWebhook } from '../src/core/webhooks.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { deliveries } from '../src/db/schema.ts';
import { DeliveryWorker } from '../src/outbox/worker.ts';
import { withThrowawayDatabase } from './support.ts';

const SINK_SOURCE = `
  const http = require('node:http');
  let count = 0;
  const server = http.createServer((req, res) => { req.resume(); req.on('end', () => { count += 1; res.writeHead(204).end(); }); });
  server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
  setInterval(() => console.log('count ' + count), 20);
`;

const total = Number(process.env.BENCH_DELIVERIES ?? 20_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 128);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);

await withThrowawayDatabase(async (url) => {
  // The sink runs in its own process, as a real receiver would; it reports its count on stdout.
  const sink = spawn(process.execPath, ['-e', SINK_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  let received = 0;
  const port = await new Promise<number>((resolve) => {
    sink.stdout.setEncoding('utf8');
    sink.stdout.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        const [kind, value] = line.split(' ');
        if (kind === 'port') resolve(Number(value));
        if (kind === 'count') received = Number(value);
      }
    });
  });
  const database = await openDatabase({ url, max: 10 });
  await migrate(database);
  await syncCatalog(database.db, loadCatalogFile(undefined));
  await createWebhook(database.db, { url: `http://127.0.0.1:${port}/`, events: [], includeInternal: true });
  // One ticket's created event, fanned out: the outbox rows are what we measure.
  const ctx = { db: database.db, now: () => new Date(), enabled: new Set(['webhook']) };
  const tickets = await Promise.all(Array.from({ length: 200 }, (_, i) => createTicket(ctx, { type: 'laptop', title: `Outbox ${i}`, requester: { email: 'bench@example.com' }, fields: { model: '13-inch' }, channel: 'api' })));
  await database.db.execute(sql`delete from ${deliveries}`);
  const eventRows = await database.db.execute<{ id: number; ticket_id: number }>(sql`select id, ticket_id from ticket_events`);
  const events = (Array.isArray(eventRows) ? eventRows : (eventRows as { rows: Array<{ id: number; ticket_id: number }> }).rows);
  const subscription = (await database.db.execute<{ id: number }>(sql`select id from webhook_subscriptions limit 1`)) as unknown as Array<{ id: number }>;
  // Spread rows over many lanes (one lane per ticket keeps order, so fan-out is per ticket).
  await database.db.execute(sql`
    insert into deliveries (event_id, ticket_id, channel, audience, lane, target, status, next_attempt_at)
    select e.id, e.ticket_id, 'webhook', 'integration', 'webhook:integration:' || g, jsonb_build_object('subscriptionId', ${subscription[0]!.id}::int), 'pending', now()
    from generate_series(1, ${total}) g
    join lateral (select id, ticket_id from ticket_events order by id offset (g % ${events.length}) limit 1) e on true`);
  void tickets;
  const worker = new DeliveryWorker({ database, adapters: [new WebhookOutbound()], batchSize, concurrency, pollMs: 1000 });
  const started = performance.now();
  await worker.start();
  while (received < total) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  const sent = received;
  process.stdout.write(`outbox: ${sent} deliveries (${received} received by the sink) in ${seconds.toFixed(2)} s, batch ${batchSize}, ${concurrency} batches in flight\n`);
  process.stdout.write(`  deliveries/s ${(sent / seconds).toFixed(0)} (target ≥ 2000 on 2 cores)\n`);
  process.stdout.write(`reproduce: BENCH_DELIVERIES=${total} BENCH_BATCH=${batchSize} BENCH_CONCURRENCY=${concurrency} npm run bench:outbox\n`);
  await database.close();
  sink.kill();
});
