import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { overviewReport, type OverviewQuery } from '../../src/core/report-overview.ts';
import { SlaScanner } from '../../src/core/sla/scanner.ts';
import { addComment, createTicket, transition } from '../../src/core/tickets.ts';
import { resultRows } from '../../src/db/migrate.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// IT laptops (P3: first response 4 h, resolution 24 h) on the Madrid calendar (Mon–Fri 09–13, 14–18).
// Created Mon 23 Nov 2026 10:30 Madrid (09:30Z): first response due 15:30 Madrid (14:30Z),
// resolution due Thu 26 10:30 Madrid (09:30Z). Created Tue 24 10:00 Madrid (09:00Z): first
// response due 15:00 Madrid (14:00Z), resolution due Fri 27 10:00 Madrid.
const clock = fixedClock('2026-11-23T09:30:00Z');
const { database, ctx } = coreForSuite(clock.now, ['slack']);
const agent = { email: 'marta.lopez@example.com' };

async function laptop(title: string) {
  const { ticket } = await createTicket(ctx, { type: 'laptop', title, requester: { email: `${title}@example.com` }, fields: { model: '13-inch' }, channel: 'slack' });
  return ticket.key;
}

async function scanAt(at: string) {
  clock.set(at);
  await new SlaScanner({ core: ctx, batchSize: 50 }).runOnce();
}

/** Every query of the week, through the rollup and from the tickets: the same figures. */
async function reportBothWays() {
  const week = { from: DateTime.fromISO('2026-11-23', { zone: 'Europe/Madrid' }), to: DateTime.fromISO('2026-11-30', { zone: 'Europe/Madrid' }) };
  const queries: OverviewQuery[] = [
    { ...week, queue: 'IT', timezone: 'Europe/Madrid', interval: 'day', now: clock.now() },
    { ...week, timezone: 'UTC', interval: 'week', now: clock.now() },
  ];
  const reports = [];
  for (const query of queries) {
    const fromRollup = await overviewReport(database.db, query);
    expect(fromRollup, `${query.interval} ${query.queue ?? 'every queue'}`).toEqual(await overviewReport(database.db, { ...query, rollup: false }));
    reports.push(fromRollup);
  }
  return reports[0]!.totals;
}

describe(`overview report of clocks the SLA scanner breached, on ${engine}`, () => {
  it('no index of tickets names a column the scanner writes, so its warnings and breaches are HOT updates', async () => {
    const defs = resultRows<{ def: string }>(
      await database.db.execute(sql`select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'tickets'::regclass`),
    );
    expect(defs.length).toBeGreaterThan(10);
    expect(defs.filter(({ def }) => /breached_at|warned_at|next_sla_check_at/.test(def))).toEqual([]);
  });

  it('counts a running clock marked breached once, a late one not marked yet too, and a breached one waiting on the requester', async () => {
    clock.set('2026-11-23T09:30:00Z');
    await laptop('marked'); // breached by the scanner, both clocks, still running
    const answered = await laptop('answered'); // first response met; resolution breached by the scanner
    const waiting = await laptop('waiting'); // first response breached by the scanner, then waiting on the requester
    clock.set('2026-11-23T10:00:00Z');
    await addComment(ctx, { ticketKey: answered, body: 'On it', visibility: 'public', author: agent, channel: 'slack' });
    // The breaches of running clocks change no rollup row (the report reads running clocks live).
    const rollupRows = sql`select queue_key, hour, xmin::text as version from ticket_hours order by 1, 2`;
    const before = resultRows(await database.db.execute(rollupRows));
    await scanAt('2026-11-23T15:00:00Z');
    expect(resultRows(await database.db.execute(rollupRows))).toEqual(before);
    const marked = resultRows<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from tickets where first_response_breached_at is not null`));
    expect(marked[0]?.n, 'breaches the scanner recorded').toBe(2);
    clock.set('2026-11-23T15:10:00Z');
    await transition(ctx, { ticketKey: waiting, status: 'waiting_on_requester', actor: agent, channel: 'slack' });
    clock.set('2026-11-24T09:00:00Z');
    await laptop('late'); // first response past due by Thursday, never scanned
    await scanAt('2026-11-26T10:00:00Z');
    clock.set('2026-11-26T12:00:00Z');

    // First response: answered met; marked and waiting breached (marked), late breached (past due). 1 of 4.
    // Resolution: marked and answered breached (marked); waiting paused, late running: no verdict.
    let totals = await reportBothWays();
    expect(totals.firstResponse.metPct).toBe(25);
    expect(totals.resolution.metPct).toBe(0);
    expect(totals.slaMetPct).toBe(16.7);

    // Back from waiting: its breached first-response clock runs again, and still counts once.
    await transition(ctx, { ticketKey: waiting, status: 'open', actor: agent, channel: 'slack' });
    totals = await reportBothWays();
    expect(totals.firstResponse.metPct).toBe(25);
    expect(totals.resolution.metPct).toBe(0);
  });
});
