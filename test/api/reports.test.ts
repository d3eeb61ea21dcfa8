import { beforeAll, describe, expect, it } from 'vitest';
import { addComment, createTicket, transition } from '../../src/core/tickets.ts';
import { engine, fixedClock } from '../support/db.ts';
import { apiServiceForSuite } from './harness.ts';

// IT laptop P3 on the Madrid calendar: 4 h to first response, 24 h to resolution.
// Everything is created on Mon 23 Nov 2026 at 10:30 Madrid and reported on Tue at 13:00 Madrid.

const TOKEN = 'reports-token';
const clock = fixedClock('2026-11-23T09:30:00Z');
const keys: Record<string, string> = {};

const app = apiServiceForSuite({ API_TOKENS: TOKEN, WORKERS: 'on' }, { now: clock.now, slaScanner: { intervalMs: 3_600_000 } });

beforeAll(async () => {
  const core = app.core;
  // Agents of the sample catalog's IT and HR queues: only their replies are first responses.
  const agent = { email: 'marta.lopez@example.com' };
  const hrAgent = { email: 'lena.fischer@example.com' };
  const make = async (name: string, channel: string, type = 'laptop', fields: Record<string, unknown> = { model: '13-inch' }) => {
    clock.set('2026-11-23T09:30:00Z');
    const { ticket } = await createTicket(core, { type, title: name, requester: { email: `${name}@example.com` }, fields, channel });
    keys[name] = ticket.key;
    return ticket.key;
  };
  const at = (iso: string) => clock.set(iso);
  clock.set('2026-11-16T09:30:00Z');
  await createTicket(core, { type: 'laptop', title: 'last week', requester: { email: 'old@example.com' }, fields: { model: '13-inch' }, channel: 'api' });

  const quick = await make('quick', 'api');
  at('2026-11-23T10:30:00Z'); // answered after 60 business minutes
  await addComment(core, { ticketKey: quick, body: 'On it', visibility: 'public', author: agent, channel: 'slack' });
  at('2026-11-23T12:30:00Z'); // resolved after 150 (10:30–13:00 Madrid)
  await transition(core, { ticketKey: quick, status: 'resolved', channel: 'slack' });

  const slower = await make('slower', 'api');
  at('2026-11-23T13:30:00Z'); // answered after 180 business minutes (lunch not counted)
  await addComment(core, { ticketKey: slower, body: 'Ordering it', visibility: 'public', author: agent, channel: 'teams' });

  const ignored = await make('ignored', 'api'); // the desk never answers: first response breached at 15:30 Madrid
  at('2026-11-23T10:00:00Z');
  // A colleague's reply, and an agent of another queue's, are not the IT desk answering.
  await addComment(core, { ticketKey: ignored, body: 'Same problem here', visibility: 'public', author: { email: 'colleague@example.com' }, channel: 'email' });
  await addComment(core, { ticketKey: ignored, body: 'Not HR, but try a restart', visibility: 'public', author: hrAgent, channel: 'slack' });

  const waiting = await make('waiting', 'email');
  at('2026-11-23T10:00:00Z');
  await transition(core, { ticketKey: waiting, status: 'waiting_on_requester', channel: 'slack' });

  const letter = await make('letter', 'slack', 'hr-letter', { letter: 'salary letter', language: 'English' });
  at('2026-11-23T10:00:00Z');
  await addComment(core, { ticketKey: letter, body: 'Drafting it', visibility: 'public', author: hrAgent, channel: 'slack' });

  clock.set('2026-11-24T12:00:00Z');
  await app.slaScanner!.runOnce();
});

