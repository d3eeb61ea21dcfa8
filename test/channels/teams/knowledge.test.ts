
import { afterEach, describe, expect, it } from 'vitest';
import { kbFeedback } from '../../../src/db/schema.ts';
import { sampleKnowledgeDir } from '../../../src/knowledge/articles.ts';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { channelSubmit, peopleSearch, personalSubmit } from './activities.ts';
import { ada, bob, cardOf, cardText, deskForSuite, eve, eventually, personalChat, ticketCount as countTickets, ticketWithChain as chainOf } from './harness.ts';

type Submit = { type: string; title: string; data?: Record<string, unknown> };

/** Every Action.Submit of a card, wherever it sits (ActionSets in containers, the card's own actions). */
function submits(card: unknown): Submit[] {
  const found: Submit[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Submit') found.push(record as unknown as Submit);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}

describe('help articles before a Teams request is filed', () => {
  const desk = deskForSuite({ env: { KNOWLEDGE_DIR: sampleKnowledgeDir } });
  afterEach(() => {
    desk.connector.calls.length = 0;
  });

  const ticketCount = () => countTickets(desk);
  const feedback = () => desk.sb.database.db.select().from(kbFeedback);

  /** Ada writes to the bot; returns the card it answers with and its activity id. */
  async function adaWrites(text: string) {
    const message = teamsPersonalMessage({ serviceUrl: desk.connector.url, text });
    expect((await desk.post(message)).status).toBe(200);
    // The bot's answer to this very message (not a notice the outbox sends into the same chat).
    const reply = await desk.connector.waitFor((c) => c.route === 'replyToActivity' && c.conversationId === personalChat && c.activityId === message.id);
    return { message, card: cardOf(reply.body)!, cardId: (reply.response as { id: string }).id };
  }

  it('"my vpn keeps dropping" gets the VPN article first with a link; "That solved it" records solved and files nothing', async () => {
    const { message, card, cardId } = await adaWrites('my vpn keeps dropping');
    expect(cardText(card)).toMatch(/^These articles may answer it right away[\s\S]*Connect to the VPN from home or on the road/);
    expect(JSON.stringify(card)).toContain('"url":"http://localhost:0/kb/vpn-connect?from=teams"');
    expect(JSON.stringify(card)).not.toContain('"id":"type"');
    const solved = submits(card).filter((s) => s.title === 'That solved it');
    expect(solved.length).toBeGreaterThanOrEqual(1);
    expect(solved.length).toBeLessThanOrEqual(3);
    expect(solved[0]!.data).toEqual({ sb: 'kb_solved', ref: message.id, slug: 'vpn-connect' });

    await desk.post(personalSubmit(desk.connector.url, solved[0]!.data!, cardId));
    const done = await desk.connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === cardId);
    expect(cardText(cardOf(done.body))).toContain('Nothing was filed');
    expect(await ticketCount()).toBe(0);
    const rows = (await feedback()).filter((r) => r.slug === 'vpn-connect');
    expect(rows.map((r) => [r.event, r.channel, r.email])).toEqual(expect.arrayContaining([['shown', 'teams', ada.email], ['solved', 'teams', ada.email]]));
  });

  it('"I still need help" continues to the type picker and the form with the text kept, and filing counts the shown articles as filed anyway', async () => {
    const text = 'my vpn keeps dropping since this morning';
    const { message, card, cardId } = await adaWrites(text);
    const shown = submits(card).filter((s) => s.title === 'That solved it').map((s) => s.data!.slug);
    const help = submits(card).find((s) => s.title === 'I still need help')!;
    expect(help.data).toEqual({ sb: 'kb_help', ref: message.id, text });

    await desk.post(personalSubmit(desk.connector.url, help.data!, cardId));
    const picker = cardOf((await desk.connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === cardId)).body)!;
    expect(JSON.stringify(picker)).toContain('"id":"type"');
    const next = submits(picker).find((s) => s.title === 'Next')!;
    expect(next.data).toMatchObject({ sb: 'pick', text, kb: message.id });

    desk.connector.calls.length = 0;
    await desk.post(personalSubmit(desk.connector.url, { ...next.data, type: 'it-other' }, cardId));
    const form = cardOf((await desk.connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === cardId)).body)!;
    const inputs = (form.body as Array<Record<string, unknown>>).filter((e) => String(e.type).startsWith('Input.'));
    expect(inputs.find((i) => i.id === 'title')).toMatchObject({ value: text });
    const file = submits(form).find((s) => s.data?.sb === 'file')!;
    expect(file.data).toMatchObject({ kb: message.id });

    await desk.post(personalSubmit(desk.connector.url, { ...file.data, title: text, description: text }, cardId));
    await eventually(async () => (await ticketCount()) === 1 || undefined);
    const filed = await eventually(async () => {
      const rows = (await feedback()).filter((r) => r.event === 'filed').map((r) => r.slug);
      return rows.length ? rows : undefined;
    });
    expect(filed.sort()).toEqual([...shown].sort());
  });

  it('a Spanish message finds the Spanish article', async () => {
    const { card } = await adaWrites('olvidé mi contraseña');
    expect(submits(card).find((s) => s.title === 'That solved it')?.data?.slug).toBe('restablecer-contrasena');
  });
});

