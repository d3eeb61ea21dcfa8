import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kbFeedback } from '../../../src/db/schema.ts';
import { sampleKnowledgeDir } from '../../../src/knowledge/articles.ts';
import { blockActions, interactionBody } from '../../fakes/slack/index.ts';
import { ada, startSlackDesk, textOf, type SlackDesk } from './harness.ts';
import { optionValue } from './helpers.ts';

let desk: SlackDesk;
beforeAll(async () => {
  desk = await startSlackDesk({ KNOWLEDGE_DIR: sampleKnowledgeDir });
}, 120_000);
afterAll(async () => {
  await desk?.stop();
}, 60_000);

const dm = `D${ada.id}`;

/** Ada writes to the bot; returns her message and the bot's first answer in its thread. */
async function adaWrites(text: string) {
  const message = desk.fake.addMessage(dm, { user: ada.id, text });
  expect((await desk.say({ channel: dm, channel_type: 'im', user: ada.id, text, ts: message.ts })).status).toBe(200);
  const answer = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === message.ts);
  const answerTs = (answer.response as { ts: string }).ts;
  return { message, answer, answerMessage: desk.fake.messagesIn(dm).find((m) => m.ts === answerTs)! };
}

type Section = { block_id?: string; text?: { text: string }; accessory?: { action_id: string; value: string } };
const articleSections = (blocks: unknown) => (blocks as Section[]).filter((b) => b.block_id?.startsWith('kb_article:'));
const feedbackOf = (slug: string) => desk.sb.database.db.select().from(kbFeedback).where(eq(kbFeedback.slug, slug));

describe('help articles before a Slack request is filed', () => {
  it('"my vpn keeps dropping" gets the VPN article first, linked to its public page; "That solved it" records solved and files nothing', async () => {
    const { answer, answerMessage } = await adaWrites('my vpn keeps dropping');
    const sections = articleSections(answer.body.blocks);
    expect(sections.length).toBeGreaterThanOrEqual(1);
    expect(sections.length).toBeLessThanOrEqual(3);
    expect(sections[0]!.text!.text).toContain('<http://localhost:0/kb/vpn-connect?from=slack|Connect to the VPN from home or on the road>');
    expect(sections[0]!.accessory).toMatchObject({ action_id: 'kb_solved', value: 'vpn-connect' });
    expect(textOf(answer.body.blocks)).not.toContain('Choose a request type');
    expect(JSON.stringify(answer.body.blocks)).toContain('I still need help');

    await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...answerMessage }, actions: [{ action_id: 'kb_solved', value: 'vpn-connect' }] })));
    const updated = await desk.fake.waitFor('chat.update', (c) => c.body.channel === dm && c.body.ts === answerMessage.ts);
    expect(textOf(updated.body.blocks)).toMatch(/Glad \*Connect to the VPN.*solved it\. Nothing was filed/);
    expect(await desk.ticketKeys()).toEqual([]);
    const rows = await feedbackOf('vpn-connect');
    expect(rows.map((r) => [r.event, r.channel, r.email])).toEqual(expect.arrayContaining([['shown', 'slack', ada.email], ['solved', 'slack', ada.email]]));
    expect(rows.filter((r) => r.event === 'filed')).toEqual([]);
  });

  it('"I still need help" turns the suggestion into the type picker; picking files the typed text, and the shown articles count as filed anyway', async () => {
    const text = 'the vpn disconnects every ten minutes when I work from home';
    const { answer, answerMessage } = await adaWrites(text);
    const shown = articleSections(answer.body.blocks).map((s) => s.accessory!.value);
    expect(shown[0]).toBe('vpn-connect');

    await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...answerMessage }, actions: [{ action_id: 'kb_need_help', value: 'help' }] })));
    const picker = await desk.fake.waitFor('chat.update', (c) => c.body.channel === dm && c.body.ts === answerMessage.ts && textOf(c.body.blocks).includes('What kind of request'));
    const pickerMessage = desk.fake.messagesIn(dm).find((m) => m.ts === answerMessage.ts)!;
    const value = optionValue(picker.body.blocks, 'IT question');
    await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: 'IT question' } }] })));

    const key = await desk.until(async () => (await desk.ticketKeys())[0], 'the ticket');
    const [created] = await desk.timeline(key);
    expect(created).toMatchObject({ type: 'created', body: text, actor: { email: ada.email } });
    const filed = await desk.until(async () => {
      const rows = (await desk.sb.database.db.select().from(kbFeedback).where(eq(kbFeedback.event, 'filed'))).map((r) => r.slug);
      return rows.length ? rows : undefined;
    }, 'filed anyway');
    expect(filed.sort()).toEqual([...shown].sort());
    // The picker (the suggestion message) becomes Ada's card, as without suggestions.
    await desk.fake.waitFor('chat.update', (c) => c.body.channel === dm && c.body.ts === answerMessage.ts && textOf(c.body.blocks).includes(key));
  });

  it('a Spanish message finds the Spanish article', async () => {
    const { answer } = await adaWrites('la vpn se desconecta cuando teletrabajo');
    expect(articleSections(answer.body.blocks)[0]!.accessory!.value).toBe('vpn-conectar');
  });

  it('a message no article matches goes straight to the type picker', async () => {
    const { answer } = await adaWrites('zzqx blorf');
    expect(articleSections(answer.body.blocks)).toEqual([]);
    expect(textOf(answer.body.blocks)).toContain('What kind of request is this?');
  });
});
