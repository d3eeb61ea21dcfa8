import { describe, expect, it } from 'vitest';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';
import { chainReply, channelSubmit, messageAction, nextId } from './activities.ts';
import { ada, bob, cardOf, cardText, deskForSuite, eventually, personalChat, textOf, ticketWithBothCards, timeline as timelineOf } from './harness.ts';

describe('Teams triage: one reply chain per ticket, cards updated in place, internal by default', () => {
  const desk = deskForSuite({ installedFor: [ada] });
  const ticketWithChain = (title: string) => ticketWithBothCards(desk, title);
  const timeline = (key: string) => timelineOf(desk, key);

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

  it('"Send to requester" used twice on one message (a second click, trimmed text) reaches the requester once; another message of the chain still goes', async () => {
    const { connector } = desk;
    const { key, threadId } = await ticketWithChain('Monitor flickers');
    const send = (messageId: string, reply: string) =>
      desk.post(messageAction(connector.url, 'composeExtension/submitAction', { commandId: 'sendToRequester', messageId, messageText: reply, data: { sb: 'send', reply } }, bob, threadId));

    expect(await (await send('1700000004001', 'Swap the cable, then restart')).json()).toEqual({ task: { type: 'message', value: `Sent to the requester of ${key}.` } });
    await connector.waitFor((c) => c.conversationId === personalChat && textOf(c).includes('Swap the cable'), 5_000);
    // A new invoke (its own activity id) on the same message, the text trimmed in the dialog.
    expect(await (await send('1700000004001', 'Swap the cable')).json()).toEqual({ task: { type: 'message', value: `That message was already sent to the requester of ${key}.` } });
    expect(await (await send('1700000004002', 'Or try the other port')).json()).toEqual({ task: { type: 'message', value: `Sent to the requester of ${key}.` } });
    await connector.waitFor((c) => c.conversationId === personalChat && textOf(c).includes('Or try the other port'), 5_000);

    const comments = (await timeline(key)).filter((e) => e.type === 'comment');
    expect(comments.map((e) => [e.visibility, e.body])).toEqual([
      ['public', 'Swap the cable, then restart'],
      ['public', 'Or try the other port'],
    ]);
    expect(connector.calls.filter((c) => c.conversationId === personalChat && textOf(c).includes('Swap the cable'))).toHaveLength(1);
  });

  it('"Send to requester" on a bot\'s message, or outside a ticket\'s chain, is refused with the same words as on Slack, and sends nothing', async () => {
    const { connector } = desk;
    const { key, threadId } = await ticketWithChain('Badge does not open door 4');
    const refusal = { task: { type: 'message', value: 'Use "Send to requester" on a person\'s message inside a ticket\'s triage thread.' } };
    const before = connector.calls.length;
    const onBotLine = { commandId: 'sendToRequester', messageId: '1700000005001', messageText: 'Door 4 badge line from the bot', fromBot: true };
    expect(await (await desk.post(messageAction(connector.url, 'composeExtension/fetchTask', onBotLine, bob, threadId))).json()).toEqual(refusal);
    expect(await (await desk.post(messageAction(connector.url, 'composeExtension/submitAction', { ...onBotLine, data: { sb: 'send', reply: 'Door 4 badge line from the bot' } }, bob, threadId))).json()).toEqual(refusal);
    const elsewhere = { commandId: 'sendToRequester', messageId: '1700000005002', messageText: 'lunch?', data: { sb: 'send', reply: 'lunch?' } };
    expect(await (await desk.post(messageAction(connector.url, 'composeExtension/submitAction', elsewhere, bob))).json()).toEqual(refusal);
    expect((await timeline(key)).filter((e) => e.type === 'comment')).toEqual([]);
    expect(connector.calls.slice(before).some((c) => c.conversationId === personalChat && /Door 4 badge line|lunch/.test(textOf(c)))).toBe(false);
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
