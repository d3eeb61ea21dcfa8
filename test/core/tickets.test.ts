import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deliveries, people, ticketEvents } from '../../src/db/schema.ts';
import { Conflict, Invalid, NotFound } from '../../src/core/errors.ts';
import { STATUSES, allowedNext, type Status } from '../../src/core/status.ts';
import { addComment, assign, createTicket, getTimeline, setPriority, transition } from '../../src/core/tickets.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

const clock = fixedClock('2026-11-23T09:30:00Z'); // a Monday

const { database, ctx } = coreForSuite(clock.now, ['slack', 'email', 'webhook']);

let counter = 0;
function laptopRequest(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    type: 'laptop',
    title: `Laptop for new hire ${counter}`,
    description: 'Starts Monday',
    requester: { email: `Ana.${counter}@Example.com`, name: 'Ana' },
    fields: { model: '13-inch' },
    channel: 'api',
    ...overrides,
  };
}

async function ticketIn(status: Status) {
  // A type with approvals starts there (the sample's system-access).
  if (status === 'awaiting_approval') {
    const fields = { system: 'GitHub', role: 'read', manager_email: 'boss@example.com' };
    return (await createTicket(ctx, laptopRequest({ type: 'system-access', title: 'GitHub access', fields }))).ticket.key;
  }
  const { ticket } = await createTicket(ctx, laptopRequest());
  const path: Record<Status, Status[]> = {
    new: [],
    open: ['open'],
    in_progress: ['in_progress'],
    waiting_on_requester: ['waiting_on_requester'],
    resolved: ['resolved'],
    closed: ['resolved', 'closed'],
    awaiting_approval: [],
  };
  for (const step of path[status]) await transition(ctx, { ticketKey: ticket.key, status: step, channel: 'api' });
  return ticket.key;
}

