import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { setAvailability } from '../../src/core/assignment.ts';
import { Forbidden, NotFound } from '../../src/core/errors.ts';
import { assign, createTicket, transition } from '../../src/core/tickets.ts';
import { people, tickets } from '../../src/db/schema.ts';
import { engine } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

const AGENTS = ['a1@example.com', 'a2@example.com', 'a3@example.com', 'a4@example.com'];
const LO_AGENTS = ['b1@example.com', 'b2@example.com', 'b3@example.com', 'b4@example.com'];

const CATALOG = `
calendars:
  always: { timezone: UTC, hours: 24x7 }
queues:
  RR: { name: Round robin, calendar: always, assignment: round_robin, agents: [${AGENTS.join(', ')}], leads: [lead@example.com] }
  LO: { name: Least open, calendar: always, assignment: least_open, agents: [${LO_AGENTS.join(', ')}] }
  NO: { name: Nobody, calendar: always, agents: [${[...AGENTS, ...LO_AGENTS].join(', ')}] }
request_types:
  rr: { queue: RR, name: RR }
  lo: { queue: LO, name: LO }
  no: { queue: NO, name: NO }
`;

let n = 0;
const create = (type: string) => createTicket(ctx, { type, title: `request ${++n}`, requester: { email: `employee${n}@example.com` }, channel: 'api' });
const setAway = (emails: string[], away: boolean) => database.db.update(people).set({ away }).where(inArray(people.email, emails));

// Enough connections that concurrent creates really overlap on Postgres.
const { database, ctx } = coreForSuite(() => new Date('2026-11-23T10:00:00Z'), [], { catalogYaml: CATALOG, max: 20 });

describe(`assignment on ${engine}`, () => {
  it('none leaves a new ticket unassigned', async () => {
    const { ticket } = await create('no');
    expect(ticket.assignee).toBeNull();
  });

  it('round_robin takes turns in roster order (agents, then leads), skipping away and inactive agents, and says so on the timeline', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await create('rr')).ticket.assignee!.email);
    expect(seen).toEqual([...AGENTS, 'lead@example.com', 'a1@example.com']);

    await setAway(['a3@example.com'], true);
    await database.db.update(people).set({ active: false }).where(eq(people.email, 'lead@example.com'));
    const next: string[] = [];
    for (let i = 0; i < 4; i++) next.push((await create('rr')).ticket.assignee!.email);
    expect(next).toEqual(['a2@example.com', 'a4@example.com', 'a1@example.com', 'a2@example.com']);
    await setAway(['a3@example.com'], false);
    await database.db.update(people).set({ active: true }).where(eq(people.email, 'lead@example.com'));
    expect((await create('rr')).ticket.assignee!.email).toBe('a3@example.com');

    const [row] = await database.db.select().from(tickets).where(eq(tickets.queueKey, 'RR')).limit(1);
    const { getTimeline } = await import('../../src/core/tickets.ts');
    const timeline = await getTimeline(ctx, row!.key, { includeInternal: true });
    expect(timeline.map((e) => [e.type, e.visibility])).toEqual([['created', 'public'], ['assigned', 'internal']]);
    expect(timeline[1]).toMatchObject({ actor: null, data: { to: 'a1@example.com', by: 'round_robin' } });
  });

  it('with everyone away, a new ticket stays unassigned', async () => {
    await setAway([...AGENTS, 'lead@example.com'], true);
    expect((await create('rr')).ticket.assignee).toBeNull();
    await setAway([...AGENTS, 'lead@example.com'], false);
  });

  it('40 concurrent creates under round_robin give each of 4 agents exactly 10, in strict turns', async () => {
    await setAway(['lead@example.com'], true);
    const results = await Promise.all(Array.from({ length: 40 }, () => create('rr')));
    await setAway(['lead@example.com'], false);
    const counts = new Map<string, number>();
    for (const r of results) counts.set(r.ticket.assignee!.email, (counts.get(r.ticket.assignee!.email) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(AGENTS.map((a) => [a, 10])));
    // Ticket numbers follow the order the cursor was taken in: assignees cycle without a repeat.
    const ordered = results.map((r) => ({ number: Number(r.ticket.key.split('-')[1]), who: r.ticket.assignee!.email })).sort((a, b) => a.number - b.number);
    for (let i = 1; i < ordered.length; i++) {
      expect(AGENTS.indexOf(ordered[i]!.who)).toBe((AGENTS.indexOf(ordered[i - 1]!.who) + 1) % AGENTS.length);
    }
  });

  it('least_open gives each ticket to the agent with the fewest open tickets (in any queue); ties go to roster order', async () => {
    // b1 has 2 open tickets (of another queue), b2 one; b3 and b4 none. Resolved tickets do not count.
    const seed = async (email: string, count: number, status?: 'resolved') => {
      for (let i = 0; i < count; i++) {
        const { ticket } = await create('no');
        await assign(ctx, { ticketKey: ticket.key, assignee: { email }, channel: 'api' });
        if (status) await transition(ctx, { ticketKey: ticket.key, status, channel: 'api' });
      }
    };
    await seed('b1@example.com', 2);
    await seed('b2@example.com', 1);
    await seed('b3@example.com', 3, 'resolved');
    const picks: string[] = [];
    for (let i = 0; i < 5; i++) picks.push((await create('lo')).ticket.assignee!.email);
    // Loads 2,1,0,0 → b3 (tie with b4, roster order), b4; then 2,1,1,1 → b2, b3, b4.
    expect(picks).toEqual(['b3@example.com', 'b4@example.com', 'b2@example.com', 'b3@example.com', 'b4@example.com']);
  });

  it('40 concurrent creates under least_open leave the open load even', async () => {
    const openLoad = async () => {
      const rows = await database.db.select({ assigneeId: tickets.assigneeId, status: tickets.status }).from(tickets);
      const ids = new Map((await database.db.select().from(people).where(inArray(people.email, LO_AGENTS))).map((p) => [p.id, p.email]));
      const load = new Map(LO_AGENTS.map((a) => [a, 0]));
      for (const r of rows) if (r.assigneeId && ids.has(r.assigneeId) && !['resolved', 'closed'].includes(r.status)) load.set(ids.get(r.assigneeId)!, load.get(ids.get(r.assigneeId)!)! + 1);
      return load;
    };
    const before = await openLoad();
    const results = await Promise.all(Array.from({ length: 40 }, () => create('lo')));
    expect(results.every((r) => r.ticket.assignee !== null)).toBe(true);
    const after = [...(await openLoad()).values()];
    const total = [...before.values()].reduce((s, v) => s + v, 0) + 40;
    // Fewest-open every time: the loads end up within one ticket of each other.
    expect(Math.max(...after) - Math.min(...after)).toBeLessThanOrEqual(1);
    expect(after.reduce((s, v) => s + v, 0)).toBe(total);
  });

  it('availability is for agents: unknown people are not found, employees are refused', async () => {
    expect(await setAvailability(database.db, 'A2@Example.com', true)).toEqual({ email: 'a2@example.com', away: true, queues: ['NO', 'RR'] });
    await setAvailability(database.db, 'a2@example.com', false);
    await expect(setAvailability(database.db, 'nobody@example.com', true)).rejects.toBeInstanceOf(NotFound);
    await expect(setAvailability(database.db, 'employee1@example.com', true)).rejects.toBeInstanceOf(Forbidden);
  });
});
