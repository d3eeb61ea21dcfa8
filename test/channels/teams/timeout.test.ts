import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deliveries, tickets } from '../../../src/db/schema.ts';
import { ada, deskForSuite, eventually, triageChannel } from './harness.ts';
import { installed } from './activities.ts';

// A Bot Connector call that never answers fails after DELIVERY_TIMEOUT (here 1 s) and goes back
// to the outbox, instead of holding its delivery for as long as the connection stays open.
describe('a Bot Connector call that hangs', () => {
  const desk = deskForSuite({ env: { DELIVERY_TIMEOUT: '1s' } });

  it('fails after DELIVERY_TIMEOUT and is retried; once the Connector answers again the triage card is posted', async () => {
    const { connector } = desk;
    expect((await desk.post(installed(connector.url, ada))).status).toBe(200);
    const release = connector.hold('createConversation');
    let key = '';
    try {
      const created = await desk.api('POST', '/tickets', { type: 'password-reset', title: 'A hanging Connector', requester: { email: 'erin@example.test' }, fields: { account: 'mail' } });
      expect(created.status).toBe(201);
      key = ((await created.json()) as { key: string }).key;
      const timedOut = await eventually(async () => {
        const rows = await desk.sb.database.db
          .select({ status: deliveries.status, attempts: deliveries.attempts, lastError: deliveries.lastError })
          .from(deliveries)
          .innerJoin(tickets, eq(tickets.id, deliveries.ticketId))
          .where(and(eq(tickets.key, key), eq(deliveries.channel, 'teams'), eq(deliveries.audience, 'triage')));
        return rows.find((d) => d.status === 'pending' && /timeout/i.test(d.lastError ?? ''));
      }, 8_000);
      expect(timedOut.attempts).toBeGreaterThanOrEqual(1);
    } finally {
      release();
    }
    const chain = await connector.waitFor((c) => c.route === 'createConversation' && c.status === 201, 8_000);
    expect(chain.body).toMatchObject({ channelData: { channel: { id: triageChannel } } });
  });
});
