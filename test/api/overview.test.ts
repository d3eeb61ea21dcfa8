import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { backfillDurations } from '../../src/core/durations.ts';
import { overviewReport, type OverviewQuery } from '../../src/core/report-overview.ts';
import { ticketCsvPages } from '../../src/core/report-tickets.ts';
import { addComment, createTicket, transition } from '../../src/core/tickets.ts';
import { engine, fixedClock } from '../support/db.ts';
import { apiServiceForSuite } from './harness.ts';

// IT laptops (P3: first response 4 h, resolution 24 h) on the Madrid calendar: Mon–Fri
// 09–13 and 14–18, Tue 8 Dec 2026 a holiday, Thu 24 Dec a short day (09–13), Fri 25 a holiday.
// Figures below are worked out by hand from that calendar, not by the code under test.
//
// A (api)   Mon 7 Dec 10:00 → agent reply Wed 9 10:00 = 420 (Mon) + 0 (holiday) + 60 = 480 min (breached);
//           resolved Wed 12:00, reopened by the requester, resolved again Thu 10 10:00:
//           960 min (below). Reopened once.
// D (email) Mon 7 Dec 09:30 → reply 09:45 = 15 min; waiting on requester 10:00–14:30 (210 min
//           paused); resolved 15:00: 270 − 210 = 60 min. First contact resolution.
// B (slack) Thu 24 Dec 10:00 → reply 12:30 = 150 min; resolved Mon 28 09:30: 180 + 30 = 210 min.
// C (web)   Thu 24 Dec 11:00, never answered: first response due Mon 28 11:00, breached by now
//           (Tue 29 13:00), resolution still running.
//
// A's resolution, hour by hour: Mon 10–13, 14–18 = 420; Tue holiday; Wed 09–13 = 240,
// 14–18 = 240 (resolved at 12:00 and reopened at 12:00 changes nothing: the clock is the
// last resolution less waiting); Thu 09–10 = 60. Total 420 + 480 + 60 = 960.

const TOKEN = 'overview-token';
const clock = fixedClock('2026-12-07T08:30:00Z');
const agent = { email: 'marta.lopez@example.com' };
const at = (iso: string) => clock.set(iso);

const app = apiServiceForSuite({ API_TOKENS: TOKEN }, { now: clock.now });

beforeAll(async () => {
  const core = app.core;
  const laptop = (title: string, channel: string) => createTicket(core, { type: 'laptop', title, requester: { email: `${title}@example.com` }, fields: { model: '13-inch' }, channel });

  at('2026-12-07T09:00:00Z'); // Mon 10:00 Madrid
  const a = (await laptop('a', 'api')).ticket.key;
  at('2026-12-07T08:30:00Z');
  const d = (await laptop('d', 'email')).ticket.key;
  at('2026-12-07T08:45:00Z');
  await addComment(core, { ticketKey: d, body: 'Which model?', visibility: 'public', author: agent, channel: 'slack' });
  at('2026-12-07T09:00:00Z');
  await transition(core, { ticketKey: d, status: 'waiting_on_requester', actor: agent, channel: 'slack' });
  at('2026-12-07T13:30:00Z');
  await addComment(core, { ticketKey: d, body: 'The 13-inch one', visibility: 'public', author: { email: 'd@example.com' }, channel: 'email' });
  at('2026-12-07T14:00:00Z');
  await transition(core, { ticketKey: d, status: 'resolved', actor: agent, channel: 'slack' });

  at('2026-12-09T09:00:00Z'); // Wed 10:00
  await addComment(core, { ticketKey: a, body: 'Ordered', visibility: 'public', author: agent, channel: 'slack' });
  at('2026-12-09T11:00:00Z');
  await transition(core, { ticketKey: a, status: 'resolved', actor: agent, channel: 'slack' });
  await addComment(core, { ticketKey: a, body: 'It has not arrived', visibility: 'public', author: { email: 'a@example.com' }, channel: 'api' });
  at('2026-12-10T09:00:00Z'); // Thu 10:00
  await transition(core, { ticketKey: a, status: 'resolved', actor: agent, channel: 'slack' });

  at('2026-12-24T09:00:00Z'); // Thu 24 Dec 10:00
  const b = (await laptop('b', 'slack')).ticket.key;
  at('2026-12-24T10:00:00Z');
  await laptop('c', 'web');
  at('2026-12-24T11:30:00Z');
  await addComment(core, { ticketKey: b, body: 'Shipping Monday', visibility: 'public', author: agent, channel: 'slack' });
  at('2026-12-28T08:30:00Z'); // Mon 28 09:30
  await transition(core, { ticketKey: b, status: 'resolved', actor: agent, channel: 'slack' });
  at('2026-12-29T12:00:00Z');
});

