import { describe, expect, it } from 'vitest';
import { resolvePerson } from '../../../src/core/people.ts';
import { channelSubmit, peopleSearch } from './activities.ts';
import { ada, bob, cardOf, cardText, deskForSuite, ticketWithChain as chainOf } from './harness.ts';

type Search = { type: string; value: { results: Array<{ title: string; value: string }> } };
type Action = { type: string; title: string; card?: { body: Array<Record<string, unknown>> } };

// The sample catalog's IT roster, with Bob added by the harness.
const IT_AGENTS = ['bob@example.test', 'marta.lopez@example.com', 'bo.chen@example.com', 'dan.okafor@example.com', 'sara.ng@example.com'];

describe('Teams Assign: offers the queue\'s agents only (static choices and a typeahead over them)', () => {
  const desk = deskForSuite({
    installedFor: [ada],
    // Known to Switchboard, but not on the IT desk: never offered.
    prepare: async (desk) => {
      await resolvePerson(desk.sb.database.db, { email: 'carol@example.test', name: 'Carol Keyes' });
      await resolvePerson(desk.sb.database.db, { email: 'marta.lopez@example.com', name: 'Marta López' });
    },
  });
  const ticketWithChain = (title: string) => chainOf<{ actions: Action[] }>(desk, title);

  async function search(threadId: string, queryText: string, dataset?: string): Promise<{ status: number; body: Search }> {
    const response = await desk.post(peopleSearch(desk.connector.url, threadId, queryText, bob, dataset));
    return { status: response.status, body: (await response.json()) as Search };
  }

  it('the Assign action lists the queue\'s agents, with a Data.Query over the same agents; no free email box', async () => {
    const { card } = await ticketWithChain('New starter needs VPN');
    const assign = card.actions.find((a) => a.title === 'Assign');
    expect(assign?.card?.body).toEqual([expect.objectContaining({ type: 'Input.ChoiceSet', id: 'assignee', style: 'filtered', 'choices.data': { type: 'Data.Query', dataset: 'agents:IT' } })]);
    const choices = (assign!.card!.body[0]!.choices as Array<{ value: string }>).map((c) => c.value);
    expect(choices).toEqual(IT_AGENTS);
  });

  it('typing searches the queue\'s agents by name or email, marks away ones, and nobody else; picking one assigns them', async () => {
    const { connector } = desk;
    const { key, threadId, rootId } = await ticketWithChain('Shared drive is read-only');

    expect(await search(threadId, 'MARTA', 'agents:IT')).toEqual({
      status: 200,
      body: { type: 'application/vnd.microsoft.search.searchResponse', value: { results: [{ title: 'Marta López (marta.lopez@example.com)', value: 'marta.lopez@example.com' }] } },
    });
    // Carol is known but works no queue; Eve is in the team but works no queue.
    expect((await search(threadId, 'carol', 'agents:IT')).body.value.results).toEqual([]);
    expect((await search(threadId, 'eve', 'agents:IT')).body.value.results).toEqual([]);
    expect((await search(threadId, '', 'agents:IT')).body.value.results.map((r) => r.value)).toEqual(IT_AGENTS);
    // Cards posted before the roster asked for "people": answered with the chain's queue's agents.
    expect((await search(threadId, 'sara', 'people')).body.value.results.map((r) => r.value)).toEqual(['sara.ng@example.com']);
    expect((await search(threadId, 'sara', 'queues')).body.value.results).toEqual([]);
    await desk.api('POST', `/agents/${encodeURIComponent('dan.okafor@example.com')}/availability`, { away: true });
    expect((await search(threadId, 'dan', 'agents:IT')).body.value.results).toEqual([{ title: 'dan.okafor@example.com · away', value: 'dan.okafor@example.com' }]);

    await desk.post(channelSubmit(connector.url, threadId, { sb: 'assign', ticket: key, assignee: 'marta.lopez@example.com' }, bob));
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && cardText(cardOf(c.body)).includes('Marta López'), 5_000);
    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { assignee: { email: string } };
    expect(ticket.assignee.email).toBe('marta.lopez@example.com');
  });

  it('assigning to someone who is not an agent of the queue is refused with the reason; nothing changes', async () => {
    const { connector } = desk;
    const { key, threadId } = await ticketWithChain('Monitor flickers');
    // An old card's email box, typed with a colleague's address.
    await desk.post(channelSubmit(connector.url, threadId, { sb: 'assign', ticket: key, assignee: '', assigneeEmail: ' Carol@Example.test ' }, bob));
    await connector.waitFor((c) => c.conversationId === threadId && String((c.body as { text?: string }).text ?? '').includes('not an agent of the IT queue'), 5_000);
    // Nothing picked: the agent is told.
    await desk.post(channelSubmit(connector.url, threadId, { sb: 'assign', ticket: key }, bob));
    await connector.waitFor((c) => c.conversationId === threadId && String((c.body as { text?: string }).text ?? '').includes('email address'), 5_000);
    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { assignee: unknown };
    expect(ticket.assignee).toBeNull();
  });
});
