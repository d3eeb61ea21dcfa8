import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tickets } from '../../src/db/schema.ts';
import { addComment, createTicket, getTicket, getTimeline, setPriority, transition } from '../../src/core/tickets.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// Sample catalog: IT runs on the Madrid calendar, Mon–Fri 09:00–13:00 and 14:00–18:00
// (UTC+1 in November). A P3 laptop request has 4 h to first response, 24 h to resolution.

const clock = fixedClock('2026-11-23T09:30:00Z'); // Monday 10:30 in Madrid

const { database, ctx } = coreForSuite(clock.now, ['slack']);

let counter = 0;
async function laptopAt(at: string, priority?: 'P1' | 'P2' | 'P3' | 'P4') {
  clock.set(at);
  counter += 1;
  const { ticket } = await createTicket(ctx, {
    type: 'laptop',
    title: `Laptop ${counter}`,
    requester: { email: `requester.${counter}@example.com` },
    fields: { model: '13-inch' },
    channel: 'web',
    priority,
  });
  return ticket;
}

async function move(key: string, status: Parameters<typeof transition>[1]['status'], at: string) {
  clock.set(at);
  return (await transition(ctx, { ticketKey: key, status, channel: 'slack' })).ticket;
}

async function row(key: string) {
  const [ticket] = await database.db.select().from(tickets).where(eq(tickets.key, key));
  return ticket!;
}

async function slaEventTypes(key: string) {
  return (await getTimeline(ctx, key, { includeInternal: true })).filter((e) => e.type.startsWith('sla_')).map((e) => `${e.type}:${e.visibility}`);
}