describe('agents answer with articles and macros in the Teams Reply', () => {
  const desk = deskForSuite({ env: { KNOWLEDGE_DIR: sampleKnowledgeDir }, installedFor: [ada] });
  const ticketWithChain = (title: string) => chainOf(desk, title);

  const replyInput = (card: unknown): Record<string, unknown> | undefined => {
    let found: Record<string, unknown> | undefined;
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (record.type === 'Input.Text' && record.id === 'reply') found = record;
        Object.values(record).forEach(walk);
      }
    };
    walk(card);
    return found;
  };

  it('the agent finds an article by typeahead and picks a macro; Insert puts both into the reply, variables filled, and Send reaches the requester', async () => {
    const { connector } = desk;
    const { key, threadId, rootId, card } = await ticketWithChain('Locked out after the VPN change');
    const json = JSON.stringify(card);
    expect(json).toContain('"choices.data":{"type":"Data.Query","dataset":"kb"}');
    expect(json).toContain('{"title":"Password reset done","value":"password-reset-done"}');
    expect(submits(card).map((s) => s.title)).toEqual(expect.arrayContaining(['Insert into reply', 'Send reply']));

    const search = await desk.post(peopleSearch(connector.url, threadId, 'vpn keeps dropping', bob, 'kb'));
    const results = ((await search.json()) as { value: { results: Array<{ title: string; value: string }> } }).value.results;
    expect(results[0]).toEqual({ title: 'Connect to the VPN from home or on the road', value: 'vpn-connect' });

    await desk.post(channelSubmit(connector.url, threadId, { sb: 'reply_insert', ticket: key, reply: 'Sorry about that.', article: 'vpn-connect', macro: 'password-reset-done' }, bob));
    const drafted = await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && cardText(cardOf(c.body)).includes('Reply drafted'), 5_000);
    const draft = String(replyInput(cardOf(drafted.body))?.value);
    expect(draft).toBe(
      'Sorry about that.\n\nHi Ada, your password has been reset. You will be asked to pick a new one at your next sign-in.\n\nConnect to the VPN from home or on the road: http://localhost:0/kb/vpn-connect',
    );

    await desk.post(channelSubmit(connector.url, threadId, { sb: 'reply', ticket: key, reply: draft, article: '', macro: '' }, bob));
    const sent = await connector.waitFor((c) => c.conversationId === personalChat && String((c.body as { text?: string } | undefined)?.text ?? '').includes('your password has been reset'), 8_000);
    expect(String((sent.body as { text?: string }).text)).toContain('http://localhost:0/kb/vpn-connect');
  });

  it('someone who works no queue cannot draft on the card', async () => {
    const { connector } = desk;
    const { key, threadId, rootId } = await ticketWithChain('Password expired on the laptop');
    await desk.post(channelSubmit(connector.url, threadId, { sb: 'reply_insert', ticket: key, reply: '', article: 'vpn-connect', macro: '' }, eve));
    const refused = await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === rootId && cardText(cardOf(c.body)).includes('Only agents'), 5_000);
    expect(replyInput(cardOf(refused.body))?.value).toBeUndefined();
  });
});
