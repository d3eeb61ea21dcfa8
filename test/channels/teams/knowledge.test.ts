import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kbFeedback } from '../../../src/db/schema.ts';
import { sampleKnowledgeDir } from '../../../src/knowledge/articles.ts';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';
import { personalSubmit } from './activities.ts';
import { ada, cardOf, cardText, eventually, startDesk, type Desk } from './harness.ts';

const personalChat = TEAMS_FAKE_DEFAULTS.personalConversationId;

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
  let desk: Desk;
  beforeAll(async () => {
    desk = await startDesk({ env: { KNOWLEDGE_DIR: sampleKnowledgeDir } });
  });
  afterAll(() => desk.stop());
  afterEach(() => {
    desk.connector.calls.length = 0;
  });

  const ticketCount = async (): Promise<number> => ((await (await desk.api('GET', '/tickets')).json()) as { items: unknown[] }).items.length;
  const feedback = () => desk.sb.database.db.select().from(kbFeedback);

  /** Ada writes to the bot; returns the card it answers with and its activity id. */
  async function adaWrites(text: string) {
    const message = teamsPersonalMessage({ serviceUrl: desk.connector.url, text });
    expect((await desk.post(message)).status).toBe(200);
    const reply = await desk.connector.waitFor((c) => c.route === 'replyToActivity' && c.conversationId === personalChat);
    return { message, card: cardOf(reply.body)!, cardId: (reply.response as { id: string }).id };
  }

  it('"my vpn keeps dropping" gets the VPN article first with a link; "That solved it" records solved and files nothing', async () => {
    const { message, card, cardId } = await adaWrites('my vpn keeps dropping');
    expect(cardText(card)).toMatch(/^These articles may answer it right away[^]*Connect to the VPN from home or on the road/);
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
