import { describe, expect, it } from 'vitest';
import { compileCalendar } from '../../src/core/sla/calendar.ts';
import { explainSla, slaSummary } from '../../src/core/sla/explain.ts';
import { createTicket, getTicket, transition } from '../../src/core/tickets.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// The sample Madrid calendar closes on Tue 8 Dec 2026 (a public holiday).

const clock = fixedClock('2026-12-07T13:30:00Z'); // Mon 7 Dec, 14:30 in Madrid

const { ctx } = coreForSuite(clock.now);

describe(`SLA explanation on ${engine}`, () => {
  it('explains a due time across a pause and a holiday, clock by clock', async () => {
    clock.set('2026-12-07T13:30:00Z');
    const { ticket } = await createTicket(ctx, { type: 'laptop', title: 'Laptop for Eva', priority: 'P2', requester: { email: 'eva@example.com' }, fields: { model: '13-inch' }, channel: 'teams' });
    clock.set('2026-12-07T14:00:00Z'); // 15:00 Madrid
    await transition(ctx, { ticketKey: ticket.key, status: 'waiting_on_requester', channel: 'slack' });
    clock.set('2026-12-07T15:10:00Z'); // 16:10 Madrid
    await transition(ctx, { ticketKey: ticket.key, status: 'in_progress', channel: 'slack' });

    clock.set('2026-12-07T15:20:00Z');
    const sla = await explainSla(ctx, ticket.key);
    // 8 h + 70 paused minutes from Mon 14:30: Mon 3 h 30 min, Tue closed, Wed 09–13 and 14:00–15:40.
    expect(sla.resolution.explanation).toEqual({
      clock: 'resolution',
      state: 'running',
      dueAt: '2026-12-09T14:40:00.000Z',
      timezone: 'Europe/Madrid',
      targetMinutes: 480,
      startedAt: '2026-12-07T13:30:00.000Z',
      pausedMinutes: 70,
      pauses: [{ from: '2026-12-07T14:00:00.000Z', to: '2026-12-07T15:10:00.000Z', reason: 'waiting_on_requester', businessMinutes: 70 }],
      closedDays: [{ date: '2026-12-08', reason: 'holiday' }],
      text: 'due Wed 15:40 Europe/Madrid: 8 business hours from Mon 14:30, paused 1 h 10 min waiting on requester, holiday Tue excluded',
    });
    expect(sla.resolution.dueAt).toBe(sla.resolution.explanation.dueAt);
    expect(sla.firstResponse.explanation.text).toBe('due Mon 16:40 Europe/Madrid: 1 business hour from Mon 14:30, paused 1 h 10 min waiting on requester');
    expect(sla.summary).toBe('first response due in 20 min (business hours Europe/Madrid)'); // 16:20 Madrid now
  });

  it('says a clock is paused while waiting, and how it ended once it has', async () => {
    clock.set('2026-12-07T13:30:00Z');
    const { ticket } = await createTicket(ctx, { type: 'laptop', title: 'Laptop for Fer', priority: 'P2', requester: { email: 'fer@example.com' }, fields: { model: '13-inch' }, channel: 'email' });
    clock.set('2026-12-07T14:00:00Z');
    await transition(ctx, { ticketKey: ticket.key, status: 'waiting_on_requester', channel: 'slack' });
    clock.set('2026-12-07T16:00:00Z');
    const waiting = await explainSla(ctx, ticket.key);
    expect(waiting.firstResponse.explanation.text).toBe('due Mon 15:30 Europe/Madrid: 1 business hour from Mon 14:30, paused since Mon 15:00 waiting on requester (due moves out when the clock resumes)');
    expect(waiting.summary).toBe('first response paused, waiting on requester (30 min left, business hours Europe/Madrid)');

    clock.set('2026-12-09T08:30:00Z'); // Wed 09:30 Madrid: paused Mon 15:00–18:00 and Wed 09:00–09:30, 3 h 30 min
    await transition(ctx, { ticketKey: ticket.key, status: 'resolved', channel: 'slack' });
    const done = await explainSla(ctx, ticket.key);
    expect(done.resolution.explanation.text).toBe('due Wed 18:00 Europe/Madrid: 8 business hours from Mon 14:30, paused 3 h 30 min waiting on requester, holiday Tue excluded; met Wed 09:30');
    expect(done.summary).toBe('resolution met');
  });

  it('summarises the clock that matters now in one line', () => {
    const madrid = compileCalendar({ timezone: 'Europe/Madrid', hours: { 'mon-fri': ['09:00-13:00', '14:00-18:00'] } });
    const now = new Date('2026-11-23T10:00:00Z'); // Mon 11:00 Madrid
    const clockAt = (dueAt: string | null, state: 'running' | 'paused' | 'met' | 'breached', metAt: string | null = null) => ({ dueAt, state, metAt, breachedAt: null, pausedAt: null });
    const running = { status: 'open', sla: { firstResponse: clockAt('2026-11-23T14:10:00Z', 'running'), resolution: clockAt('2026-11-24T14:00:00Z', 'running') } };
    expect(slaSummary(running, now, madrid)).toBe('first response due in 3 h 10 min (business hours Europe/Madrid)'); // lunch 13–14 not counted
    const late = { status: 'open', sla: { firstResponse: clockAt('2026-11-23T09:40:00Z', 'breached'), resolution: clockAt('2026-11-24T14:00:00Z', 'running') } };
    expect(slaSummary(late, now, madrid)).toBe('first response breached 20 min ago');
    const answered = { status: 'in_progress', sla: { firstResponse: clockAt('2026-11-23T09:40:00Z', 'met', '2026-11-23T09:30:00Z'), resolution: clockAt('2026-11-23T12:00:00Z', 'running') } };
    expect(slaSummary(answered, now)).toBe('resolution due in 2 h');
    expect(slaSummary({ status: 'new', sla: { firstResponse: clockAt(null, 'running'), resolution: clockAt(null, 'running') } }, now)).toBe('no SLA');
  });

  it('the ticket view keeps the contract shape with the outcome times added', async () => {
    clock.set('2026-12-07T13:30:00Z');
    const { ticket } = await createTicket(ctx, { type: 'laptop', title: 'Laptop for Gil', requester: { email: 'gil@example.com' }, fields: { model: '13-inch' }, channel: 'web' });
    const view = await getTicket(ctx, ticket.key);
    expect(view.sla.firstResponse).toEqual({ dueAt: expect.any(String), state: 'running', metAt: null, breachedAt: null, pausedAt: null });
  });
});
