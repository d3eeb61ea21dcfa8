import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import type { ConnectorCall } from '../../fakes/teams/connector.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';
import { chainReply, channelSubmit, installed, messageAction, nextId } from './activities.ts';
import { ada, bob, cardOf, cardText, eventually, startDesk, type Desk } from './harness.ts';

const personalChat = TEAMS_FAKE_DEFAULTS.personalConversationId;
type Timeline = { items: Array<{ type: string; visibility: string; body: string; channel: string; actor: { email: string } | null }> };

describe('Teams triage: one reply chain per ticket, cards updated in place, internal by default', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await startDesk();
    expect((await desk.post(installed(desk.connector.url, ada))).status).toBe(200);
  });
  afterAll(() => desk.stop());

  /** A ticket for Ada filed through the API; resolves once its triage chain and her card exist. */
  async function ticketWithChain(title: string) {
    const { connector } = desk;
    const created = await desk.api('POST', '/tickets', { type: 'password-reset', title, requester: { email: ada.email, name: ada.name }, fields: { account: 'VPN' } });
    const { key } = (await created.json()) as { key: string };
    const chain = await connector.waitFor((c) => c.route === 'createConversation' && cardText(cardOf((c.body as { activity?: unknown }).activity)).includes(title), 5_000);
    const { id: threadId, activityId: rootId } = chain.response as { id: string; activityId: string };
    const mine = await connector.waitFor((c) => c.route === 'replyToActivity' && c.conversationId === personalChat && cardText(cardOf(c.body)).includes(title), 5_000);
    await desk.anchored(key, 'teams', 'triage');
    await desk.anchored(key, 'teams', 'requester');
    return { key, threadId, rootId, requesterCardId: (mine.response as { id: string }).id };
  }

  const timeline = async (key: string): Promise<Timeline['items']> => ((await (await desk.api('GET', `/tickets/${key}/events`)).json()) as Timeline).items;
  const textOf = (call: ConnectorCall): string => String((call.body as { text?: string } | undefined)?.text ?? '');

  it('Claim and Status on the card change the ticket; both cards are updated in place and the chain gets a line', async () => {
    const { connector } = desk;
    const { key, threadId, rootId, requesterCardId } = await ticketWithChain('VPN token expired');

    await desk.post(channelSubmit(connector.url, threadId, { sb: 'claim', ticket: key }, bob));
    const triageUpdate = await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && cardText(cardOf(c.body)).includes('Bob Agent'), 5_000);
    expect(triageUpdate.conversationId).toBe(threadId);
    await connector.waitFor((c) => c.route === 'replyToActivity' && c.conversationId === threadId && textOf(c).includes(`${key}</b> assigned to Bob Agent`), 5_000);
    await connector.waitFor((c) => c.route === 'updateActivity' && c.conversationId === personalChat && c.activityId === requesterCardId && cardText(cardOf(c.body)).includes('Bob Agent'), 5_000);

    await desk.post(channelSubmit(connector.url, threadId, { sb: 'status', ticket: key, status: 'in_progress' }, bob));
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && cardText(cardOf(c.body)).includes(`${key} · In progress`), 5_000);
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === requesterCardId && cardText(cardOf(c.body)).includes('In progress'), 5_000);
    // An illegal move is answered in the chain, and changes nothing.
    await desk.post(channelSubmit(connector.url, threadId, { sb: 'status', ticket: key, status: 'closed' }, bob));
    await connector.waitFor((c) => c.conversationId === threadId && textOf(c).includes('cannot move'), 5_000);

    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { status: string; assignee: { email: string } };
    expect(ticket).toMatchObject({ status: 'in_progress', assignee: { email: bob.email } });
    // Nothing ever re-posted a card: the chain root and Ada's card are the only cards.
    const cardsPosted = connector.calls.filter((c) => (c.route === 'replyToActivity' && cardOf(c.body) && c.conversationId === threadId) || (c.route === 'createConversation' && c.status === 201 && cardText(cardOf((c.body as { activity?: unknown }).activity)).includes('VPN token expired')));
    expect(cardsPosted).toHaveLength(1);
  });

  it("an agent's reply in the chain stays internal; the card's Reply and the Send to requester action reach the requester", async () => {
    const { connector } = desk;
    const { key, threadId, rootId } = await ticketWithChain('Cannot print payslips');
    const before = connector.calls.length;

    const note = chainReply(connector.url, threadId, '<at>Switchboard</at> checked the logs <at>Everyone</at>, probably the **driver**', bob);
    expect((await desk.post(note)).status).toBe(200);
    await eventually(async () => (await timeline(key)).find((e) => e.type === 'comment'));
    expect((await timeline(key)).filter((e) => e.type === 'comment')).toEqual([
      expect.objectContaining({ visibility: 'internal', channel: 'teams', body: 'checked the logs , probably the **driver**', actor: expect.objectContaining({ email: bob.email }) }),
    ]);
    // The chain's card is refreshed (no echo of the note); the requester hears nothing.
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && connector.calls.indexOf(c) >= before, 5_000);

    await desk.post(channelSubmit(connector.url, threadId, { sb: 'reply', ticket: key, reply: 'Please try again <at>now</at> & tell me' }, bob));
    const reply = await connector.waitFor((c) => c.conversationId === personalChat && textOf(c).includes('Please try again'), 5_000);
    expect(reply.body).toMatchObject({ textFormat: 'xml' });
    expect(textOf(reply)).toContain('Please try again &lt;at&gt;now&lt;/at&gt; &amp; tell me');
    expect((reply.body as { entities?: unknown[] }).entities ?? []).toEqual([]);
    // The chain shows what was sent.
    await connector.waitFor((c) => c.conversationId === threadId && textOf(c).includes('replied to the requester'), 5_000);

    // "Send to requester" on a message in the chain: a dialog to confirm (and trim) the text, then send.
    const opened = await desk.post(messageAction(connector.url, 'composeExtension/fetchTask', { commandId: 'sendToRequester', messageText: 'The driver is fixed, print away' }, bob, threadId));
    const dialog = (await opened.json()) as { task: { type: string; value: { card: { content: { body: Array<Record<string, unknown>> } } } } };
    expect(dialog.task.value.card.content.body.find((e) => e.id === 'reply')).toMatchObject({ value: 'The driver is fixed, print away' });
    const action = messageAction(connector.url, 'composeExtension/submitAction', { commandId: 'sendToRequester', messageText: 'The driver is fixed, print away', data: { sb: 'send', reply: 'The driver is fixed, print away' } }, bob, threadId);
    const answered = await desk.post(action);
    expect(await answered.json()).toEqual({ task: { type: 'message', value: `Sent to the requester of ${key}.` } });
    await connector.waitFor((c) => c.conversationId === personalChat && textOf(c).includes('The driver is fixed'), 5_000);

    expect(connector.calls.some((c) => c.conversationId === personalChat && textOf(c).includes('checked the logs'))).toBe(false);
    expect((await timeline(key)).filter((e) => e.type === 'comment').map((e) => e.visibility)).toEqual(['internal', 'public', 'public']);
  });

  it("the requester's reply in her chat is a public comment that reaches the chain and reopens a resolved ticket", async () => {
    const { connector } = desk;
    const { key, threadId, requesterCardId } = await ticketWithChain('Locked out again');
    await desk.post(channelSubmit(connector.url, threadId, { sb: 'status', ticket: key, status: 'resolved' }, bob));
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === requesterCardId && cardText(cardOf(c.body)).includes('Resolved'), 5_000);

    const answer = { ...teamsPersonalMessage({ serviceUrl: connector.url, text: 'Still locked out, sorry' }), id: nextId(), replyToId: requesterCardId };
    expect((await desk.post(answer)).status).toBe(200);
    await connector.waitFor((c) => c.conversationId === threadId && textOf(c).includes('Still locked out, sorry'), 5_000);
    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { status: string };
    expect(ticket.status).toBe('open');
    expect((await timeline(key)).find((e) => e.type === 'comment')).toMatchObject({ visibility: 'public', actor: expect.objectContaining({ email: ada.email }) });
    // Her own words are not echoed back to her; her card is refreshed instead.
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === requesterCardId && cardText(cardOf(c.body)).includes('Open'), 5_000);
    expect(connector.calls.filter((c) => c.conversationId === personalChat && textOf(c).includes('Still locked out'))).toEqual([]);

    // A message the bot itself sent, delivered back to it, is never input.
    const own = { ...teamsPersonalMessage({ serviceUrl: connector.url, text: 'echo' }), id: nextId(), from: { id: `28:${TEAMS_FAKE_DEFAULTS.appId}`, name: 'Switchboard' } };
    const callsBefore = connector.calls.length;
    expect((await desk.post(own)).status).toBe(200);
    expect(connector.calls.length).toBe(callsBefore);
  });
});
