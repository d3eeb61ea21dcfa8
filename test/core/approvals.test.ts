import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { AlreadyDecided, decideApproval } from '../../src/core/approvals.ts';
import { scanApprovalReminders } from '../../src/core/approval-reminders.ts';
import { Conflict, Forbidden, Invalid } from '../../src/core/errors.ts';
import { resolvePerson } from '../../src/core/people.ts';
import { addBusinessMinutes } from '../../src/core/sla/business-time.ts';
import { compileCalendar } from '../../src/core/sla/calendar.ts';
import { SlaScanner } from '../../src/core/sla/scanner.ts';
import { explainSla, slaSummary } from '../../src/core/sla/explain.ts';
import { createTicket, getTicket, getTimeline, transition } from '../../src/core/tickets.ts';
import { deliveries, people, ticketEvents } from '../../src/db/schema.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// The sample catalog: system-access (IT, Madrid calendar Mon–Fri 09–13 & 14–18, P3: first response
// 2 h, resolution 8 h) asks the manager from the directory, then the form's manager_email, then any
// IT lead (sara.ng). marta.lopez is an IT agent, it-lead@example.com an admin.
const clock = fixedClock('2026-11-23T09:30:00Z'); // Monday 10:30 in Madrid
const madrid = compileCalendar({ timezone: 'Europe/Madrid', hours: { 'mon-fri': ['09:00-13:00', '14:00-18:00'] }, holidays: [{ date: '2026-12-08', hours: [] }] });

const { database, ctx } = coreForSuite(clock.now, ['slack', 'email']);

let counter = 0;
/** A requester whose manager the directory knows (people.manager_id, as SCIM stores it). */
async function employee(withManager = true) {
  counter += 1;
  const requester = await resolvePerson(database.db, { email: `emp${counter}@example.com`, name: `Emp ${counter}` });
  const manager = await resolvePerson(database.db, { email: `boss${counter}@example.com`, name: `Boss ${counter}` });
  if (withManager) await database.db.update(people).set({ managerId: manager.id }).where(eq(people.id, requester.id));
  return { requester, manager, fieldApprover: `finance${counter}@example.com` };
}

async function accessRequest(who: Awaited<ReturnType<typeof employee>>, at = '2026-11-23T09:30:00Z') {
  clock.set(at);
  const { ticket } = await createTicket(ctx, {
    type: 'system-access',
    title: 'GitHub access',
    requester: { email: who.requester.email },
    fields: { system: 'GitHub', role: 'write', manager_email: who.fieldApprover },
    channel: 'slack',
  });
  return ticket;
}

const decide = (key: string, step: number, email: string, decision: 'approve' | 'reject' = 'approve', comment?: string) =>
  decideApproval(ctx, { ticketKey: key, step, decision, comment, approver: { email }, channel: 'api' });

async function eventTypes(key: string) {
  return (await getTimeline(ctx, key, { includeInternal: true })).map((e) => e.type);
}