describe(`core tickets on ${engine}`, () => {
  it('creates a ticket with a queue key, a lower-cased requester and a created event', async () => {
    const { ticket, event, replayed } = await createTicket(ctx, laptopRequest({ requester: { email: 'Bea@Example.COM', name: 'Bea' } }));
    expect(ticket.key).toMatch(/^IT-\d+$/);
    expect(ticket.status).toBe('new');
    expect(ticket.priority).toBe('P3');
    expect(ticket.requester).toEqual({ email: 'bea@example.com', name: 'Bea' });
    expect(ticket.fields).toEqual({ model: '13-inch', for_new_hire: false });
    expect(ticket.sla.firstResponse.state).toBe('running');
    expect(ticket.sla.firstResponse.dueAt).toBe('2026-11-23T14:30:00.000Z'); // 10:30 Madrid + 4 business hours, lunch 13-14 excluded
    expect(event?.type).toBe('created');
    expect(replayed).toBe(false);
  });

  it('rejects unknown types, missing required fields and unknown fields with reasons', async () => {
    await expect(createTicket(ctx, laptopRequest({ type: 'spaceship' }))).rejects.toBeInstanceOf(NotFound);
    const missing = createTicket(ctx, laptopRequest({ fields: {} }));
    await expect(missing).rejects.toBeInstanceOf(Invalid);
    await expect(missing).rejects.toThrow(/fields\.model is required/);
    await expect(createTicket(ctx, laptopRequest({ fields: { model: '13-inch', colour: 'red' } }))).rejects.toThrow(/unknown field\(s\): colour/);
    await expect(createTicket(ctx, laptopRequest({ fields: { model: '17-inch' } }))).rejects.toThrow(/must be one of/);
  });

  it('gives 50 concurrent creates in one queue 50 distinct consecutive keys', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => createTicket(ctx, { ...laptopRequest(), type: 'hr-letter', fields: { letter: 'salary letter', language: 'English' }, title: `letter ${i}` })),
    );
    const numbers = results.map((r) => Number(r.ticket.key.split('-')[1])).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(50);
    expect(numbers[49]! - numbers[0]!).toBe(49);
    expect(results.every((r) => r.ticket.key.startsWith('HR-'))).toBe(true);
  });

  it('returns the first ticket for a repeated idempotency key and writes nothing', async () => {
    const request = laptopRequest({ idempotencyKey: 'api:test:create-once' });
    const first = await createTicket(ctx, request);
    const again = await createTicket(ctx, { ...request, title: 'something else' });
    const racing = await Promise.all([createTicket(ctx, request), createTicket(ctx, request)]);
    expect(again.ticket.key).toBe(first.ticket.key);
    expect(again.replayed).toBe(true);
    expect(racing.map((r) => r.ticket.key)).toEqual([first.ticket.key, first.ticket.key]);
    const events = await database.db.select().from(ticketEvents).where(eq(ticketEvents.idempotencyKey, 'api:test:create-once'));
    expect(events).toHaveLength(1);
  });

  it('a repeated idempotency key among concurrent creates of one queue replays for that request alone; the others are created, numbered without a gap', async () => {
    // IT assigns nobody, so its plain creates go without a transaction: on Postgres, concurrent ones
    // as one statement, which the two with one key make fail.
    const laptop = (title: string, idempotencyKey?: string) => createTicket(ctx, { ...laptopRequest({ idempotencyKey }), title });
    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => laptop(`before ${i}`)),
      laptop('keyed', 'api:test:grouped-once'),
      laptop('keyed again', 'api:test:grouped-once'),
      ...Array.from({ length: 5 }, (_, i) => laptop(`after ${i}`)),
    ]);
    const keyed = results.slice(5, 7);
    expect(keyed[0]!.ticket.key).toBe(keyed[1]!.ticket.key);
    expect(keyed.filter((r) => r.replayed)).toHaveLength(1);
    const created = results.filter((r) => !r.replayed);
    expect(created).toHaveLength(11);
    const numbers = created.map((r) => Number(r.ticket.key.split('-')[1])).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(11);
    expect(numbers[10]! - numbers[0]!).toBe(10);
    expect(await database.db.select().from(ticketEvents).where(eq(ticketEvents.idempotencyKey, 'api:test:grouped-once'))).toHaveLength(1);
  });

  it("a chat reply written without a result (result: 'none') is still written once per idempotency key, in turn or racing", async () => {
    const { ticket } = await createTicket(ctx, laptopRequest());
    const reply = { ticketKey: ticket.key, body: 'Still flickering', visibility: 'public' as const, author: { email: 'ada@example.com' }, channel: 'slack', result: 'none' as const };
    expect(await addComment(ctx, { ...reply, idempotencyKey: 'slack:event:Ev-quiet-1' })).toBeUndefined();
    await addComment(ctx, { ...reply, idempotencyKey: 'slack:event:Ev-quiet-1' });
    await Promise.all([addComment(ctx, { ...reply, idempotencyKey: 'slack:event:Ev-quiet-2' }), addComment(ctx, { ...reply, idempotencyKey: 'slack:event:Ev-quiet-2' })]);
    const comments = (await getTimeline(ctx, ticket.key, { includeInternal: true })).filter((e) => e.type === 'comment');
    expect(comments.map((c) => c.body)).toEqual(['Still flickering', 'Still flickering']);
    const keyed = await database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticket.id));
    expect(keyed.filter((e) => e.idempotencyKey?.startsWith('slack:event:Ev-quiet-')).map((e) => e.idempotencyKey)).toEqual(['slack:event:Ev-quiet-1', 'slack:event:Ev-quiet-2']);
  });

  it('never makes two people for one email, whatever the case', async () => {
    await createTicket(ctx, laptopRequest({ requester: { email: 'carl@example.com' } }));
    await createTicket(ctx, laptopRequest({ requester: { email: 'CARL@example.com', name: 'Carl' } }));
    const rows = await database.db.select().from(people).where(eq(people.email, 'carl@example.com'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.name).toBe('Carl');
  });

  describe('status machine', () => {
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        const legal = allowedNext(from).includes(to);
        it(`${from} → ${to} is ${legal ? 'allowed' : 'refused with the allowed states'}`, async () => {
          const key = await ticketIn(from);
          const attempt = transition(ctx, { ticketKey: key, status: to, channel: 'api' });
          if (legal) {
            expect((await attempt).ticket.status).toBe(to);
          } else {
            await expect(attempt).rejects.toBeInstanceOf(Conflict);
            await expect(transition(ctx, { ticketKey: key, status: to, channel: 'api' })).rejects.toThrow(
              allowedNext(from).length ? new RegExp(`allowed: ${allowedNext(from).join(', ')}`) : /closed is final/,
            );
          }
        });
      }
    }
  });

  it('reopens a resolved ticket when the requester replies, but not on an agent reply', async () => {
    const key = await ticketIn('resolved');
    const agentReply = await addComment(ctx, { ticketKey: key, body: 'Glad it works', visibility: 'public', author: { email: 'marta.lopez@example.com' }, channel: 'api' });
    expect(agentReply.ticket.status).toBe('resolved');
    const requesterEmail = agentReply.ticket.requester.email;
    const reply = await addComment(ctx, { ticketKey: key, body: 'It broke again', visibility: 'public', author: { email: requesterEmail }, channel: 'email' });
    expect(reply.ticket.status).toBe('open');
    const timeline = await getTimeline(ctx, key, { includeInternal: true });
    expect(timeline.filter((e) => e.type === 'status_changed').at(-1)).toMatchObject({ type: 'status_changed', data: { from: 'resolved', to: 'open', reason: 'requester replied' } });
  });

  it('sends internal notes to the triage side only, public comments to the requester too', async () => {
    const { ticket } = await createTicket(ctx, laptopRequest());
    const note = await addComment(ctx, { ticketKey: ticket.key, body: 'Check stock first', visibility: 'internal', author: { email: 'marta.lopez@example.com' }, channel: 'api' });
    const reply = await addComment(ctx, { ticketKey: ticket.key, body: 'On its way', visibility: 'public', author: { email: 'marta.lopez@example.com' }, channel: 'api' });
    const targets = async (eventId: number) =>
      (await database.db.select().from(deliveries).where(eq(deliveries.eventId, eventId))).map((d) => `${d.channel}:${d.audience}`).sort();
    expect(await targets(note.event!.id)).toEqual(['slack:triage']);
    expect(await targets(reply.event!.id)).toEqual(['email:requester', 'slack:triage']);
  });

  it('does not echo a requester comment back to the requester by email', async () => {
    const { ticket } = await createTicket(ctx, laptopRequest());
    const reply = await addComment(ctx, { ticketKey: ticket.key, body: 'Any news?', visibility: 'public', author: { email: ticket.requester.email }, channel: 'email' });
    const rows = await database.db.select().from(deliveries).where(eq(deliveries.eventId, reply.event!.id));
    expect(rows.map((d) => `${d.channel}:${d.audience}`)).toEqual(['slack:triage']);
  });

  it('assigns, unassigns and changes priority with timeline events', async () => {
    const { ticket } = await createTicket(ctx, laptopRequest());
    const assigned = await assign(ctx, { ticketKey: ticket.key, assignee: { email: 'Dan.Okafor@Example.com', name: 'Dan' }, channel: 'api' });
    expect(assigned.ticket.assignee).toEqual({ email: 'dan.okafor@example.com', name: 'Dan' });
    const unassigned = await assign(ctx, { ticketKey: ticket.key, assignee: null, channel: 'api' });
    expect(unassigned.ticket.assignee).toBeNull();
    const urgent = await setPriority(ctx, { ticketKey: ticket.key, priority: 'P1', channel: 'api' });
    expect(urgent.ticket.priority).toBe('P1');
    expect(urgent.ticket.sla.firstResponse.dueAt).toBe('2026-11-23T10:00:00.000Z'); // 30 business minutes
    const types = (await getTimeline(ctx, ticket.key, { includeInternal: true })).map((e) => e.type);
    expect(types).toEqual(['created', 'assigned', 'assigned', 'priority_changed']);
  });
});
