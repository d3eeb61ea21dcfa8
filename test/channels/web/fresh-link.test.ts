import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTicket, recordEvent, type CoreContext } from '../../../src/core/tickets.ts';
import { deliveries } from '../../../src/db/schema.ts';
import { databaseForSuite } from '../../support/data.ts';

describe('a fresh-link request from the web 403 page', { timeout: 90_000 }, () => {
  const database = databaseForSuite();

  /** File a ticket and ask for a fresh link with these outbound channels on; return the planned deliveries. */
  async function requestLink(enabled: string[]) {
    const core: CoreContext = { db: database.db, now: () => new Date('2026-11-24T10:00:00Z'), enabled: new Set(enabled) };
    const { ticket } = await createTicket(core, { type: 'laptop', title: 'Laptop', requester: { email: 'ana@example.com' }, fields: { model: '13-inch' }, channel: 'web' });
    const { event } = await recordEvent(core, { ticketKey: ticket.key, type: 'access_link_requested', visibility: 'internal', channel: 'web', data: {} });
    return database.db.select().from(deliveries).where(eq(deliveries.eventId, event!.id));
  }

  it("goes only to the requester's email, never to triage or webhooks", async () => {
    const planned = await requestLink(['email', 'slack', 'teams', 'webhook']);
    expect(planned).toMatchObject([{ channel: 'email', audience: 'requester', kind: 'message', target: { address: 'ana@example.com' } }]);
  });

  it('goes nowhere when email is off', async () => {
    expect(await requestLink(['slack', 'teams', 'webhook'])).toEqual([]);
  });
});
