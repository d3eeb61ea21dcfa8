import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePerson } from '../../../src/core/people.ts';
import { people } from '../../../src/db/schema.ts';
import { installed, nextId, personalSubmit } from './activities.ts';
import { ada, bob, cardOf, cardText, eventually, eve, startDesk, type Desk } from './harness.ts';

// The sample catalog: system-access asks the requester's manager (Eve here, from the directory),
// then the form's manager_email, then an IT lead. Eve has the app in her personal scope.
const EVE_CHAT = 'a:fake-personal-chat-eve';

describe('approvals on Teams (Action.Execute)', { timeout: 60_000 }, () => {
  let desk: Desk;

  beforeAll(async () => {
    desk = await startDesk();
    const install = installed(desk.connector.url, eve);
    expect((await desk.post({ ...install, conversation: { ...install.conversation, id: EVE_CHAT } })).status).toBe(200);
    const db = desk.sb.database.db;
    const requester = await resolvePerson(db, { email: ada.email, name: ada.name });
    // The install told us how to reach Eve in her chat.
    const manager = await eventually(async () => {
      const [row] = await db.select().from(people).where(eq(people.email, eve.email));
      return row?.teamsConversation ? row : undefined;
    });
    await db.update(people).set({ managerId: manager.id }).where(eq(people.id, requester.id));
  });
  afterAll(async () => desk?.stop());

  /** Someone (Eve by default) pressing an Action.Execute button on a card in their chat with the bot. */
  function execute(verb: string, data: Record<string, unknown>, from: typeof eve | typeof bob | typeof ada = eve, chat = EVE_CHAT) {
    const base = personalSubmit(desk.connector.url, {}, undefined, from);
    return desk.post({ ...base, type: 'invoke', name: 'adaptiveCard/action', id: nextId(), conversation: { ...base.conversation, id: chat }, value: { action: { type: 'Action.Execute', verb, data } } });
  }

  it('the manager gets the card in her Teams chat, approves there; the answer and her copy show the decision; a second press is told who decided', async () => {
    const created = await desk.api('POST', '/tickets', { type: 'system-access', title: 'GitHub admin', requester: { email: ada.email }, fields: { system: 'GitHub', role: 'admin', manager_email: 'ctl@example.com' } });
    const { key } = (await created.json()) as { key: string };
    const sent = await desk.connector.waitFor((c) => c.conversationId === EVE_CHAT && (c.route === 'sendToConversation' || c.route === 'replyToActivity') && cardText(cardOf(c.body)).includes(`Approval needed · ${key}`), 8_000);
    const card = cardOf(sent.body)!;
    const actions = (card.actions as Array<{ type: string; verb?: string; data?: Record<string, unknown> }>).filter((a) => a.type === 'Action.Execute');
    expect(actions.map((a) => a.verb)).toEqual(['approval.approve', 'approval.reject']);
    const cardId = (sent.response as { id: string }).id;

    // Someone who is not the approver presses it: the card comes back with why, nothing is decided.
    const refused = await execute('approval.approve', { ticket: key, step: 1 }, bob);
    expect(refused.status).toBe(200);
    expect(cardText(((await refused.json()) as { value: unknown }).value)).toContain(`cannot decide step 1 of ${key}`);

    // Rejecting needs a reason: the card says so.
    const noReason = await execute('approval.reject', { ticket: key, step: 1, comment: '' });
    expect(cardText(((await noReason.json()) as { value: unknown }).value)).toContain('Say why you reject it');

    const approved = await execute('approval.approve', { ticket: key, step: 1 });
    expect(approved.status).toBe(200);
    const answer = (await approved.json()) as { statusCode: number; type: string; value: unknown };
    expect(answer).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(answer.value)).toContain('Approved by Eve Colleague');
    expect(cardText(answer.value)).not.toContain('Reject');

    // The outbox edits the copy it sent, in place.
    await desk.connector.waitFor((c) => c.route === 'updateActivity' && c.conversationId === EVE_CHAT && c.activityId === cardId && cardText(cardOf(c.body)).includes('Approved by Eve Colleague'), 8_000);

    const again = await execute('approval.approve', { ticket: key, step: 1 });
    expect(cardText(((await again.json()) as { value: unknown }).value)).toMatch(/Step 1 was already approved by Eve Colleague at \d{4}-/);
    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { approvals: Array<{ state: string }> };
    expect(ticket.approvals.map((a) => a.state)).toEqual(['approved', 'pending', 'pending']);
    const events = ((await (await desk.api('GET', `/tickets/${key}/events`)).json()) as { items: Array<{ type: string; channel: string }> }).items;
    expect(events.filter((e) => e.type === 'approval_decided').map((e) => e.channel)).toEqual(['teams']);
  });

  it('the requester rates a resolved ticket from the "How did we do?" card in her Teams chat', async () => {
    const install = installed(desk.connector.url, ada);
    expect((await desk.post(install)).status).toBe(200);
    await eventually(async () => ((await desk.sb.database.db.select().from(people).where(eq(people.email, ada.email)))[0]?.teamsConversation ? true : undefined));
    const created = await desk.api('POST', '/tickets', { type: 'laptop', title: 'Dock for desk 4', requester: { email: ada.email }, fields: { model: '13-inch' } });
    const { key } = (await created.json()) as { key: string };
    await desk.api('POST', `/tickets/${key}/transition`, { status: 'resolved', actor: { email: bob.email } });
    const chat = install.conversation.id;
    const sent = await desk.connector.waitFor((c) => c.conversationId === chat && cardText(cardOf(c.body)).includes(`How did we do? · ${key}`), 8_000);
    const verbs = (cardOf(sent.body)!.actions as Array<{ verb?: string; data?: { rating?: number } }>).map((a) => a.data?.rating);
    expect(verbs).toEqual([1, 2, 3, 4, 5]);
    const bobTries = await execute('rate', { ticket: key, rating: 1 }, bob, chat);
    expect(cardText(((await bobTries.json()) as { value: unknown }).value)).toContain(`only the requester of ${key} can rate it`);
    const rated = await execute('rate', { ticket: key, rating: 4 }, ada, chat);
    expect(cardText(((await rated.json()) as { value: unknown }).value)).toContain('You rated it 4/5 (Good)');
    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { satisfaction: { rating: number } };
    expect(ticket.satisfaction.rating).toBe(4);
  });
});
