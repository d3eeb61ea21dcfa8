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

  /** Eve pressing an Action.Execute button on a card in her chat with the bot. */
  function execute(verb: string, data: Record<string, unknown>, from: typeof eve | typeof bob = eve) {
    const base = personalSubmit(desk.connector.url, {}, undefined, from);
    return desk.post({ ...base, type: 'invoke', name: 'adaptiveCard/action', id: nextId(), conversation: { ...base.conversation, id: EVE_CHAT }, value: { action: { type: 'Action.Execute', verb, data } } });
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
});
