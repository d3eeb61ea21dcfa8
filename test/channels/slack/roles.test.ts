import { describe, expect, it } from 'vitest';
import { blockActions, interactionBody, messageShortcut, slashCommandBody, viewSubmission } from '../../fakes/slack/index.ts';
import { FAC_TRIAGE, GENERAL, IT_TRIAGE, ada, bob, cyd, eve, fileViaDm, slackDeskForSuite } from './harness.ts';
import { text, viewOf } from './helpers.ts';

// The harness catalog: bob and cyd are IT agents, bob leads FAC; eve sits in the triage
// channels but works no queue; ada is the requester.

const desk = slackDeskForSuite();

const cardMessage = (channel: string, ts: string) => desk.fake.messagesIn(channel).find((m) => m.ts === ts)!;
const ephemeralTo = (user: { id: string }, pattern: RegExp) => desk.fake.waitFor('chat.postEphemeral', (c) => c.body.user === user.id && pattern.test(String(c.body.text)));

async function ticketState(key: string) {
  return (await desk.timeline(key)).map((e) => `${e.type}:${e.visibility}`);
}

describe('Slack: only the desk acts on a ticket', () => {
  it('refuses Claim, Assign, Status, Priority and Reply from someone who is not an agent, ephemerally, and changes nothing', async () => {
    const t = await fileViaDm(desk, ada, 'Printer on 3rd floor jams', 'IT question', IT_TRIAGE);
    await desk.drain();
    const before = await ticketState(t.key);
    const updatesBefore = desk.fake.callsTo('chat.update').length;
    const click = (action: Record<string, unknown>, user = eve) =>
      desk.post(interactionBody(blockActions({ user, channel: { id: IT_TRIAGE }, message: { ...cardMessage(IT_TRIAGE, t.cardTs) }, actions: [{ block_id: `card:${t.key}`, ...action } as never] })));

    await click({ action_id: 'card_claim', value: t.key, text: 'Claim' });
    await ephemeralTo(eve, /not an agent of the IT queue.*claim/);
    await click({ type: 'static_select', action_id: 'card_assign', selected: { text: bob.email, value: bob.email } });
    await ephemeralTo(eve, /not an agent of the IT queue.*assign/);
    await click({ type: 'static_select', action_id: 'card_status', selected: { text: 'Resolved', value: 'resolved' } });
    await ephemeralTo(eve, /not an agent of the IT queue.*status/);
    await click({ type: 'static_select', action_id: 'card_priority', selected: { text: 'P1', value: 'P1' } });
    await ephemeralTo(eve, /not an agent of the IT queue.*priority/);
    await click({ action_id: 'card_reply', value: t.key, text: 'Reply to requester' });
    await ephemeralTo(eve, /Only agents of the IT queue can reply to the requester/);
    // The refusals are in the card's thread, only for eve; no modal opened for her.
    const refusals = desk.fake.callsTo('chat.postEphemeral').filter((c) => c.body.user === eve.id);
    expect(refusals.every((c) => c.body.channel === IT_TRIAGE && c.body.thread_ts === t.cardTs)).toBe(true);
    expect(desk.fake.callsTo('views.open').filter((c) => JSON.stringify(c.body).includes(t.key))).toHaveLength(0);

    await desk.drain();
    expect(await ticketState(t.key)).toEqual(before);
    expect(desk.fake.callsTo('chat.update').length).toBe(updatesBefore);
    const ticket = (await (await fetch(`${desk.sb.url}/api/v1/tickets/${t.key}`, { headers: { authorization: 'Bearer t' } })).json()) as { status: string; priority: string; assignee: unknown };
    expect(ticket).toMatchObject({ status: 'new', priority: 'P3', assignee: null });

    // The same clicks from an agent of the queue go through.
    await click({ action_id: 'card_claim', value: t.key, text: 'Claim' }, cyd);
    await desk.until(async () => (await desk.timeline(t.key)).find((e) => e.type === 'assigned'), 'the claim');
  });

  it('an agent of another queue is refused too; a lead of the queue is not', async () => {
    const t = await fileViaDm(desk, ada, 'Door to room 2 squeaks', 'Something broken', FAC_TRIAGE);
    const click = (user: typeof cyd) =>
      desk.post(interactionBody(blockActions({ user, channel: { id: FAC_TRIAGE }, message: { ...cardMessage(FAC_TRIAGE, t.cardTs) }, actions: [{ block_id: `card:${t.key}`, type: 'static_select', action_id: 'card_priority', selected: { text: 'P2', value: 'P2' } } as never] })));
    await click(cyd); // an IT agent
    await ephemeralTo(cyd, /not an agent of the FAC queue/);
    expect((await desk.timeline(t.key)).some((e) => e.type === 'priority_changed')).toBe(false);
    await click(bob); // FAC's lead
    await desk.until(async () => (await desk.timeline(t.key)).find((e) => e.type === 'priority_changed'), 'the lead\'s priority change');
  });

  it('"Send to requester" by a non-agent, and a Reply modal submitted after losing the role, are refused; nothing reaches the requester', async () => {
    const t = await fileViaDm(desk, ada, 'Wifi drops in the kitchen', 'IT question', IT_TRIAGE);
    const line = desk.fake.addMessage(IT_TRIAGE, { user: eve.id, text: 'Try forgetting the network', thread_ts: t.cardTs });
    await desk.post(interactionBody(messageShortcut({ callbackId: 'send_to_requester', user: eve, channel: { id: IT_TRIAGE }, message: { ...line } })));
    await ephemeralTo(eve, /not an agent of the IT queue.*reply to the requester/);
    // An agent may send a colleague's good advice on: the agent speaks for the desk.
    await desk.post(interactionBody(messageShortcut({ callbackId: 'send_to_requester', user: bob, channel: { id: IT_TRIAGE }, message: { ...line } })));
    await ephemeralTo(bob, /Sent to the requester/);
    const sent = (await desk.timeline(t.key)).filter((e) => e.type === 'comment' && e.visibility === 'public');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ sentBy: bob.id });

    // A modal eve somehow holds (opened by nobody we allowed) is refused next to the reply field.
    const submitted = await desk.post(interactionBody(viewSubmission({ user: eve, view: { callback_id: 'reply_modal', private_metadata: JSON.stringify({ key: t.key }) } as never, values: { reply: text('Reboot it') } as never })));
    expect(await submitted.json()).toEqual({ response_action: 'errors', errors: { reply: 'Only agents of the IT queue can reply to the requester. Nothing was changed.' } });
    await desk.drain();
    expect((await desk.timeline(t.key)).filter((e) => e.type === 'comment' && e.visibility === 'public')).toHaveLength(1);
  });

  it('/request away and /request back set an agent\'s availability; an employee is told there is nothing to set', async () => {
    const command = (user: { id: string }, words: string) => desk.post(slashCommandBody({ command: '/request', user_id: user.id, channel_id: GENERAL, text: words }));
    expect((await command(cyd, 'away')).status).toBe(200);
    await ephemeralTo(cyd, /You're away: no new IT tickets/);
    const people = async () => (await fetch(`${desk.sb.url}/api/v1/agents/${encodeURIComponent(cyd.email)}/availability`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: JSON.stringify({ away: true }) })).json();
    expect(await people()).toEqual({ email: cyd.email, away: true, queues: ['IT'] });
    await command(cyd, 'back');
    await ephemeralTo(cyd, /Welcome back/);
    await command(eve, 'away');
    await ephemeralTo(eve, /not an agent of any queue/);
    // Neither opened the request modal.
    expect(desk.fake.callsTo('views.open').filter((c) => viewOf(c).callback_id === 'request_modal')).toHaveLength(0);
  });
});
