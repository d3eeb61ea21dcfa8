import { describe, expect, it } from 'vitest';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { channelSubmit, messageAction, nextId } from './activities.ts';
import { ada, bob, cardOf, cardText, deskForSuite, eve, ticketWithChain as chainOf, timeline } from './harness.ts';

// The sample catalog with Bob on the IT desk; Eve is in the triage team but works no queue.

describe('Teams: only the desk acts on a ticket', () => {
  const desk = deskForSuite({ installedFor: [ada] });
  const ticketWithChain = (title: string) => chainOf(desk, title);
  const events = (key: string) => timeline(desk, key);

  it('a non-agent\'s Claim, Assign, Status, Priority and Reply refresh the card with the reason and change nothing', async () => {
    const { connector } = desk;
    const { key, threadId, rootId } = await ticketWithChain('VPN drops every hour');
    const before = await events(key);
    const submits = [
      [{ sb: 'claim', ticket: key }, /cannot claim it/],
      [{ sb: 'assign', ticket: key, assignee: bob.email }, /cannot assign it/],
      [{ sb: 'status', ticket: key, status: 'resolved' }, /cannot change the status/],
      [{ sb: 'priority', ticket: key, priority: 'P1' }, /cannot change the priority/],
      [{ sb: 'reply', ticket: key, reply: 'Reboot the router' }, /cannot reply to the requester/],
    ] as const;
    for (const [value, reason] of submits) {
      await desk.post(channelSubmit(connector.url, threadId, value, eve));
      const refreshed = await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && reason.test(cardText(cardOf(c.body))), 5_000);
      const text = cardText(cardOf(refreshed.body));
      expect(text).toContain('eve@example.test is not an agent of the IT queue');
      expect(text).toContain('Nothing was changed.');
      // The card itself is still the ticket's card, with its actions.
      expect(text).toContain(key);
    }
    expect(await events(key)).toEqual(before);
    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { status: string; priority: string; assignee: unknown };
    expect(ticket).toMatchObject({ status: 'new', priority: 'P2', assignee: null });
    // Nothing was said in the chain or to Ada.
    expect(connector.calls.filter((c) => (c.route === 'sendToConversation' || c.route === 'replyToActivity') && /Reboot the router/.test(JSON.stringify(c.body)))).toHaveLength(0);

    // Bob, an IT agent, gets the same actions through.
    await desk.post(channelSubmit(connector.url, threadId, { sb: 'claim', ticket: key }, bob));
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && cardText(cardOf(c.body)).includes('Bob Agent'), 5_000);
  });

  it('"Send to requester" from a non-agent is refused with the reason in the dialog', async () => {
    const { key, threadId } = await ticketWithChain('Laptop will not charge');
    const action = messageAction(desk.connector.url, 'composeExtension/submitAction', { commandId: 'sendToRequester', messageText: 'Try another cable', data: { sb: 'send', reply: 'Try another cable' } }, eve, threadId);
    const response = await desk.post(action);
    expect(await response.json()).toEqual({ task: { type: 'message', value: 'eve@example.test is not an agent of the IT queue, so they cannot reply to the requester. Nothing was sent.' } });
    expect((await events(key)).some((e) => e.type === 'comment')).toBe(false);
  });

  it('"away" and "back" in the chat set an agent\'s availability; from an employee they are an ordinary message', async () => {
    const { connector } = desk;
    const say = (from: typeof bob | typeof ada, text: string) => desk.post({ ...teamsPersonalMessage({ serviceUrl: connector.url, text, from }), id: nextId() });
    await say(bob, 'away');
    await connector.waitFor((c) => /You're away: no new IT tickets/.test(String((c.body as { text?: string } | undefined)?.text ?? '')), 5_000);
    const agents = await desk.api('POST', `/agents/${encodeURIComponent(bob.email)}/availability`, { away: true });
    expect(await agents.json()).toEqual({ email: bob.email, away: true, queues: ['IT'] });
    await say(bob, 'Back');
    await connector.waitFor((c) => /Welcome back/.test(String((c.body as { text?: string } | undefined)?.text ?? '')), 5_000);
    const calls = connector.calls.length;
    await say(ada, 'away');
    // Ada works no queue: she gets the request-type picker, as for any message.
    await connector.waitFor((c) => connector.calls.indexOf(c) >= calls && cardText(cardOf(c.body)).length > 0, 5_000);
  });
});
