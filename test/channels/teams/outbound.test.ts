import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { TEAMS_PACE } from '../../../src/channels/teams/pace.ts';
import { openDatabase } from '../../../src/db/client.ts';
import { paceBuckets } from '../../../src/db/schema.ts';
import { SharedPace } from '../../../src/outbox/pace.ts';
import { busiestWindow } from '../../support/windows.ts';
import { installed } from './activities.ts';
import { ada, cardOf, cardText, deskForSuite, eventually, triageChannel } from './harness.ts';

describe('Teams outbound: retries and pace', () => {
  const desk = deskForSuite();

  it('a 429 on the first triage post is retried, and a burst of notes is paced within the thread limits', async () => {
    const { connector } = desk;
    // Proactive posts go to the regional Bot Connector Teams last called us from.
    expect((await desk.post(installed(connector.url, ada))).status).toBe(200);
    connector.failNext('createConversation', { status: 429 });
    connector.failNext('updateActivity', { status: 412 });

    const created = await desk.api('POST', '/tickets', { type: 'password-reset', title: 'Throttled thread', requester: { email: 'erin@example.test' }, fields: { account: 'mail' } });
    const { key } = (await created.json()) as { key: string };
    const chain = await connector.waitFor((c) => c.route === 'createConversation' && c.status === 201, 5_000);
    expect(connector.calls.filter((c) => c.route === 'createConversation').map((c) => c.status)).toEqual([429, 201]);
    expect(chain.body).toMatchObject({ channelData: { channel: { id: triageChannel } } });
    const threadId = (chain.response as { id: string }).id;

    const notes = 6;
    for (let n = 1; n <= notes; n++) {
      const note = await desk.api('POST', `/tickets/${key}/comments`, { body: `note ${n}`, visibility: 'internal', author: { email: 'bob@example.test' } });
      expect(note.status).toBe(201);
    }
    // Each note: a card update (PUT) and a line; the first PUT got a 412 and was retried.
    await connector.waitFor((c) => c.route === 'replyToActivity' && String((c.body as { text?: string }).text).includes(`note ${notes}`), 15_000);
    const inThread = connector.calls.filter((c) => c.conversationId === threadId && c.status === 200);
    expect(inThread.filter((c) => c.route === 'replyToActivity')).toHaveLength(notes);
    expect(inThread.filter((c) => c.route === 'updateActivity')).toHaveLength(notes);
    expect(connector.calls.filter((c) => c.route === 'updateActivity').map((c) => c.status)[0]).toBe(412);
    const attempts = connector.calls.filter((c) => c.conversationId === threadId).map((c) => c.at);
    expect(busiestWindow(attempts, 1_000)).toBeLessThanOrEqual(7);
    expect(busiestWindow(attempts, 2_000)).toBeLessThanOrEqual(8);
    // The lines arrive in order.
    const lines = inThread.filter((c) => c.route === 'replyToActivity').map((c) => /note \d+/.exec(String((c.body as { text?: string }).text))?.[0]);
    expect(lines).toEqual(Array.from({ length: notes }, (_, i) => `note ${i + 1}`));
  }, 30_000);

  it("a 429's Retry-After in a chain pauses that conversation for every replica, not only the delivery that met it", async () => {
    const { connector } = desk;
    const created = await desk.api('POST', '/tickets', { type: 'password-reset', title: 'Paused chain', requester: { email: 'fay@example.test' }, fields: { account: 'mail' } });
    const { key } = (await created.json()) as { key: string };
    const chain = await connector.waitFor((c) => c.route === 'createConversation' && c.status === 201 && cardText(cardOf((c.body as { activity?: unknown }).activity)).includes('Paused chain'), 5_000);
    const threadId = (chain.response as { id: string }).id;
    connector.failNext((c) => c.route === 'replyToActivity' && c.conversationId === threadId, { status: 429, retryAfter: 30 });

    expect((await desk.api('POST', `/tickets/${key}/comments`, { body: 'slow down please', visibility: 'internal', author: { email: 'bob@example.test' } })).status).toBe(201);
    await connector.waitFor((c) => c.route === 'replyToActivity' && c.conversationId === threadId && c.status === 429, 5_000);
    // The pause is in the database: another replica (its own pool on Postgres) reads it too.
    const replica = desk.databaseUrl ? await openDatabase({ url: desk.databaseUrl, max: 1 }) : desk.sb.database;
    try {
      const pausedFor = await eventually(async () => {
        const [row] = await replica.db
          .select({ wait: sql<number>`${paceBuckets.tatMs} - ${paceBuckets.toleranceMs} - extract(epoch from clock_timestamp()) * 1000` })
          .from(paceBuckets)
          .where(eq(paceBuckets.key, `teams:${threadId}#0`));
        return Number(row?.wait ?? 0) > 20_000 ? Number(row!.wait) : undefined;
      });
      expect(pausedFor).toBeLessThanOrEqual(30_000);
      // A send from that replica does not reach Teams: it is handed back to its outbox with the wait.
      let called = false;
      const other = SharedPace.of(replica.db, TEAMS_PACE);
      await expect(other.send(threadId, async () => (called = true), () => undefined)).rejects.toMatchObject({ name: 'RetryableError', retryAfterMs: expect.any(Number) });
      expect(called).toBe(false);
      // Another conversation is not held up.
      expect(await other.send(`${threadId}-other`, async () => 'sent', () => undefined)).toBe('sent');
    } finally {
      if (replica !== desk.sb.database) await replica.close();
    }
    expect(connector.calls.filter((c) => c.route === 'replyToActivity' && c.conversationId === threadId)).toHaveLength(1);
  }, 30_000);
});