describe(`approvals on ${engine}`, () => {
  it('a system-access request waits for its steps in order, with its SLA clocks stopped, and opens with the clocks starting at the last approval', async () => {
    const who = await employee();
    const ticket = await accessRequest(who);
    expect(ticket.status).toBe('awaiting_approval');
    expect(ticket.sla.firstResponse).toMatchObject({ dueAt: null, state: 'paused' });
    expect(ticket.sla.resolution).toMatchObject({ dueAt: null, state: 'paused' });
    expect(slaSummary(ticket, clock.now(), madrid)).toBe('SLA paused until the request is approved');
    expect(ticket.approvals.map((a) => [a.step, a.approver?.email ?? null, a.state, a.current])).toEqual([
      [1, who.manager.email, 'pending', true],
      [2, who.fieldApprover, 'pending', false],
      [3, null, 'pending', false],
    ]);

    // The field approver cannot jump the queue.
    await expect(decide(ticket.key, 2, who.fieldApprover)).rejects.toThrow(/step 1 of .* comes first/);

    clock.set('2026-11-23T10:00:00Z');
    const first = await decide(ticket.key, 1, who.manager.email, 'approve', 'fine by me');
    expect(first.ticket.status).toBe('awaiting_approval');
    expect(first.ticket.approvals[0]).toMatchObject({ state: 'approved', decidedAt: '2026-11-23T10:00:00.000Z', comment: 'fine by me', current: false });
    expect(first.ticket.approvals[1]!.current).toBe(true);
    clock.set('2026-11-23T10:30:00Z');
    await decide(ticket.key, 2, who.fieldApprover);
    // A day later the clocks still have not started.
    clock.set('2026-11-24T10:00:00Z');
    expect((await getTicket(ctx, ticket.key)).sla.firstResponse).toMatchObject({ dueAt: null, state: 'paused' });
    const last = await decide(ticket.key, 3, 'sara.ng@example.com');
    expect(last.ticket.status).toBe('open');
    // Computed on the calendar on its own: 2 h and 8 h of business time from the last approval.
    const approvedAt = new Date('2026-11-24T10:00:00Z');
    expect(last.ticket.sla.firstResponse).toMatchObject({ state: 'running', dueAt: addBusinessMinutes(madrid, approvedAt, 120).toISOString() });
    expect(last.ticket.sla.firstResponse.dueAt).toBe('2026-11-24T12:00:00.000Z'); // 11:00 Madrid + 2 h = 13:00 Madrid
    expect(last.ticket.sla.resolution.dueAt).toBe(addBusinessMinutes(madrid, approvedAt, 480).toISOString());
    expect(await eventTypes(ticket.key)).toEqual([
      'created',
      'approval_requested',
      'approval_decided',
      'approval_requested',
      'approval_decided',
      'approval_requested',
      'approval_decided',
      'sla_resumed',
      'status_changed',
    ]);
    // The explanation of the due time names the wait for approval.
    const explained = await explainSla(ctx, ticket.key);
    expect(explained.firstResponse.explanation.text).toMatch(/2 business hours from Mon 10:30, started after .+ awaiting approval/);
    expect((await getTicket(ctx, ticket.key)).sla.firstResponse.state).toBe('running');
  });

  it('only the step\'s approver decides: anyone else, the requester and an agent are refused and nothing changes', async () => {
    const who = await employee();
    const ticket = await accessRequest(who);
    for (const email of ['stranger@example.com', who.requester.email, 'marta.lopez@example.com', 'sara.ng@example.com', who.fieldApprover]) {
      await expect(decide(ticket.key, 1, email)).rejects.toBeInstanceOf(Forbidden);
    }
    await expect(decide(ticket.key, 1, 'stranger@example.com')).rejects.toThrow(`only ${who.manager.email} can`);
    const now = await getTicket(ctx, ticket.key);
    expect(now.approvals[0]!.state).toBe('pending');
    expect(await eventTypes(ticket.key)).toEqual(['created', 'approval_requested']);
  });

  it('a second decision of a step is answered with who decided what and when', async () => {
    const who = await employee();
    const ticket = await accessRequest(who);
    clock.set('2026-11-23T11:00:00Z');
    await decide(ticket.key, 1, who.manager.email);
    clock.set('2026-11-23T11:05:00Z');
    const again = decide(ticket.key, 1, who.manager.email, 'reject', 'changed my mind');
    await expect(again).rejects.toBeInstanceOf(AlreadyDecided);
    const error = (await again.catch((e: unknown) => e)) as AlreadyDecided;
    expect(error).toBeInstanceOf(Conflict);
    expect(error.details).toEqual({ step: 1, decision: 'approved', decidedBy: { email: who.manager.email, name: who.manager.name }, decidedAt: '2026-11-23T11:00:00.000Z', comment: null, channel: 'api' });
    expect(error.message).toMatch(`step 1 was already approved by ${who.manager.name} at 2026-11-23T11:00:00.000Z`);
    expect((await getTicket(ctx, ticket.key)).approvals[0]!.state).toBe('approved');
  });

  it('a rejection needs a reason, closes the ticket with it, and the requester hears it on their channel', async () => {
    const who = await employee();
    const ticket = await accessRequest(who);
    await expect(decide(ticket.key, 1, who.manager.email, 'reject')).rejects.toBeInstanceOf(Invalid);
    clock.set('2026-11-23T12:00:00Z');
    const result = await decide(ticket.key, 1, who.manager.email, 'reject', 'Use the read-only role');
    expect(result.ticket.status).toBe('closed');
    expect(result.ticket.approvals.map((a) => a.state)).toEqual(['rejected', 'pending', 'pending']);
    const timeline = await getTimeline(ctx, ticket.key, { includeInternal: false });
    const decided = timeline.find((e) => e.type === 'approval_decided')!;
    expect(decided.body).toMatch(/Rejected by Boss \d+ \(step 1 of 3\): Use the read-only role/);
    expect(timeline.find((e) => e.type === 'status_changed')!.body).toMatch(/awaiting_approval → closed \(rejected by Boss \d+: Use the read-only role\)/);
    // The requester filed on Slack (no thread recorded here): the rejection goes to them by email, the only channel they can be reached on.
    const sent = await database.db.select().from(deliveries).where(and(eq(deliveries.eventId, decided.id), eq(deliveries.audience, 'requester')));
    expect(sent.map((d) => [d.channel, d.personId])).toEqual([['email', who.requester.id]]);
    // Nothing more to decide.
    await expect(decide(ticket.key, 2, who.fieldApprover)).rejects.toBeInstanceOf(AlreadyDecided);
  });

  it('asks the approver directly on their own channel, and refreshes that card on the decision', async () => {
    const who = await employee();
    await database.db.update(people).set({ slackUserId: `U${counter}BOSS` }).where(eq(people.id, who.manager.id));
    const ticket = await accessRequest(who);
    const [requested] = await database.db.select().from(ticketEvents).where(and(eq(ticketEvents.ticketId, ticket.id), eq(ticketEvents.type, 'approval_requested')));
    const asked = await database.db.select().from(deliveries).where(and(eq(deliveries.eventId, requested!.id), eq(deliveries.audience, 'approver')));
    expect(asked.map((d) => [d.channel, d.kind, d.personId])).toEqual([['slack', 'message', who.manager.id]]);
    await decide(ticket.key, 1, who.manager.email);
    const [decided] = await database.db.select().from(ticketEvents).where(and(eq(ticketEvents.ticketId, ticket.id), eq(ticketEvents.type, 'approval_decided')));
    const refreshed = await database.db.select().from(deliveries).where(and(eq(deliveries.eventId, decided!.id), eq(deliveries.audience, 'approver')));
    expect(refreshed.map((d) => [d.channel, d.kind, d.personId])).toEqual([['slack', 'card', who.manager.id]]);
  });

  it('a step without its approver goes to the queue\'s leads with the reason', async () => {
    const who = await employee(false);
    const ticket = await accessRequest(who);
    expect(ticket.approvals[0]).toMatchObject({ approver: null, reason: `the directory has no manager for ${who.requester.email}` });
    const sara = (await database.db.select().from(people).where(eq(people.email, 'sara.ng@example.com')))[0]!;
    const [requested] = await database.db.select().from(ticketEvents).where(and(eq(ticketEvents.ticketId, ticket.id), eq(ticketEvents.type, 'approval_requested')));
    expect(requested!.body).toMatch(/requested from the IT queue's leads \(the directory has no manager/);
    expect((await database.db.select().from(deliveries).where(and(eq(deliveries.eventId, requested!.id), eq(deliveries.audience, 'approver')))).map((d) => d.personId)).toEqual([sara.id]);
    await expect(decide(ticket.key, 1, 'marta.lopez@example.com')).rejects.toBeInstanceOf(Forbidden);
    const result = await decide(ticket.key, 1, 'sara.ng@example.com');
    expect(result.ticket.approvals[0]).toMatchObject({ state: 'approved', approver: { email: 'sara.ng@example.com' } });
  });

  it('the requester naming themselves on the form does not approve their own request', async () => {
    const who = await employee();
    const ticket = await accessRequest({ ...who, fieldApprover: who.requester.email });
    expect(ticket.approvals[1]).toMatchObject({ approver: null, reason: `${who.requester.email} cannot approve their own request` });
  });

  it('the desk may withdraw a request awaiting approval (close), but not open it past the approvers', async () => {
    const who = await employee();
    const ticket = await accessRequest(who);
    await expect(transition(ctx, { ticketKey: ticket.key, status: 'open', channel: 'api' })).rejects.toThrow(/allowed: closed/);
    expect((await transition(ctx, { ticketKey: ticket.key, status: 'closed', channel: 'api' })).ticket.status).toBe('closed');
    await expect(decide(ticket.key, 1, who.manager.email)).rejects.toThrow(/no longer awaiting approval/);
  });

  it('reminds an approver once a business day has passed, twice at most, then tells the leads; two scanners remind once', async () => {
    const who = await employee();
    const ticket = await accessRequest(who, '2026-11-27T15:00:00Z'); // Friday 16:00 Madrid
    const reminders = async () =>
      database.db.select().from(ticketEvents).where(and(eq(ticketEvents.ticketId, ticket.id), inArray(ticketEvents.type, ['approval_reminder', 'approval_overdue'])));
    // Saturday: no business time has passed.
    clock.set('2026-11-28T15:00:00Z');
    await new SlaScanner({ core: ctx }).runOnce();
    expect(await reminders()).toHaveLength(0);
    // Monday 16:00 Madrid is one business day (8 h) later; two replicas scan at once.
    clock.set('2026-11-30T15:00:00Z');
    const other = { ...ctx };
    await Promise.all([new SlaScanner({ core: ctx }).runOnce(), new SlaScanner({ core: other }).runOnce()]);
    await new SlaScanner({ core: ctx }).runOnce();
    expect((await reminders()).map((e) => e.type)).toEqual(['approval_reminder']);
    const [first] = await reminders();
    const to = await database.db.select().from(deliveries).where(and(eq(deliveries.eventId, first!.id), eq(deliveries.audience, 'approver')));
    expect(to.map((d) => d.personId)).toEqual([who.manager.id]);
    clock.set('2026-12-01T15:00:00Z');
    await scanApprovalReminders(ctx);
    clock.set('2026-12-02T15:00:00Z');
    await scanApprovalReminders(ctx);
    clock.set('2026-12-04T15:00:00Z');
    await scanApprovalReminders(ctx);
    expect((await reminders()).map((e) => e.type)).toEqual(['approval_reminder', 'approval_reminder', 'approval_overdue']);
    const overdue = (await reminders())[2]!;
    const sara = (await database.db.select().from(people).where(eq(people.email, 'sara.ng@example.com')))[0]!;
    expect((await database.db.select().from(deliveries).where(and(eq(deliveries.eventId, overdue.id), eq(deliveries.audience, 'lead')))).map((d) => d.personId)).toEqual([sara.id]);
  });
});
