import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Conflict, Forbidden, Invalid } from '../../src/core/errors.ts';
import { rateTicket, satisfactionReport } from '../../src/core/satisfaction.ts';
import { addComment, assign, createTicket, getTicket, getTimeline, transition } from '../../src/core/tickets.ts';
import { deliveries, ticketEvents } from '../../src/db/schema.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// IT asks after resolve with a 7-day cooldown; HR does not ask. marta.lopez and bo.chen are IT agents.
const clock = fixedClock('2026-11-02T09:00:00Z');

const { database, ctx } = coreForSuite(clock.now, ['email']);

let counter = 0;
async function resolvedTicket(options: { requester?: string; type?: string; channel?: string; agent?: string; at?: string } = {}) {
  if (options.at) clock.set(options.at);
  counter += 1;
  const type = options.type ?? 'laptop';
  const fields = type === 'laptop' ? { model: '13-inch' } : type === 'payroll-question' ? { month: 'Oct', question: 'Why?' } : {};
  const { ticket } = await createTicket(ctx, { type, title: `Thing ${counter}`, requester: { email: options.requester ?? `rater${counter}@example.com` }, fields, channel: options.channel ?? 'api' });
  if (options.agent) await assign(ctx, { ticketKey: ticket.key, assignee: { email: options.agent }, channel: 'api' });
  await transition(ctx, { ticketKey: ticket.key, status: 'resolved', channel: 'api' });
  return ticket;
}

const asked = async (ticketId: number) => database.db.select().from(ticketEvents).where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.type, 'satisfaction_requested')));

describe(`satisfaction on ${engine}`, () => {
  it('asks the requester on their channel when an IT ticket is resolved, not in HR, and not again within the cooldown', async () => {
    const first = await resolvedTicket({ requester: 'repeat@example.com', at: '2026-11-02T09:00:00Z' });
    const [event] = await asked(first.id);
    expect(event).toBeDefined();
    const to = await database.db.select().from(deliveries).where(and(eq(deliveries.eventId, event!.id), eq(deliveries.audience, 'survey')));
    expect(to.map((d) => [d.channel, (d.target as { address?: string }).address])).toEqual([['email', 'repeat@example.com']]);
    // Three days later: within the 7-day cooldown.
    const second = await resolvedTicket({ requester: 'repeat@example.com', at: '2026-11-05T09:00:00Z' });
    expect(await asked(second.id)).toHaveLength(0);
    const third = await resolvedTicket({ requester: 'repeat@example.com', at: '2026-11-10T09:00:00Z' });
    expect(await asked(third.id)).toHaveLength(1);
    const hr = await resolvedTicket({ type: 'payroll-question' });
    expect(await asked(hr.id)).toHaveLength(0);
    // Reopened and resolved again: one survey per ticket.
    await addComment(ctx, { ticketKey: third.key, body: 'Still broken', visibility: 'public', author: { email: 'repeat@example.com' }, channel: 'email' });
    await transition(ctx, { ticketKey: third.key, status: 'resolved', channel: 'api' });
    expect(await asked(third.id)).toHaveLength(1);
  });

  it('only the requester rates, only once resolved, and may change it until the ticket is closed', async () => {
    clock.set('2026-11-03T10:00:00Z');
    const { ticket } = await createTicket(ctx, { type: 'laptop', title: 'Dock', requester: { email: 'una@example.com' }, fields: { model: '13-inch' }, channel: 'api' });
    const rate = (rating: number, email = 'una@example.com', comment?: string) => rateTicket(ctx, { ticketKey: ticket.key, rating, comment, rater: { email }, channel: 'api' });
    await expect(rate(5)).rejects.toThrow(/can be rated once resolved/);
    await transition(ctx, { ticketKey: ticket.key, status: 'resolved', channel: 'api' });
    await expect(rate(5, 'marta.lopez@example.com')).rejects.toBeInstanceOf(Forbidden);
    await expect(rate(6)).rejects.toBeInstanceOf(Invalid);
    const rated = await rate(3, 'una@example.com', 'slow');
    expect(rated.ticket.satisfaction).toEqual({ rating: 3, comment: 'slow', ratedAt: '2026-11-03T10:00:00.000Z' });
    clock.set('2026-11-03T11:00:00Z');
    expect((await rate(4)).ticket.satisfaction).toEqual({ rating: 4, comment: null, ratedAt: '2026-11-03T11:00:00.000Z' });
    await transition(ctx, { ticketKey: ticket.key, status: 'closed', channel: 'api' });
    await expect(rate(1)).rejects.toBeInstanceOf(Conflict);
    expect((await getTicket(ctx, ticket.key)).satisfaction?.rating).toBe(4);
    const types = (await getTimeline(ctx, ticket.key, { includeInternal: true })).map((e) => e.type);
    expect(types.filter((t) => t === 'satisfaction_rated')).toHaveLength(2);
  });

  it('reports asked, answered, response rate, CSAT and the mean by queue, channel and agent on known data', async () => {
    // A window of its own: five IT tickets asked in December 2026.
    const day = (d: number) => `2026-12-${String(d).padStart(2, '0')}T10:00:00Z`;
    const plan: Array<{ channel: string; agent: string; rating: number | null }> = [
      { channel: 'slack', agent: 'marta.lopez@example.com', rating: 5 },
      { channel: 'slack', agent: 'marta.lopez@example.com', rating: 4 },
      { channel: 'email', agent: 'marta.lopez@example.com', rating: 2 },
      { channel: 'email', agent: 'bo.chen@example.com', rating: null },
      { channel: 'web', agent: 'bo.chen@example.com', rating: 3 },
    ];
    for (const [i, p] of plan.entries()) {
      const ticket = await resolvedTicket({ channel: p.channel, agent: p.agent, at: day(i + 1) });
      if (p.rating !== null) await rateTicket(ctx, { ticketKey: ticket.key, rating: p.rating, rater: { email: `rater${counter}@example.com` }, channel: 'email' });
    }
    const report = await satisfactionReport(database.db, { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z'), queues: ['IT'] });
    expect(report.totals).toEqual({ asked: 5, answered: 4, responseRate: 0.8, csat: 0.5, mean: 3.5 });
    expect(report.byQueue).toEqual([{ queue: 'IT', asked: 5, answered: 4, responseRate: 0.8, csat: 0.5, mean: 3.5 }]);
    expect(report.byChannel).toEqual([
      { channel: 'email', asked: 2, answered: 1, responseRate: 0.5, csat: 0, mean: 2 },
      { channel: 'slack', asked: 2, answered: 2, responseRate: 1, csat: 1, mean: 4.5 },
      { channel: 'web', asked: 1, answered: 1, responseRate: 1, csat: 0, mean: 3 },
    ]);
    expect(report.byAgent).toEqual([
      { agent: { email: 'bo.chen@example.com', name: null }, asked: 2, answered: 1, responseRate: 0.5, csat: 0, mean: 3 },
      { agent: { email: 'marta.lopez@example.com', name: null }, asked: 3, answered: 3, responseRate: 1, csat: 0.6667, mean: 3.6667 },
    ]);
    const none = await satisfactionReport(database.db, { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z'), queues: ['HR'] });
    expect(none.totals).toEqual({ asked: 0, answered: 0, responseRate: null, csat: null, mean: null });
  });
});