describe(`SLA clocks on ${engine}`, () => {
  it('waiting on the requester pauses both clocks and resuming pushes them out by the paused business time', async () => {
    const ticket = await laptopAt('2026-11-23T09:30:00Z');
    expect(ticket.sla.firstResponse.dueAt).toBe('2026-11-23T14:30:00.000Z'); // Mon 15:30 Madrid
    const paused = await move(ticket.key, 'waiting_on_requester', '2026-11-23T10:00:00Z'); // 11:00 Madrid
    expect(paused.sla.firstResponse.state).toBe('paused');
    expect(paused.sla.resolution.state).toBe('paused');
    expect((await row(ticket.key)).nextSlaCheckAt).toBeNull(); // nothing can happen while paused

    // Back at 14:30 Madrid: 11:00–13:00 and 14:00–14:30 were paused, 150 business minutes.
    const resumed = await move(ticket.key, 'in_progress', '2026-11-23T13:30:00Z');
    expect(resumed.sla.firstResponse).toMatchObject({ state: 'running', dueAt: '2026-11-23T17:00:00.000Z' }); // Mon 18:00 Madrid
    expect((await row(ticket.key)).slaPausedMinutes).toBe(150);
    expect(await slaEventTypes(ticket.key)).toEqual(['sla_paused:internal', 'sla_resumed:internal']);
  });

  it('a pause over the lunch break and the night costs no business time beyond what was open', async () => {
    const ticket = await laptopAt('2026-11-24T16:00:00Z'); // Tue 17:00 Madrid
    await move(ticket.key, 'waiting_on_requester', '2026-11-24T16:30:00Z'); // 17:30
    const resumed = await move(ticket.key, 'open', '2026-11-25T07:30:00Z'); // Wed 08:30, before opening
    // Paused 30 business minutes (17:30–18:00), so first response moves from Wed 12:00 to 12:30 Madrid.
    expect(resumed.sla.firstResponse.dueAt).toBe('2026-11-25T11:30:00.000Z');
  });

  it('reopening a resolved ticket resumes the resolution clock where it stopped', async () => {
    const ticket = await laptopAt('2026-11-23T09:30:00Z');
    const resolved = await move(ticket.key, 'resolved', '2026-11-23T11:30:00Z'); // 2 business hours used, 22 h left
    expect(resolved.sla.resolution.state).toBe('met');
    const reopened = await move(ticket.key, 'open', '2026-11-26T08:00:00Z'); // Thu 09:00 Madrid
    // Thu 8 h + Fri 8 h + Mon 09:00–13:00 and 14:00–16:00 = 22 h: Mon 30 Nov 16:00 Madrid.
    expect(reopened.sla.resolution).toMatchObject({ state: 'running', dueAt: '2026-11-30T15:00:00.000Z' });
    expect((await row(ticket.key)).nextSlaCheckAt).not.toBeNull();
    const events = (await getTimeline(ctx, ticket.key, { includeInternal: true })).filter((e) => e.type.startsWith('sla_'));
    expect(events.map((e) => `${e.type}:${String(e.data.clock)}`)).toEqual(['sla_met:first_response', 'sla_met:resolution', 'sla_resumed:resolution']);
    expect(events.at(-1)!.data).toMatchObject({ reason: 'reopened', remainingMinutes: 22 * 60 });
  });

  it('a requester reply on a resolved ticket reopens it and resumes the resolution clock', async () => {
    const ticket = await laptopAt('2026-11-23T09:30:00Z');
    await move(ticket.key, 'resolved', '2026-11-23T11:30:00Z');
    clock.set('2026-11-26T08:00:00Z');
    const reply = await addComment(ctx, { ticketKey: ticket.key, body: 'It broke again', visibility: 'public', author: { email: ticket.requester.email }, channel: 'email' });
    expect(reply.ticket.status).toBe('open');
    expect(reply.ticket.sla.resolution).toMatchObject({ state: 'running', dueAt: '2026-11-30T15:00:00.000Z' });
  });

  it('a priority change recomputes the targets from the creation time, keeping paused time', async () => {
    const ticket = await laptopAt('2026-11-23T09:30:00Z');
    await move(ticket.key, 'waiting_on_requester', '2026-11-23T09:40:00Z');
    await move(ticket.key, 'open', '2026-11-23T10:40:00Z'); // 60 business minutes paused
    clock.set('2026-11-23T10:45:00Z');
    const urgent = await setPriority(ctx, { ticketKey: ticket.key, priority: 'P1', channel: 'slack' });
    // P1: 30 min to first response, 4 h to resolution, from 10:30 Madrid, plus the 60 paused minutes.
    expect(urgent.ticket.sla.firstResponse).toMatchObject({ dueAt: '2026-11-23T11:00:00.000Z', state: 'running' });
    expect(urgent.ticket.sla.resolution.dueAt).toBe('2026-11-23T15:30:00.000Z'); // 10:30 + 4 h + lunch + 1 h paused = 16:30 Madrid

    const relaxed = await setPriority(ctx, { ticketKey: ticket.key, priority: 'P4', channel: 'slack' });
    expect(relaxed.ticket.sla.firstResponse.dueAt).toBe('2026-11-24T10:30:00.000Z'); // 8 h + 1 h from Mon 10:30 → Tue 11:30 Madrid
  });

  it('raising the priority past the elapsed time makes the clock breached at once', async () => {
    const ticket = await laptopAt('2026-11-23T09:30:00Z');
    clock.set('2026-11-23T10:30:00Z');
    const urgent = await setPriority(ctx, { ticketKey: ticket.key, priority: 'P1', channel: 'slack' });
    expect(urgent.ticket.sla.firstResponse).toMatchObject({ dueAt: '2026-11-23T10:00:00.000Z', state: 'breached' });
    expect((await row(ticket.key)).nextSlaCheckAt!.getTime()).toBeLessThanOrEqual(clock.now().getTime()); // the scanner fires it next pass
  });

  it('the first public agent comment meets first response, from any channel; notes and requester replies do not', async () => {
    for (const channel of ['slack', 'teams', 'email', 'web', 'api']) {
      const ticket = await laptopAt('2026-11-23T09:30:00Z');
      clock.set('2026-11-23T10:00:00Z');
      await addComment(ctx, { ticketKey: ticket.key, body: 'Stock check first', visibility: 'internal', author: { email: 'marta.lopez@example.com' }, channel });
      await addComment(ctx, { ticketKey: ticket.key, body: 'Any news?', visibility: 'public', author: { email: ticket.requester.email }, channel });
      expect((await getTicket(ctx, ticket.key)).sla.firstResponse.state).toBe('running');
      clock.set('2026-11-23T10:15:00Z');
      const answered = await addComment(ctx, { ticketKey: ticket.key, body: 'On its way', visibility: 'public', author: { email: 'marta.lopez@example.com' }, channel });
      expect(answered.ticket.sla.firstResponse).toMatchObject({ state: 'met', metAt: '2026-11-23T10:15:00.000Z' });
      expect(await slaEventTypes(ticket.key)).toEqual(['sla_met:internal']);
    }
  });

  it('an agent reply while the clock is paused is judged at the moment it paused', async () => {
    const ticket = await laptopAt('2026-11-23T09:30:00Z', 'P1'); // first response due 10:00Z
    await move(ticket.key, 'waiting_on_requester', '2026-11-23T09:45:00Z');
    clock.set('2026-11-23T11:00:00Z');
    const answered = await addComment(ctx, { ticketKey: ticket.key, body: 'Which model exactly?', visibility: 'public', author: { email: 'marta.lopez@example.com' }, channel: 'slack' });
    expect(answered.ticket.sla.firstResponse.state).toBe('met');
  });

  it('resolving straight from waiting on requester judges resolution against the pushed-out due time', async () => {
    const ticket = await laptopAt('2026-11-23T09:30:00Z', 'P1'); // resolution due Mon 15:30 Madrid = 14:30Z
    await move(ticket.key, 'waiting_on_requester', '2026-11-23T10:00:00Z');
    // 3.5 business hours were left at 11:00 Madrid; resumed at 16:00 they run to Tue 10:30 Madrid.
    const resolved = await move(ticket.key, 'resolved', '2026-11-23T15:00:00Z');
    expect(resolved.sla.resolution.state).toBe('met');
    expect(resolved.sla.resolution.dueAt).toBe('2026-11-24T09:30:00.000Z');
  });

  it('tells the story on the timeline as internal events that reach the triage channel only', async () => {
    const ticket = await laptopAt('2026-11-23T09:30:00Z');
    await move(ticket.key, 'waiting_on_requester', '2026-11-23T10:00:00Z');
    await move(ticket.key, 'open', '2026-11-23T10:30:00Z');
    const timeline = await getTimeline(ctx, ticket.key, { includeInternal: false });
    expect(timeline.some((e) => e.type.startsWith('sla_'))).toBe(false);
  });
});
