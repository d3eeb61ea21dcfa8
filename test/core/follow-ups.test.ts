import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scanFollowUps } from '../../src/core/follow-ups.ts';
import { SlaScanner } from '../../src/core/sla/scanner.ts';
import { addComment, createTicket, getTicket, getTimeline, transition } from '../../src/core/tickets.ts';
import { deliveries, ticketEvents } from '../../src/db/schema.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// IT's follow_up: remind_waiting [2d, 4d], resolve_waiting_after 7d, close_resolved_after 3d (calendar time).
const clock = fixedClock('2026-11-02T09:00:00Z');
const DAY = 86_400_000;

const { database, ctx } = coreForSuite(clock.now, ['email']);

let counter = 0;
async function waitingTicket(start: string) {
  clock.set(start);
  counter += 1;
  const requester = `quiet${counter}@example.com`;
  const { ticket } = await createTicket(ctx, { type: 'laptop', title: `Laptop ${counter}`, requester: { email: requester }, fields: { model: '13-inch' }, channel: 'email' });
  await addComment(ctx, { ticketKey: ticket.key, body: 'Which office are you in?', visibility: 'public', author: { email: 'marta.lopez@example.com' }, channel: 'api' });
  await transition(ctx, { ticketKey: ticket.key, status: 'waiting_on_requester', channel: 'api' });
  return { ticket, requester };
}

async function followUpEvents(ticketId: number) {
  return database.db
    .select()
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), inArray(ticketEvents.type, ['follow_up_reminder', 'follow_up_resolved', 'status_changed'])))
    .orderBy(ticketEvents.id);
}

async function scanAt(at: Date) {
  clock.set(at);
  // Two replicas at once: each follow-up happens once.
  await Promise.all([new SlaScanner({ core: ctx }).runOnce(), scanFollowUps({ ...ctx })]);
}

describe(`follow-ups on ${engine}`, () => {
  it('nudges a silent requester on day 2 and 4, resolves on day 7 saying why, and closes 3 days later', async () => {
    const start = new Date('2026-11-02T09:00:00Z');
    const { ticket, requester } = await waitingTicket(start.toISOString());
    const at = (days: number, hours = 0) => new Date(start.getTime() + days * DAY + hours * 3_600_000);
    await scanAt(at(1, 23));
    expect((await followUpEvents(ticket.id)).filter((e) => e.type !== 'status_changed')).toHaveLength(0);
    await scanAt(at(2));
    await scanAt(at(2, 1));
    const nudges = (await followUpEvents(ticket.id)).filter((e) => e.type === 'follow_up_reminder');
    expect(nudges).toHaveLength(1);
    expect(nudges[0]!.visibility).toBe('public');
    expect(nudges[0]!.body).toMatch(/still waiting for your reply.*resolved 7 days after we asked/);
    const toRequester = await database.db.select().from(deliveries).where(and(eq(deliveries.eventId, nudges[0]!.id), eq(deliveries.audience, 'requester')));
    expect(toRequester.map((d) => [d.channel, (d.target as { address?: string }).address])).toEqual([['email', requester]]);
    await scanAt(at(4));
    await scanAt(at(6, 23));
    expect((await getTicket(ctx, ticket.key)).status).toBe('waiting_on_requester');
    await scanAt(at(7));
    const resolved = await getTicket(ctx, ticket.key);
    expect(resolved.status).toBe('resolved');
    const timeline = await getTimeline(ctx, ticket.key, { includeInternal: false });
    expect(timeline.find((e) => e.type === 'follow_up_resolved')!.body).toBe('Resolved automatically: no reply from the requester in 7 days. Reply to reopen it.');
    await scanAt(at(9, 23));
    expect((await getTicket(ctx, ticket.key)).status).toBe('resolved');
    await scanAt(at(10));
    expect((await getTicket(ctx, ticket.key)).status).toBe('closed');
    expect((await followUpEvents(ticket.id)).map((e) => (e.type === 'status_changed' ? `${(e.data as { to: string }).to}` : e.type))).toEqual([
      'waiting_on_requester',
      'follow_up_reminder',
      'follow_up_reminder',
      'follow_up_resolved',
      'resolved',
      'closed',
    ]);
  });

  it('a requester reply stops the sequence', async () => {
    const start = new Date('2026-11-16T09:00:00Z');
    const { ticket, requester } = await waitingTicket(start.toISOString());
    await scanAt(new Date(start.getTime() + 2 * DAY));
    clock.set(new Date(start.getTime() + 3 * DAY));
    await addComment(ctx, { ticketKey: ticket.key, body: 'Madrid, 3rd floor', visibility: 'public', author: { email: requester }, channel: 'email' });
    expect((await getTicket(ctx, ticket.key)).status).toBe('open');
    for (const days of [4, 7, 11]) await scanAt(new Date(start.getTime() + days * DAY));
    expect((await followUpEvents(ticket.id)).filter((e) => e.type !== 'status_changed').map((e) => e.type)).toEqual(['follow_up_reminder']);
    expect((await getTicket(ctx, ticket.key)).status).toBe('open');
  });
});