/** The same reports read through the hourly rollup and straight from the tickets: equal, figure for figure. */
async function expectRollupMatchesTickets() {
  const db = app.database.db;
  const rows = await db.execute(sql`select count(*)::int as n from ticket_hours where created <> 0 or done <> 0`);
  const [counted] = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<{ n: number }>;
  expect(counted?.n).toBeGreaterThan(0);
  const madrid = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Madrid' });
  const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'UTC' });
  const queries: OverviewQuery[] = [
    { from: madrid('2026-12-07'), to: madrid('2026-12-29'), queue: 'IT', timezone: 'Europe/Madrid', interval: 'week', now: clock.now() },
    { from: madrid('2026-12-01'), to: madrid('2027-01-01'), queue: 'IT', timezone: 'Europe/Madrid', interval: 'day', now: clock.now() },
    // Edges inside a ticket's day, and a first-response clock past due at one instant and not the other.
    { from: madrid('2026-12-07T10:00'), to: madrid('2026-12-28T12:00'), queue: 'IT', timezone: 'Europe/Madrid', interval: 'day', now: new Date('2026-12-28T09:00:00Z') },
    { from: utc('2026-11-30'), to: utc('2027-01-04'), timezone: 'UTC', interval: 'week', now: clock.now() },
  ];
  for (const query of queries) {
    const fromRollup = await overviewReport(db, query);
    const fromTickets = await overviewReport(db, { ...query, rollup: false });
    expect(fromRollup, `${query.from.toISO()} ${query.interval}`).toEqual(fromTickets);
    expect(fromRollup.totals.created + fromRollup.totals.resolved, 'the range has tickets').toBeGreaterThan(0);
  }
}

