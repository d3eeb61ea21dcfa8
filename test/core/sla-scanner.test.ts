import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { anchors, deliveries, ticketEvents, tickets, ticketSlaChecks } from '../../src/db/schema.ts';
import { scanSla, SlaScanner } from '../../src/core/sla/scanner.ts';
import { addComment, createTicket, getTicket, setPriority, transition, type CoreContext } from '../../src/core/tickets.ts';
import { registry } from '../../src/metrics.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// IT queue: Madrid calendar (Mon–Fri 09–13, 14–18), warn_at 0.75, escalation to Slack C0999999999.
// A P3 laptop created Mon 10:30 Madrid: first response 4 h → due 15:30 Madrid (14:30Z);
// 75 % of it (3 h) is used at 14:30 Madrid (13:30Z).

const clock = fixedClock('2026-11-23T09:30:00Z');

const { database, ctx } = coreForSuite(clock.now, ['slack']);

let counter = 0;
async function laptop(at: string) {
  clock.set(at);
  counter += 1;
  const { ticket } = await createTicket(ctx, { type: 'laptop', title: `Laptop ${counter}`, requester: { email: `r${counter}@example.com` }, fields: { model: '15-inch' }, channel: 'slack' });
  return ticket;
}

async function slaEventsOf(ticketId: number) {
  return database.db.select().from(ticketEvents).where(and(eq(ticketEvents.ticketId, ticketId), inArray(ticketEvents.type, ['sla_warning', 'sla_breached'])));
}

async function scanAt(at: string) {
  clock.set(at);
  return new SlaScanner({ core: ctx, batchSize: 50 }).runOnce();
}

