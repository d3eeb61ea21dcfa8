import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { resultRows } from '../../src/db/migrate.ts';
import { listTickets } from '../../src/core/queries.ts';
import { addComment, createTicket, transition } from '../../src/core/tickets.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// From the sample catalog: marta.lopez is an agent of IT.
const AGENT = { email: 'marta.lopez@example.com' };

const clock = fixedClock('2026-11-23T09:30:00Z'); // a Monday

const { database, ctx } = coreForSuite(clock.now, ['email']);

let counter = 0;
async function laptop(title: string, extra: { description?: string; model?: string; requester?: string } = {}) {
  counter += 1;
  clock.advance(60_000);
  const { ticket } = await createTicket(ctx, {
    type: 'laptop',
    title,
    description: extra.description ?? '',
    requester: { email: extra.requester ?? `searcher.${counter}@example.com` },
    fields: { model: extra.model ?? '13-inch' },
    channel: 'api',
  });
  return ticket;
}

const keys = (page: { items: Array<{ key: string }> }) => page.items.map((t) => t.key);

describe(`desk search on ${engine}`, () => {
  it('finds a word of an internal note for agents only, with the hit highlighted', async () => {
    const ticket = await laptop('Screen flickers');
    await addComment(ctx, { ticketKey: ticket.key, body: 'Looks like the zeppelin cable again, swap it.', visibility: 'internal', author: AGENT, channel: 'web' });
    const agent = await listTickets(ctx, { q: 'zeppelin', includeInternal: true, limit: 10 });
    expect(keys(agent)).toEqual([ticket.key]);
    expect(agent.snippets[ticket.key]).toContain('\u0001zeppelin\u0002');
    const outsider = await listTickets(ctx, { q: 'zeppelin', includeInternal: false, limit: 10 });
    expect(keys(outsider)).toEqual([]);
  });

  it('covers title, description, field values and public comments, stemmed and without accents', async () => {
    const byTitle = await laptop('Keyboard rattles');
    const byDescription = await laptop('Something odd', { description: 'The trackpad clicks by itself' });
    const byField = await laptop('Another laptop', { model: '15-inch' });
    const byComment = await laptop('Broken hinge');
    await addComment(ctx, { ticketKey: byComment.key, body: 'Café spilled on it, I think.', visibility: 'public', author: { email: byComment.requester.email }, channel: 'email' });
    expect(keys(await listTickets(ctx, { q: 'rattling keyboards', limit: 10 }))).toEqual([byTitle.key]);
    expect(keys(await listTickets(ctx, { q: 'trackpad', limit: 10 }))).toEqual([byDescription.key]);
    expect(keys(await listTickets(ctx, { q: '"15-inch"', limit: 10 }))).toContain(byField.key);
    expect(keys(await listTickets(ctx, { q: 'cafe', limit: 10 }))).toEqual([byComment.key]);
    // The key is indexed too (the desk also jumps straight to a typed key).
    expect(keys(await listTickets(ctx, { q: byTitle.key, limit: 10 }))).toContain(byTitle.key);
  });

  it('ranks a title hit above a passing mention, and understands websearch syntax', async () => {
    const mention = await laptop('Dock problem', { description: 'Unrelated, but the walrus sticker is peeling' });
    const title = await laptop('Walrus walrus laptop bag');
    const ranked = await listTickets(ctx, { q: 'walrus', limit: 10 });
    expect(keys(ranked)).toEqual([title.key, mention.key]);
    expect(keys(await listTickets(ctx, { q: 'walrus -sticker', limit: 10 }))).toEqual([title.key]);
    expect(keys(await listTickets(ctx, { q: 'nothingmatchesthisword', limit: 10 }))).toEqual([]);
  });

  it('filters and sorts search hits, and pages through them', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await laptop(`Marmalade request ${i}`));
    await transition(ctx, { ticketKey: made[0]!.key, status: 'open', channel: 'api' });
    const open = await listTickets(ctx, { q: 'marmalade', status: 'open', limit: 10 });
    expect(keys(open)).toEqual([made[0]!.key]);
    const page1 = await listTickets(ctx, { q: 'marmalade', sort: 'created', limit: 2 });
    const page2 = await listTickets(ctx, { q: 'marmalade', sort: 'created', limit: 2, cursor: page1.nextCursor! });
    const page3 = await listTickets(ctx, { q: 'marmalade', sort: 'created', limit: 2, cursor: page2.nextCursor! });
    expect([...keys(page1), ...keys(page2), ...keys(page3)]).toEqual(made.map((t) => t.key).reverse());
    expect(page3.nextCursor).toBeNull();
    const r1 = await listTickets(ctx, { q: 'marmalade', limit: 3 });
    const r2 = await listTickets(ctx, { q: 'marmalade', limit: 3, cursor: r1.nextCursor! });
    expect(new Set([...keys(r1), ...keys(r2)]).size).toBe(5);
  });

  it('sorts by SLA due with a keyset cursor that keeps every ticket once', async () => {
    const requester = `due.${Date.now()}@example.com`;
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await laptop(`Due order ${i}`, { requester }));
    await transition(ctx, { ticketKey: made[1]!.key, status: 'resolved', channel: 'api' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTickets(ctx, { requester, sort: 'due', limit: 1, cursor });
      seen.push(...keys(page));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    // Earliest due first; the resolved one has no clock running and comes last.
    expect(seen).toEqual([made[0]!.key, made[2]!.key, made[3]!.key, made[1]!.key]);
  });

  it('backfilled rows and live rows agree (the migration builds the same document as the commands)', async () => {
    const ticket = await laptop('Backfill check', { description: 'periwinkle' });
    await addComment(ctx, { ticketKey: ticket.key, body: 'an internal aubergine', visibility: 'internal', author: AGENT, channel: 'web' });
    const rows = resultRows<{ public_doc: string; internal_doc: string }>(
      await database.db.execute(sql`select public_doc::text, internal_doc::text from ticket_search where ticket_id = ${ticket.id}`),
    );
    expect(rows[0]!.public_doc).toContain("'periwinkl'");
    expect(rows[0]!.internal_doc).toContain("'aubergin'");
  });
});