function get(route: string) {
  return fetch(`${app.url}/api/v1${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
}

describe(`overview report on ${engine}`, () => {
  it('stores business minutes, reopens and agent replies on the ticket when the clocks stop', async () => {
    const rows = await app.database.db.execute(sql`select title, first_response_minutes as fr, resolution_minutes as res, reopen_count as reopens, agent_replies as replies from tickets order by title`);
    const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
    expect(list.map((r) => ({ ...r, fr: r.fr === null ? null : Number(r.fr), res: r.res === null ? null : Number(r.res) }))).toEqual([
      { title: 'a', fr: 480, res: 960, reopens: 1, replies: 1 },
      { title: 'b', fr: 150, res: 210, reopens: 0, replies: 1 },
      { title: 'c', fr: null, res: null, reopens: 0, replies: 0 },
      { title: 'd', fr: 15, res: 60, reopens: 0, replies: 1 },
    ]);
  });

  it('reports per week in the queue zone, counting the unanswered ticket instead of dropping it', async () => {
    const response = await get('/reports/overview?queue=it&from=2026-12-07&to=2026-12-29&interval=week');
    expect(response.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: report JSON under test; every figure read is asserted.
    const report = (await response.json()) as { timezone: string; items: Array<Record<string, any>>; totals: Record<string, any> };
    expect(report.timezone).toBe('Europe/Madrid');
    expect(report.items.map((i) => i.label)).toEqual(['2026-12-07', '2026-12-14', '2026-12-21', '2026-12-28']);
    const [first, quiet, christmas, last] = report.items;
    expect(first).toMatchObject({
      start: '2026-12-06T23:00:00.000Z',
      created: 2,
      createdByChannel: { api: 1, email: 1 },
      resolved: 2,
      backlog: 0,
      firstResponse: { p50: 247.5, p90: 433.5, stopped: 2, waiting: 0, metPct: 50 },
      resolution: { p50: 510, stopped: 2, waiting: 0, metPct: 100 },
      reopenRate: 50,
      firstContactResolution: 50,
    });
    expect(quiet).toMatchObject({ created: 0, resolved: 0, backlog: 0, firstResponse: { p50: null, stopped: 0, waiting: 0 } });
    expect(christmas).toMatchObject({
      created: 2,
      createdByChannel: { slack: 1, web: 1 },
      resolved: 0,
      backlog: 2,
      firstResponse: { p50: 150, stopped: 1, waiting: 1, waitingPct: 50, metPct: 50 },
      resolution: { p50: 210, stopped: 1, waiting: 1 },
    });
    expect(last).toMatchObject({ created: 0, resolved: 1, backlog: 1 });
    expect(report.totals).toMatchObject({
      created: 4,
      resolved: 3,
      backlog: 1,
      firstResponse: { p50: 150, stopped: 3, waiting: 1, waitingPct: 25, metPct: 50 },
      resolution: { p50: 210, stopped: 3, waiting: 1, metPct: 100 },
      slaMetPct: 71.4,
      reopenRate: 33.3,
      firstContactResolution: 66.7,
    });
  });

  it('reads the same counts from the hourly rollup as from the tickets, the triggers having followed every command', async () => {
    await expectRollupMatchesTickets();
  });

  it('streams one CSV row per ticket with the same facts', async () => {
    const response = await get('/reports/tickets.csv?queue=IT&from=2026-12-01&to=2027-01-01');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('key,queue,type,priority,channel,status,createdAt,firstResponseAt,firstResponseMinutes,firstResponseState,resolvedAt,resolutionMinutes,resolutionState,reopenCount,agentReplies,firstContactResolution');
    expect(lines).toHaveLength(5);
    const byChannel = Object.fromEntries(lines.slice(1).map((line) => [line.split(',')[4], line]));
    expect(byChannel.api).toMatch(/,480,breached,2026-12-10T09:00:00.000Z,960,met,1,1,false$/);
    expect(byChannel.web).toMatch(/,open|,new/);
    // Unanswered and past its first-response due time (Mon 28 11:00): breached, as its page says.
    expect(byChannel.web).toMatch(/,,,breached,,,running,0,0,$/);
  });

  it('pages the CSV rows by (created_at, id) without repeating or skipping one', async () => {
    const keys: string[] = [];
    for await (const page of ticketCsvPages(app.database.db, { from: new Date('2026-12-01'), to: new Date('2027-01-01'), queue: 'IT', now: clock.now(), pageSize: 1 })) {
      keys.push(...page.trimEnd().split('\r\n').map((line) => line.split(',')[0]!));
    }
    expect(keys).toEqual(['IT-2', 'IT-1', 'IT-3', 'IT-4']);
  });

  it('says the same clock states in the CSV as the ticket API', async () => {
    const lines = (await (await get('/reports/tickets.csv?queue=IT&from=2026-12-01&to=2027-01-01')).text()).trimEnd().split('\r\n').slice(1);
    for (const line of lines) {
      const cells = line.split(',');
      const ticket = (await (await get(`/tickets/${cells[0]}`)).json()) as { sla: { firstResponse: { state: string }; resolution: { state: string } } };
      expect([cells[9], cells[12]], cells[0]).toEqual([ticket.sla.firstResponse.state, ticket.sla.resolution.state]);
    }
  });

  it('refuses an unknown queue or a bad range with a 400, never an empty report', async () => {
    for (const query of ['queue=NOPE', 'from=2026-12-10&to=2026-12-01', 'interval=month', 'from=yesterday', 'from=2020-01-01&to=2026-01-01']) {
      const overview = await get(`/reports/overview?${query}`);
      expect(overview.status, query).toBe(400);
    }
    expect((await get('/reports/tickets.csv?queue=NOPE')).status).toBe(400);
  });

  it('the backfill computes durations of tickets from before the columns existed', async () => {
    await app.database.db.execute(sql`update tickets set first_response_minutes = null, resolution_minutes = null, durations_pending = true`);
    expect(await backfillDurations(app.database.db, { batchSize: 2 })).toBe(4);
    const rows = await app.database.db.execute(sql`select sum(first_response_minutes)::int as fr, sum(resolution_minutes)::int as res, count(*) filter (where durations_pending)::int as pending from tickets`);
    const [row] = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
    expect(row).toEqual({ fr: 480 + 150 + 15, res: 960 + 210 + 60, pending: 0 });
    await expectRollupMatchesTickets();
  });
});
