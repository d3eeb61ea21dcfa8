import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { engine } from '../support/db.ts';
import { apiCaller, apiServiceForSuite } from './harness.ts';

const TOKEN = 'test-token-1';
const app = apiServiceForSuite({ API_TOKENS: `other-token, ${TOKEN}` });
const call = apiCaller(app, TOKEN);

/**
 * A POST with node:http, which (unlike fetch) reads an early answer even when the server
 * stops reading the body — as a server must for an oversized upload.
 */
function postRaw(route: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${app.url}/api/v1${route}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (error) => (error.message.includes('EPIPE') || error.message.includes('ECONNRESET') ? undefined : reject(error)));
    req.end(body);
  });
}

const laptop = { type: 'laptop', title: 'MacBook for Ana', description: 'She starts Monday', requester: { email: 'Ana@Example.com', name: 'Ana' }, fields: { model: '13-inch' } };

describe(`REST API on ${engine}`, () => {
  it('creates a ticket and reads it back in the documented shape', async () => {
    const created = await call('POST', '/tickets', laptop);
    expect(created.status).toBe(201);
    const ticket = await created.json();
    expect(ticket).toMatchObject({
      key: expect.stringMatching(/^IT-\d+$/),
      title: 'MacBook for Ana',
      status: 'new',
      priority: 'P3',
      queue: 'IT',
      type: 'laptop',
      origin: 'api',
      requester: { email: 'ana@example.com', name: 'Ana' },
      assignee: null,
      fields: { model: '13-inch' },
      sla: { firstResponse: { dueAt: expect.any(String), state: 'running' }, resolution: { dueAt: expect.any(String), state: 'running' } },
    });
    expect(ticket.id).toBeUndefined();
    const fetched = await (await call('GET', `/tickets/${ticket.key}`)).json();
    expect(fetched.key).toBe(ticket.key);
  });

  it('returns the first ticket for a repeated Idempotency-Key; the same key with another body is 422', async () => {
    const headers = { 'idempotency-key': 'create-laptop-ana-1' };
    const first = await (await call('POST', '/tickets', laptop, headers)).json();
    const again = await call('POST', '/tickets', laptop, headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.json()).key).toBe(first.key);
    const different = await call('POST', '/tickets', { ...laptop, title: 'different' }, headers);
    expect(different.status).toBe(422);
    expect((await different.json()).error.code).toBe('idempotency_key_reused');
  });

  it('comments, transitions, assigns and reprioritises, with a timeline', async () => {
    const { key } = await (await call('POST', '/tickets', laptop)).json();
    const note = await call('POST', `/tickets/${key}/comments`, { body: 'check stock', visibility: 'internal', author: { email: 'marta.lopez@example.com' } });
    expect(note.status).toBe(201);
    expect(await note.json()).toMatchObject({ type: 'comment', visibility: 'internal', body: 'check stock', actor: { email: 'marta.lopez@example.com' } });
    expect((await (await call('POST', `/tickets/${key}/transition`, { status: 'in_progress' })).json()).status).toBe('in_progress');
    expect((await (await call('POST', `/tickets/${key}/assign`, { assignee: { email: 'Dan.Okafor@example.com' } })).json()).assignee).toEqual({ email: 'dan.okafor@example.com', name: null });
    expect((await (await call('POST', `/tickets/${key}/priority`, { priority: 'P1' })).json()).priority).toBe('P1');
    const { items } = await (await call('GET', `/tickets/${key}/events`)).json();
    expect(items.map((e: { type: string }) => e.type)).toEqual(['created', 'comment', 'status_changed', 'assigned', 'priority_changed']);
    expect(items[1]).toMatchObject({ visibility: 'internal', channel: 'api', createdAt: expect.any(String) });
  });

  it('answers an illegal transition with 409 listing the allowed states', async () => {
    const { key } = await (await call('POST', '/tickets', laptop)).json();
    const res = await call('POST', `/tickets/${key}/transition`, { status: 'closed' });
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe('conflict');
    expect(body.error.details.allowed).toEqual(['open', 'in_progress', 'waiting_on_requester', 'resolved']);
  });

  it('lists with filters and cursor pagination', async () => {
    const requester = { email: `lister.${Date.now()}@example.com` };
    for (let i = 0; i < 5; i++) await call('POST', '/tickets', { ...laptop, title: `Pager ${i}`, requester });
    const page1 = await (await call('GET', `/tickets?requester=${requester.email}&limit=2`)).json();
    expect(page1.items.map((t: { title: string }) => t.title)).toEqual(['Pager 4', 'Pager 3']);
    const page2 = await (await call('GET', `/tickets?requester=${requester.email}&limit=2&cursor=${page1.nextCursor}`)).json();
    const page3 = await (await call('GET', `/tickets?requester=${requester.email}&limit=2&cursor=${page2.nextCursor}`)).json();
    expect([...page2.items, ...page3.items].map((t: { title: string }) => t.title)).toEqual(['Pager 2', 'Pager 1', 'Pager 0']);
    expect(page3.nextCursor).toBeNull();
    const text = await (await call('GET', `/tickets?q=pager 3&queue=IT&status=new`)).json();
    expect(text.items.map((t: { title: string }) => t.title)).toEqual(['Pager 3']);
  });

  it('refuses a missing or wrong bearer token with 401', async () => {
    expect((await fetch(`${app.url}/api/v1/tickets`)).status).toBe(401);
    const wrong = await call('GET', '/tickets', undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe('unauthorized');
  });

  it('answers malformed JSON and schema violations with 400 naming the failing path', async () => {
    const malformed = await call('POST', '/tickets', '{"type": "laptop",');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.message).toMatch(/malformed JSON/i);
    const invalid = await call('POST', '/tickets', { ...laptop, requester: { email: 'not-an-email' } });
    expect(invalid.status).toBe(400);
    const body = await invalid.json();
    expect(body.error.message).toMatch(/^requester\.email: /);
    expect(body.error.details[0].path).toBe('requester.email');
    const badField = await call('POST', '/tickets', { ...laptop, fields: {} });
    expect(badField.status).toBe(400);
    expect((await badField.json()).error.details).toEqual([{ path: 'fields.model', message: 'is required' }]);
  });

  it('answers a body over 1 MiB with 413 and an unknown ticket or type with 404', async () => {
    const huge = await postRaw('/tickets', JSON.stringify({ ...laptop, description: 'x'.repeat(1024 * 1024 + 10) }));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).error.code).toBe('payload_too_large');
    const missing = await call('GET', '/tickets/IT-999999');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no ticket IT-999999' } });
    expect((await call('POST', '/tickets', { ...laptop, type: 'spaceship' })).status).toBe(404);
  });

  it('serves the catalog and an OpenAPI 3.1 document generated from the schemas', async () => {
    const catalog = await (await call('GET', '/catalog')).json();
    expect(catalog.queues.map((q: { key: string }) => q.key)).toEqual(['IT', 'HR', 'FAC']);
    expect(catalog.requestTypes.length).toBeGreaterThanOrEqual(6);
    const doc = await (await fetch(`${app.url}/api/v1/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/tickets', '/tickets/{key}', '/tickets/{key}/events', '/tickets/{key}/comments', '/tickets/{key}/transition', '/tickets/{key}/assign', '/tickets/{key}/priority', '/catalog', '/webhooks', '/deliveries/dead']));
    expect(doc.components.schemas.Ticket.properties.sla).toBeDefined();
  });

  it('manages webhook subscriptions and shows the secret only once', async () => {
    const created = await call('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['created'] });
    expect(created.status).toBe(201);
    const sub = await created.json();
    expect(sub.secret).toMatch(/^whsec_/);
    const { items } = await (await call('GET', '/webhooks')).json();
    expect(items.find((s: { id: number }) => s.id === sub.id)).toMatchObject({ url: 'http://127.0.0.1:9/hook' });
    expect(items.find((s: { id: number }) => s.id === sub.id).secret).toBeUndefined();
    expect((await call('DELETE', `/webhooks/${sub.id}`)).status).toBe(204);
    expect((await call('POST', '/webhooks', { url: 'ftp://nope' })).status).toBe(400);
  });

  it('exposes health, readiness and Prometheus metrics', async () => {
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await (await fetch(`${app.url}/readyz`)).json()).status).toBe('ready');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_http_requests_total\{method="POST",route="\/api\/v1\/tickets",status="201"\} \d+/);
    expect(metrics).toMatch(/switchboard_tickets_created_total\{channel="api"\} \d+/);
  });
});