function get(route: string, headers: Record<string, string> = {}) {
  return fetch(`${app.url}/api/v1${route}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
}

describe(`SLA report over HTTP on ${engine}`, () => {
  it('answers per queue, type, priority and origin channel with real figures', async () => {
    const response = await get('/reports/sla?from=2026-11-23&to=2026-11-24T00:00:00Z');
    expect(response.status).toBe(200);
    const report = (await response.json()) as { from: string; to: string; rows: Array<Record<string, unknown>> };
    expect(report.from).toBe('2026-11-23T00:00:00.000Z');
    expect(report.rows).toEqual([
      {
        queue: 'HR', type: 'hr-letter', priority: 'P3', channel: 'slack', tickets: 1,
        firstResponseMetPct: 100, resolutionMetPct: null,
        firstResponseMedianMinutes: 30, firstResponseP90Minutes: 30, resolutionMedianMinutes: null, resolutionP90Minutes: null,
        paused: 0, breached: 0,
      },
      {
        queue: 'IT', type: 'laptop', priority: 'P3', channel: 'api', tickets: 3,
        firstResponseMetPct: 66.7, resolutionMetPct: 100,
        firstResponseMedianMinutes: 120, firstResponseP90Minutes: 168, resolutionMedianMinutes: 150, resolutionP90Minutes: 150,
        paused: 0, breached: 1,
      },
      {
        queue: 'IT', type: 'laptop', priority: 'P3', channel: 'email', tickets: 1,
        firstResponseMetPct: null, resolutionMetPct: null,
        firstResponseMedianMinutes: null, firstResponseP90Minutes: null, resolutionMedianMinutes: null, resolutionP90Minutes: null,
        paused: 1, breached: 0,
      },
    ]);
  });

  it('filters by queue and answers CSV (RFC 4180) when asked for it', async () => {
    const response = await get('/reports/sla?from=2026-11-23&to=2026-11-24&queue=it', { accept: 'text/csv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await response.text();
    expect(text.split('\r\n')).toEqual([
      'queue,type,priority,channel,tickets,firstResponseMetPct,resolutionMetPct,firstResponseMedianMinutes,firstResponseP90Minutes,resolutionMedianMinutes,resolutionP90Minutes,paused,breached',
      'IT,laptop,P3,api,3,66.7,100,120,168,150,150,0,1',
      'IT,laptop,P3,email,1,,,,,,,1,0',
      '',
    ]);
  });

  it('the scanner started by the service recorded the breach on the timeline', async () => {
    const events = (await (await get(`/tickets/${keys.ignored}/events`)).json()) as { items: Array<{ type: string; visibility: string }> };
    expect(events.items.filter((e) => e.type === 'sla_breached')).toEqual([expect.objectContaining({ visibility: 'internal' })]);
  });

  it('explains a ticket\u2019s clocks at GET /tickets/:key/sla', async () => {
    const response = await get(`/tickets/${keys.waiting}/sla`);
    expect(response.status).toBe(200);
    const sla = (await response.json()) as { summary: string; firstResponse: { state: string; explanation: { text: string } } };
    expect(sla.firstResponse.state).toBe('paused');
    expect(sla.firstResponse.explanation.text).toBe('due Mon 15:30 Europe/Madrid: 4 business hours from Mon 10:30, paused since Mon 11:00 waiting on requester (due moves out when the clock resumes)');
    expect(sla.summary).toBe('first response paused, waiting on requester (3 h 30 min left, business hours Europe/Madrid)');
    const ticket = (await (await get(`/tickets/${keys.waiting}`)).json()) as { sla: { firstResponse: { dueAt: string; state: string } } };
    expect(ticket.sla.firstResponse).toMatchObject({ dueAt: '2026-11-23T14:30:00.000Z', state: 'paused' });
  });

  it('refuses a missing token, a reversed range and a malformed date', async () => {
    expect((await fetch(`${app.url}/api/v1/reports/sla`)).status).toBe(401);
    expect((await get('/reports/sla?from=2026-11-24&to=2026-11-23')).status).toBe(400);
    const bad = await get('/reports/sla?from=yesterday');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^from: must be an ISO 8601 date/);
  });
});
