import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicket } from '../../src/core/tickets.ts';
import { fuzzSettings, startFuzzDesk } from './desk.ts';
import { webProperty, webSeeds, type WebSeeds } from './web-cases.ts';

let desk: Awaited<ReturnType<typeof startFuzzDesk>>;
let seeds: WebSeeds;

beforeAll(async () => {
  desk = await startFuzzDesk();
  const typeKey = Object.entries(desk.sb.catalog.request_types).find(([, t]) => !t.fields.some((f) => f.required))![0];
  const { ticket } = await createTicket(desk.sb.core, { type: typeKey, title: 'Web fuzz seed', requester: { email: 'ada@example.test' }, channel: 'web' });
  const link = new URL(desk.sb.links.url(ticket.key, 'ada@example.test'));
  seeds = await webSeeds(desk.sb.url, typeKey, `${link.pathname}${link.search}`);
}, 120_000);
afterAll(async () => desk?.stop(), 60_000);

describe('fuzzing the web door: no form post or page gets a 5xx', () => {
  it('a multipart post without a boundary is a 400 page, on the request form and the ticket page', async () => {
    for (const path of [`/new/${seeds.typeKey}`, `${seeds.ticketLink.replace('?', '/reply?')}`, '/login', '/kb/solved?slug=vpn-connect']) {
      const response = await fetch(`${seeds.base}${path}`, { method: 'POST', headers: { cookie: seeds.cookie, origin: seeds.base, 'content-type': 'multipart/form-data' }, body: 'token=x' });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('could not be read');
    }
  });

  it('NUL and lone surrogates in a form are cleaned: the ticket is filed with the rest of the text', async () => {
    const body = new URLSearchParams({ token: seeds.tokens[0]!, title: 'Desk\u0000 lamp', description: 'flick\ud800ers', requester_email: 'ada@example.test', requester_name: 'A\u0000da' });
    const response = await fetch(`${seeds.base}/new/${seeds.typeKey}`, { method: 'POST', headers: { cookie: seeds.cookie, origin: seeds.base, 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString(), redirect: 'manual' });
    expect(response.status).toBe(303);
    const page = await (await fetch(`${seeds.base}${response.headers.get('location')}`)).text();
    expect(page).toContain('Desk lamp');
  });

  it('hostile form posts and page requests', async () => {
    const result = await fc.check(webProperty(seeds), fuzzSettings(300, 6));
    expect(result.failed ? `${String(result.errorInstance).slice(0, 800)} (seed ${result.seed})` : null).toBeNull();
  }, 60_000);
});