describe(`SLA scanner on ${engine}`, () => {
  it('fires the first-response warning at 75 % of the budget, then the breach at the due time, each once', async () => {
    const ticket = await laptop('2026-11-23T09:30:00Z');
    const row = async () => (await database.db.select().from(tickets).where(eq(tickets.id, ticket.id)))[0]!;
    expect((await row()).nextSlaCheckAt?.toISOString()).toBe('2026-11-23T13:30:00.000Z');

    await scanAt('2026-11-23T13:29:59Z');
    expect(await slaEventsOf(ticket.id)).toHaveLength(0);

    await scanAt('2026-11-23T13:30:00Z');
    await scanAt('2026-11-23T13:45:00Z');
    const warned = await slaEventsOf(ticket.id);
    expect(warned.map((e) => `${e.type}:${(e.data as { clock: string }).clock}`)).toEqual(['sla_warning:first_response']);
    expect((await row()).firstResponseWarnedAt?.toISOString()).toBe('2026-11-23T13:30:00.000Z');
    expect((await row()).nextSlaCheckAt?.toISOString()).toBe('2026-11-23T14:30:00.000Z'); // next: the due time

    await scanAt('2026-11-23T14:30:00Z');
    await scanAt('2026-11-23T15:00:00Z');
    const fired = await slaEventsOf(ticket.id);
    expect(fired.map((e) => `${e.type}:${(e.data as { clock: string }).clock}:${e.visibility}`)).toEqual([
      'sla_warning:first_response:internal',
      'sla_breached:first_response:internal',
    ]);
    expect((await getTicket(ctx, ticket.key)).sla.firstResponse).toMatchObject({ state: 'breached', breachedAt: '2026-11-23T14:30:00.000Z' });

    // The warning goes to the triage thread; the breach also to the queue's escalation channel.
    const targets = async (eventId: number) =>
      (await database.db.select().from(deliveries).where(eq(deliveries.eventId, eventId))).map((d) => `${d.channel}:${d.audience}:${(d.target as { channel?: string }).channel}`).sort();
    expect(await targets(fired[0]!.id)).toEqual(['slack:triage:C0123456789']);
    expect(await targets(fired[1]!.id)).toEqual(['slack:escalation:C0999999999', 'slack:triage:C0123456789']);

    // A late answer records the answer but fires no second breach.
    clock.set('2026-11-23T15:10:00Z');
    await addComment(ctx, { ticketKey: ticket.key, body: 'Sorry for the wait', visibility: 'public', author: { email: 'marta.lopez@example.com' }, channel: 'teams' });
    expect(await slaEventsOf(ticket.id)).toHaveLength(2);
    expect((await row()).nextSlaCheckAt?.getTime()).toBeGreaterThan(clock.now().getTime()); // the resolution clock's warning
    expect(await registry.getSingleMetricAsString('switchboard_sla_events_total')).toMatch(/type="sla_breached",clock="first_response"/);
  });

  it('a breach found before its warning went out fires the breach alone', async () => {
    const ticket = await laptop('2026-11-23T09:30:00Z');
    await scanAt('2026-11-23T16:00:00Z'); // the scanner was down through the warning moment
    const fired = await slaEventsOf(ticket.id);
    expect(fired.map((e) => e.type)).toEqual(['sla_breached']);
  });

  it('a met clock is never warned about or breached', async () => {
    const ticket = await laptop('2026-11-23T09:30:00Z');
    clock.set('2026-11-23T10:00:00Z');
    await addComment(ctx, { ticketKey: ticket.key, body: 'On it', visibility: 'public', author: { email: 'marta.lopez@example.com' }, channel: 'slack' });
    await scanAt('2026-11-23T16:00:00Z');
    expect(await slaEventsOf(ticket.id)).toHaveLength(0);
  });

  it.skipIf(engine !== 'postgres')('two scanners on one Postgres fire each warning and breach exactly once', async () => {
    // PGlite is one connection in one process, so there is nothing concurrent to test there.
    clock.set('2026-11-30T09:30:00Z');
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => createTicket(ctx, { type: 'laptop', title: `Race ${i}`, requester: { email: `race${i}@example.com` }, fields: { model: '15-inch' }, channel: 'email' }).then((r) => r.ticket)),
    );
    const ids = created.map((t) => t.id);
    const other = await openDatabase({ url: database.url, max: 4 });
    try {
      const second: CoreContext = { ...ctx, db: other.db };
      for (const at of ['2026-11-30T13:30:00Z', '2026-11-30T14:30:00Z']) {
        clock.set(at);
        const drain = async (scanner: CoreContext) => {
          while ((await scanSla(scanner, { batchSize: 7 })).claimed > 0);
        };
        await Promise.all([drain(ctx), drain(second), drain(ctx), drain(second)]);
      }
    } finally {
      await other.close();
    }
    const events = await database.db.select().from(ticketEvents).where(and(inArray(ticketEvents.ticketId, ids), inArray(ticketEvents.type, ['sla_warning', 'sla_breached'])));
    const perTicket = new Map<number, string[]>();
    for (const event of events) perTicket.set(event.ticketId, [...(perTicket.get(event.ticketId) ?? []), event.type]);
    expect(perTicket.size).toBe(40);
    for (const fired of perTicket.values()) expect(fired.sort()).toEqual(['sla_breached', 'sla_warning']);
  }, 60_000);

  it("the scanner's due list follows every write of a ticket's next check, in the same statement", async () => {
    const ticket = await laptop('2026-11-23T09:30:00Z');
    const state = async () => {
      const [row] = await database.db.select({ next: tickets.nextSlaCheckAt }).from(tickets).where(eq(tickets.id, ticket.id));
      const due = await database.db.select({ at: ticketSlaChecks.nextCheckAt }).from(ticketSlaChecks).where(eq(ticketSlaChecks.ticketId, ticket.id));
      return { ticket: row!.next?.toISOString() ?? null, dueList: due.map((d) => d.at.toISOString()) };
    };
    expect(await state()).toEqual({ ticket: '2026-11-23T13:30:00.000Z', dueList: ['2026-11-23T13:30:00.000Z'] });

    clock.set('2026-11-23T10:00:00Z');
    await transition(ctx, { ticketKey: ticket.key, status: 'waiting_on_requester', channel: 'slack' });
    expect(await state()).toEqual({ ticket: null, dueList: [] }); // paused: nothing to check
    clock.set('2026-11-23T13:30:00Z');
    await transition(ctx, { ticketKey: ticket.key, status: 'in_progress', channel: 'slack' });
    const resumed = await state();
    expect(resumed.ticket).not.toBeNull();
    expect(resumed.dueList).toEqual([resumed.ticket]);

    await setPriority(ctx, { ticketKey: ticket.key, priority: 'P1', channel: 'slack' });
    const urgent = await state();
    expect(urgent.ticket).not.toBe(resumed.ticket);
    expect(urgent.dueList).toEqual([urgent.ticket]);

    await scanAt('2026-11-23T16:00:00Z'); // the scanner's own set-wise update moves it too
    const scanned = await state();
    expect(scanned.ticket).not.toBe(urgent.ticket);
    expect(scanned.dueList).toEqual([scanned.ticket]);

    await transition(ctx, { ticketKey: ticket.key, status: 'resolved', channel: 'slack' });
    expect(await state()).toEqual({ ticket: null, dueList: [] });
  });

  it('a pass that fires the last running clock of a ticket takes it off the due list, and commands after it move the list again', async () => {
    const ticket = await laptop('2026-11-23T09:30:00Z');
    clock.set('2026-11-23T10:00:00Z');
    await addComment(ctx, { ticketKey: ticket.key, body: 'Ordered', visibility: 'public', author: { email: 'marta.lopez@example.com' }, channel: 'slack' });
    const dueList = async () => (await database.db.select({ at: ticketSlaChecks.nextCheckAt }).from(ticketSlaChecks).where(eq(ticketSlaChecks.ticketId, ticket.id))).map((d) => d.at.toISOString());
    expect(await dueList()).toHaveLength(1); // the resolution clock still runs

    await scanAt('2027-01-11T10:00:00Z'); // long past the resolution due time: its breach is the last thing that can happen
    expect((await slaEventsOf(ticket.id)).map((e) => `${e.type}:${String((e.data as { clock?: string }).clock)}`)).toEqual(['sla_breached:resolution']);
    const [row] = await database.db.select({ next: tickets.nextSlaCheckAt }).from(tickets).where(eq(tickets.id, ticket.id));
    expect(row!.next).toBeNull();
    expect(await dueList()).toEqual([]);

    // The scanner's "written already" is its own transaction's: an ordinary command later is copied again.
    await setPriority(ctx, { ticketKey: ticket.key, priority: 'P1', channel: 'slack' });
    await transition(ctx, { ticketKey: ticket.key, status: 'resolved', channel: 'slack' });
    await transition(ctx, { ticketKey: ticket.key, status: 'open', channel: 'slack' });
    const [reopened] = await database.db.select({ next: tickets.nextSlaCheckAt }).from(tickets).where(eq(tickets.id, ticket.id));
    expect(await dueList()).toEqual(reopened!.next ? [reopened!.next.toISOString()] : []);
  });

  it.skipIf(engine !== 'postgres')('a ticket a command holds is skipped, the claim reads on past it, and it fires once when released', async () => {
    await scanAt('2027-03-01T09:29:00Z'); // the earlier tests' clocks all fire now, so only these two are due below
    clock.set('2027-03-01T09:30:00Z'); // a Monday, 10:30 in Madrid
    const held = (await createTicket(ctx, { type: 'laptop', title: 'Held', requester: { email: 'held@example.com' }, fields: { model: '15-inch' }, channel: 'email' })).ticket;
    clock.set('2027-03-01T09:31:00Z');
    const free = (await createTicket(ctx, { type: 'laptop', title: 'Free', requester: { email: 'free@example.com' }, fields: { model: '15-inch' }, channel: 'email' })).ticket;
    const other = await openDatabase({ url: database.url, max: 1 });
    try {
      clock.set('2027-03-01T13:45:00Z'); // both warnings due, the held ticket's first
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const command = other.db.transaction(async (tx) => {
        await tx.select({ id: tickets.id }).from(tickets).where(eq(tickets.id, held.id)).for('update');
        locked();
        await released;
      });
      await isLocked;
      // A batch of one: the held ticket comes first in the due list, so the claim must read past it.
      expect(await scanSla(ctx, { batchSize: 1 })).toMatchObject({ checked: 1, warned: 1 });
      expect(await scanSla(ctx, { batchSize: 1 })).toMatchObject({ checked: 0 });
      expect((await slaEventsOf(held.id)).map((e) => e.type)).toEqual([]);
      expect((await slaEventsOf(free.id)).map((e) => e.type)).toEqual(['sla_warning']);
      release();
      await command;
      expect(await scanSla(ctx, { batchSize: 1 })).toMatchObject({ checked: 1, warned: 1 });
      expect(await scanSla(ctx, { batchSize: 1 })).toMatchObject({ checked: 0 });
      expect((await slaEventsOf(held.id)).map((e) => e.type)).toEqual(['sla_warning']);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('a pass in two lanes fires each warning once and counts each ticket once', async () => {
    await scanAt('2027-03-08T09:29:00Z'); // the earlier tests' clocks all fire now
    clock.set('2027-03-08T09:30:00Z'); // a Monday, 10:30 in Madrid
    const created = [];
    for (let i = 0; i < 13; i++) {
      created.push((await createTicket(ctx, { type: 'laptop', title: `Lane ${i}`, requester: { email: `lane${i}@example.com` }, fields: { model: '15-inch' }, channel: 'web' })).ticket);
    }
    clock.set('2027-03-08T13:45:00Z');
    expect(await new SlaScanner({ core: ctx, batchSize: 3, concurrency: 2 }).runOnce()).toMatchObject({ checked: 13, warned: 13, breached: 0 });
    expect(await new SlaScanner({ core: ctx, batchSize: 3, concurrency: 2 }).runOnce()).toEqual({ claimed: 0, checked: 0, warned: 0, breached: 0 });
    for (const ticket of created) expect((await slaEventsOf(ticket.id)).map((e) => e.type)).toEqual(['sla_warning']);
  });

  it("each ticket's warning in a batch is posted in that ticket's own triage thread", async () => {
    const first = await laptop('2026-11-23T09:30:00Z');
    const second = await laptop('2026-11-23T09:30:00Z');
    const third = await laptop('2026-11-23T09:30:00Z'); // no thread: a new message in the channel
    const thread = async (ticketId: number, ts: string) =>
      (await database.db.insert(anchors).values({ ticketId, channel: 'slack', side: 'triage', externalRef: `C0123456789:${ts}` }).returning())[0]!.id;
    const firstThread = await thread(first.id, '1700000000.000100');
    const secondThread = await thread(second.id, '1700000000.000200');
    await scanAt('2026-11-23T13:30:00Z');
    const warningOf = async (ticketId: number) => {
      const [event] = await slaEventsOf(ticketId);
      return (await database.db.select().from(deliveries).where(eq(deliveries.eventId, event!.id))).map((d) => `${d.channel}:${d.audience}:${d.anchorId}`);
    };
    expect(await warningOf(first.id)).toEqual([`slack:triage:${firstThread}`]);
    expect(await warningOf(second.id)).toEqual([`slack:triage:${secondThread}`]);
    expect(await warningOf(third.id)).toEqual(['slack:triage:null']);
  });

  it('the scanner started with the service stops cleanly', async () => {
    const scanner = new SlaScanner({ core: ctx, intervalMs: 60_000 });
    scanner.start();
    await scanner.stop();
  });
});
