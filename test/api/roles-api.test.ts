import { describe, expect, it } from 'vitest';
import { engine } from '../support/db.ts';
import { apiCaller, apiServiceForSuite } from './harness.ts';

// The sample catalog: marta.lopez is an IT agent, sara.ng an IT lead, lena.fischer an HR
// agent, it-lead@example.com an admin; everyone else is an employee.
const TOKEN = 'roles-token';
const app = apiServiceForSuite({ API_TOKENS: TOKEN });
const call = apiCaller(app, TOKEN);

const requester = { email: 'ann@example.com', name: 'Ann' };
const newTicket = async () => ((await (await call('POST', '/tickets', { type: 'laptop', title: 'Laptop', requester, fields: { model: '13-inch' } })).json()) as { key: string }).key;
const events = async (key: string) => ((await (await call('GET', `/tickets/${key}/events`)).json()) as { items: Array<{ type: string; actor: { email: string; role: string } | null }> }).items;

describe(`roles in the API on ${engine}`, () => {
  it('answers 403 forbidden when the named actor is not an agent of the ticket\'s queue, and changes nothing', async () => {
    const key = await newTicket();
    const refusals: Array<[string, unknown]> = [
      ['transition', { status: 'in_progress', actor: { email: 'ann@example.com' } }],
      ['transition', { status: 'in_progress', actor: { email: 'lena.fischer@example.com' } }], // an HR agent on an IT ticket
      ['assign', { assignee: { email: 'marta.lopez@example.com' }, actor: { email: 'colleague@example.com' } }],
      ['priority', { priority: 'P1', actor: { email: 'ann@example.com' } }],
    ];
    for (const [verb, body] of refusals) {
      const response = await call('POST', `/tickets/${key}/${verb}`, body);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(/is not an agent of the IT queue/), details: expect.objectContaining({ queue: 'IT' }) } });
    }
    const comment = await call('POST', `/tickets/${key}/comments`, { body: 'I can fix it', author: { email: 'colleague@example.com' } });
    expect(comment.status).toBe(403);
    const note = await call('POST', `/tickets/${key}/comments`, { body: 'internal?', visibility: 'internal', author: requester });
    expect(note.status).toBe(403);
    expect((await events(key)).map((e) => e.type)).toEqual(['created']);
    expect(await (await call('GET', `/tickets/${key}`)).json()).toMatchObject({ status: 'new', priority: 'P3', assignee: null });
  });

  it('lets agents, leads and admins act; assigning to a non-agent is 400', async () => {
    const key = await newTicket();
    expect((await call('POST', `/tickets/${key}/transition`, { status: 'in_progress', actor: { email: 'Marta.Lopez@example.com' } })).status).toBe(200);
    expect((await call('POST', `/tickets/${key}/priority`, { priority: 'P2', actor: { email: 'sara.ng@example.com' } })).status).toBe(200);
    expect((await call('POST', `/tickets/${key}/assign`, { assignee: { email: 'bo.chen@example.com' }, actor: { email: 'it-lead@example.com' } })).status).toBe(200);
    const outsider = await call('POST', `/tickets/${key}/assign`, { assignee: { email: 'ann@example.com' }, actor: { email: 'marta.lopez@example.com' } });
    expect(outsider.status).toBe(400);
    expect(((await outsider.json()) as { error: { message: string } }).error.message).toMatch(/ann@example.com is not an agent of the IT queue/);
    const reply = await call('POST', `/tickets/${key}/comments`, { body: 'On its way', author: { email: 'marta.lopez@example.com' } });
    expect(reply.status).toBe(201);
    expect(await reply.json()).toMatchObject({ actor: { email: 'marta.lopez@example.com', role: 'agent' } });
    const ticket = (await (await call('GET', `/tickets/${key}`)).json()) as { sla: { firstResponse: { state: string } }; assignee: { email: string } };
    expect(ticket.sla.firstResponse.state).toBe('met');
    expect(ticket.assignee.email).toBe('bo.chen@example.com');
  });

  it('lets the requester comment publicly and resolve or reopen their own ticket, but not work it', async () => {
    const key = await newTicket();
    const comment = await call('POST', `/tickets/${key}/comments`, { body: 'It is the 13-inch one', author: requester });
    expect(comment.status).toBe(201);
    expect(await comment.json()).toMatchObject({ actor: { email: 'ann@example.com', role: 'requester' } });
    expect((await call('POST', `/tickets/${key}/transition`, { status: 'in_progress', actor: requester })).status).toBe(403);
    expect((await call('POST', `/tickets/${key}/transition`, { status: 'resolved', actor: requester })).status).toBe(200);
    expect((await call('POST', `/tickets/${key}/transition`, { status: 'open', actor: requester })).status).toBe(200);
    // Her own comment and her own resolve are no first response from the desk.
    const ticket = (await (await call('GET', `/tickets/${key}`)).json()) as { sla: { firstResponse: { state: string } } };
    expect(ticket.sla.firstResponse.state).toBe('running');
  });

  it('POST /agents/{email}/availability marks an agent away and back; 404 unknown, 403 employee, 400 bad input', async () => {
    const away = await call('POST', `/agents/${encodeURIComponent('Sara.Ng@example.com')}/availability`, { away: true });
    expect(away.status).toBe(200);
    expect(await away.json()).toEqual({ email: 'sara.ng@example.com', away: true, queues: ['IT'] });
    expect(await (await call('POST', `/agents/sara.ng@example.com/availability`, { away: false })).json()).toMatchObject({ away: false });
    expect(await (await call('POST', `/agents/it-lead@example.com/availability`, { away: false })).json()).toMatchObject({ queues: ['FAC', 'HR', 'IT'] });
    expect((await call('POST', '/agents/nobody@example.com/availability', { away: true })).status).toBe(404);
    expect((await call('POST', '/agents/ann@example.com/availability', { away: true })).status).toBe(403);
    expect((await call('POST', '/agents/not-an-email/availability', { away: true })).status).toBe(400);
    expect((await call('POST', '/agents/sara.ng@example.com/availability', { away: 'yes' })).status).toBe(400);
    const unauthenticated = await fetch(`${app.url}/api/v1/agents/sara.ng@example.com/availability`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"away":true}' });
    expect(unauthenticated.status).toBe(401);
    const spec = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, { post?: { responses: Record<string, unknown> } }> };
    expect(Object.keys(spec.paths['/agents/{email}/availability']!.post!.responses)).toEqual(expect.arrayContaining(['200', '403', '404']));
  });
});
