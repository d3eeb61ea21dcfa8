import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile } from '../../src/core/catalog.ts';
import { Forbidden } from '../../src/core/errors.ts';
import { fillCatalogMacro, fillMacro } from '../../src/core/macros.ts';
import { addComment, createTicket, getTimeline } from '../../src/core/tickets.ts';
import { addWatcher, watchersOf } from '../../src/core/watchers.ts';
import { deliveries, people } from '../../src/db/schema.ts';
import { engine, fixedClock } from '../support/db.ts';
import { coreForSuite } from '../support/data.ts';

// From the sample catalog: marta.lopez is an agent of IT.
const AGENT = { email: 'marta.lopez@example.com', name: 'Marta López' };

const clock = fixedClock('2026-11-23T09:30:00Z');

const { ctx } = coreForSuite(clock.now, ['email']);

const laptop = (requester: string) => createTicket(ctx, { type: 'laptop', title: 'New laptop', requester: { email: requester, name: 'Ana Ruiz' }, fields: { model: '13-inch' }, channel: 'api' });

describe(`the desk workspace's commands on ${engine}`, () => {
  it('fills a catalog macro for the ticket, keeping unknown variables visible', async () => {
    const { ticket } = await laptop('ana.ruiz@example.com');
    const filled = fillCatalogMacro(loadCatalogFile(undefined), 'need-asset-tag', ticket, AGENT);
    expect(filled).toBe(`Hi Ana, could you send the asset tag on the bottom of the laptop? (${ticket.key})`);
    expect(fillMacro('{{agent.first_name}} / {{nope.nothing}}', { ticket, requester: ticket.requester, agent: AGENT })).toBe('Marta / {{nope.nothing}}');
    expect(fillCatalogMacro(loadCatalogFile(undefined), 'no-such-macro', ticket, AGENT)).toBeNull();
  });

  it('an agent adds a watcher, once per key; the watcher then gets public replies, never internal notes', async () => {
    const { ticket } = await laptop('ben.watch@example.com');
    const first = await addWatcher(ctx, { ticketKey: ticket.key, watcher: { email: 'Lead.Watcher@example.com' }, actor: AGENT, channel: 'web', idempotencyKey: `watch-${ticket.key}` });
    const again = await addWatcher(ctx, { ticketKey: ticket.key, watcher: { email: 'lead.watcher@example.com' }, actor: AGENT, channel: 'web', idempotencyKey: `watch-${ticket.key}` });
    expect(again.replayed).toBe(true);
    expect(first.event?.visibility).toBe('internal');
    expect(await watchersOf(ctx.db, ticket.id)).toEqual([{ email: 'lead.watcher@example.com', name: null }]);
    expect((await getTimeline(ctx, ticket.key, { includeInternal: true })).filter((e) => e.type === 'watcher_added')).toHaveLength(1);

    await addComment(ctx, { ticketKey: ticket.key, body: 'Ordered it.', visibility: 'public', author: AGENT, channel: 'web', as: 'desk' });
    await addComment(ctx, { ticketKey: ticket.key, body: 'Cost centre 42.', visibility: 'internal', author: AGENT, channel: 'web', as: 'desk' });
    const [watcher] = await ctx.db.select().from(people).where(eq(people.email, 'lead.watcher@example.com'));
    const toWatcher = await ctx.db.select().from(deliveries).where(and(eq(deliveries.ticketId, ticket.id), eq(deliveries.personId, watcher!.id)));
    expect(toWatcher.map((d) => ({ channel: d.channel, audience: d.audience }))).toEqual([{ channel: 'email', audience: 'watcher' }]);
  });

  it('someone not on the desk cannot add watchers, and nothing changes', async () => {
    const { ticket } = await laptop('carl.nodesk@example.com');
    await expect(addWatcher(ctx, { ticketKey: ticket.key, watcher: { email: 'friend@example.com' }, actor: { email: 'carl.nodesk@example.com' }, channel: 'web' })).rejects.toBeInstanceOf(Forbidden);
    expect(await watchersOf(ctx.db, ticket.id)).toEqual([]);
  });
});
