import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePerson } from '../../../src/core/people.ts';
import { channelSubmit, installed, peopleSearch } from './activities.ts';
import { ada, bob, cardOf, cardText, startDesk, type Desk } from './harness.ts';

type Search = { type: string; value: { results: Array<{ title: string; value: string }> } };
type Action = { type: string; title: string; card?: { body: Array<Record<string, unknown>> } };

describe('Teams Assign: a people picker with typeahead search, and the plain email fallback', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await startDesk();
    expect((await desk.post(installed(desk.connector.url, ada))).status).toBe(200);
    // Someone Switchboard knows (from email, Slack, ...) who is not in the Teams conversation.
    await resolvePerson(desk.sb.database.db, { email: 'carol@example.test', name: 'Carol Keyes' });
  });
  afterAll(() => desk.stop());

  async function ticketWithChain(title: string) {
    const { connector } = desk;
    const created = await desk.api('POST', '/tickets', { type: 'password-reset', title, requester: { email: ada.email, name: ada.name }, fields: { account: 'VPN' } });
    const { key } = (await created.json()) as { key: string };
    const chain = await connector.waitFor((c) => c.route === 'createConversation' && cardText(cardOf((c.body as { activity?: unknown }).activity)).includes(title), 5_000);
    const { id: threadId, activityId: rootId } = chain.response as { id: string; activityId: string };
    await desk.anchored(key, 'teams', 'triage');
    const card = cardOf((chain.body as { activity?: unknown }).activity) as { actions: Action[] };
    return { key, threadId, rootId, card };
  }

  async function search(threadId: string, queryText: string, dataset?: string): Promise<{ status: number; body: Search }> {
    const response = await desk.post(peopleSearch(desk.connector.url, threadId, queryText, bob, dataset));
    return { status: response.status, body: (await response.json()) as Search };
  }

  it('the Assign action offers a Data.Query people picker and an email box', async () => {
    const { card } = await ticketWithChain('New starter needs VPN');
    const assign = card.actions.find((a) => a.title === 'Assign');
    expect(assign?.card?.body).toEqual([
      expect.objectContaining({ type: 'Input.ChoiceSet', id: 'assignee', style: 'filtered', 'choices.data': { type: 'Data.Query', dataset: 'people' } }),
      expect.objectContaining({ type: 'Input.Text', id: 'assigneeEmail', style: 'Email' }),
    ]);
  });

  it('typing in the picker searches our people and the conversation members; picking one assigns them', async () => {
    const { connector } = desk;
    const { key, threadId, rootId } = await ticketWithChain('Shared drive is read-only');

    // Carol is known to Switchboard only; Bob only to Teams (a member of the team); Ada to both, listed once.
    expect(await search(threadId, 'CAR')).toEqual({
      status: 200,
      body: { type: 'application/vnd.microsoft.search.searchResponse', value: { results: [{ title: 'Carol Keyes (carol@example.test)', value: 'carol@example.test' }] } },
    });
    expect((await search(threadId, 'bob')).body.value.results).toEqual([{ title: `${bob.name} (${bob.email})`, value: bob.email }]);
    expect((await search(threadId, 'ada')).body.value.results).toEqual([{ title: `${ada.name} (${ada.email})`, value: ada.email }]);
    // LIKE wildcards in the query are taken literally; another dataset gets no results.
    expect((await search(threadId, '%')).body.value.results).toEqual([]);
    expect((await search(threadId, 'carol', 'queues')).body.value.results).toEqual([]);

    await desk.post(channelSubmit(connector.url, threadId, { sb: 'assign', ticket: key, assignee: 'carol@example.test', assigneeEmail: '' }, bob));
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && cardText(cardOf(c.body)).includes('Carol Keyes'), 5_000);
    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { assignee: { email: string } };
    expect(ticket.assignee.email).toBe('carol@example.test');
  });

  it('a client without dynamic typeahead assigns by typing an email address', async () => {
    const { connector } = desk;
    const { key, threadId, rootId } = await ticketWithChain('Monitor flickers');
    await desk.post(channelSubmit(connector.url, threadId, { sb: 'assign', ticket: key, assignee: '', assigneeEmail: ' Bob@Example.test ' }, bob));
    await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && cardText(cardOf(c.body)).includes('Bob Agent'), 5_000);
    // Nothing picked and nothing typed: the agent is told, the ticket is unchanged.
    await desk.post(channelSubmit(connector.url, threadId, { sb: 'assign', ticket: key }, bob));
    await connector.waitFor((c) => c.conversationId === threadId && String((c.body as { text?: string }).text ?? '').includes('email address'), 5_000);
    const ticket = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { assignee: { email: string } };
    expect(ticket.assignee.email).toBe(bob.email);
  });
});
