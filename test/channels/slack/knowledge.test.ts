import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { kbFeedback } from '../../../src/db/schema.ts';
import { sampleKnowledgeDir } from '../../../src/knowledge/articles.ts';
import { blockActions, interactionBody, viewSubmission } from '../../fakes/slack/index.ts';
import { IT_TRIAGE, SLACK_TEST_CATALOG, ada, bob, slackDeskForSuite, textOf } from './harness.ts';
import { optionValue, text as typed, viewOf } from './helpers.ts';

const MACROS = `
macros:
  need-asset-tag:
    title: Ask for the asset tag
    body: "Hi {{requester.first_name}}, could you send the asset tag on the bottom of the laptop? ({{ticket.key}})"
`;

const desk = slackDeskForSuite({ KNOWLEDGE_DIR: sampleKnowledgeDir }, { catalogYaml: SLACK_TEST_CATALOG + MACROS });

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
    const { message, answer, answerMessage } = await adaWrites('my vpn keeps dropping');
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
    const rows = (await feedbackOf('vpn-connect')).filter((r) => r.dedupeKey?.startsWith(`slack:${dm}:${message.ts}|`));
    expect(rows.map((r) => [r.event, r.channel, r.email])).toEqual(expect.arrayContaining([['shown', 'slack', ada.email], ['solved', 'slack', ada.email]]));
    expect(rows.filter((r) => r.event === 'filed')).toEqual([]);
  });

  it('"I still need help" turns the suggestion into the type picker; picking files the typed text, and the shown articles count as filed anyway', async () => {
    const text = 'the vpn disconnects every ten minutes when I work from home';
    const { message, answer, answerMessage } = await adaWrites(text);
    const shown = articleSections(answer.body.blocks).map((s) => s.accessory!.value);
    expect(shown[0]).toBe('vpn-connect');

    await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...answerMessage }, actions: [{ action_id: 'kb_need_help', value: 'help' }] })));
    const picker = await desk.fake.waitFor('chat.update', (c) => c.body.channel === dm && c.body.ts === answerMessage.ts && textOf(c.body.blocks).includes('What kind of request'));
    const pickerMessage = desk.fake.messagesIn(dm).find((m) => m.ts === answerMessage.ts)!;
    const value = optionValue(picker.body.blocks, 'IT question');
    await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: 'IT question' } }] })));

    const card = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === IT_TRIAGE && textOf(c.body.blocks).includes(text), 8_000);
    const key = /IT-\d+/.exec(textOf(card.body.blocks))![0];
    const [created] = await desk.timeline(key);
    expect(created).toMatchObject({ type: 'created', body: text, actor: { email: ada.email } });
    const filed = await desk.until(async () => {
      const rows = (await desk.sb.database.db.select().from(kbFeedback).where(eq(kbFeedback.event, 'filed')))
        .filter((r) => r.dedupeKey?.startsWith(`slack:${dm}:${message.ts}|`))
        .map((r) => r.slug);
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

/** Ada files a request from a DM, past the suggestions ("I still need help"); returns the key and the triage card. */
async function adaFiles(text: string) {
  const { answerMessage } = await adaWrites(text);
  await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...answerMessage }, actions: [{ action_id: 'kb_need_help', value: 'help' }] })));
  const picker = await desk.fake.waitFor('chat.update', (c) => c.body.ts === answerMessage.ts && textOf(c.body.blocks).includes('What kind of request'));
  const pickerMessage = desk.fake.messagesIn(dm).find((m) => m.ts === answerMessage.ts)!;
  await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value: optionValue(picker.body.blocks, 'IT question'), text: 'IT question' } }] })));
  const card = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === IT_TRIAGE && textOf(c.body.blocks).includes(text), 8_000);
  const key = /IT-\d+/.exec(textOf(card.body.blocks))![0];
  const cardTs = (card.response as { ts: string }).ts;
  await desk.until(async () => (await desk.anchorsOf(key)).find((a) => a.side === 'triage'), 'the triage anchor');
  return { key, cardTs, threadTs: answerMessage.thread_ts! };
}

type ViewBlock = { block_id?: string; element?: { initial_value?: string }; elements?: Array<{ type: string; action_id: string }> };

describe('agents answer with articles and macros in the Slack Reply modal', () => {
  it('the agent searches an article and picks a macro; both land in the reply, variables filled, and the requester gets it', async () => {
    const { key, cardTs, threadTs } = await adaFiles('my laptop vpn client keeps dropping');
    const card = desk.fake.messagesIn(IT_TRIAGE).find((m) => m.ts === cardTs)!;
    await desk.post(interactionBody(blockActions({ user: bob, channel: { id: IT_TRIAGE }, message: { ...card }, actions: [{ action_id: 'card_reply', value: key, text: 'Reply to requester' }] })));
    const opened = await desk.fake.waitFor('views.open', (c) => viewOf(c).callback_id === 'reply_modal' && String(viewOf(c).private_metadata).includes(key));
    const viewId = (opened.response as { view: { id: string } }).view.id;
    const tools = (desk.fake.view(viewId)!.blocks as ViewBlock[]).find((b) => b.block_id === 'reply_tools')!;
    expect(tools.elements!.map((e) => [e.type, e.action_id])).toEqual([['external_select', 'reply_article'], ['static_select', 'reply_macro']]);

    // Slack asks for the article options as the agent types (block_suggestion).
    const view = desk.fake.view(viewId)!;
    const suggestion = await desk.post(
      interactionBody({ type: 'block_suggestion', user: { id: bob.id, username: bob.name, name: bob.name, team_id: 'T0FAKE0001' }, team: { id: 'T0FAKE0001', domain: 'switchboard-test' }, api_app_id: 'A0FAKE0001', token: 'x', action_id: 'reply_article', block_id: 'reply_tools', value: 'vpn', container: { type: 'view', view_id: viewId }, view }),
    );
    expect(suggestion.status).toBe(200);
    const { options } = (await suggestion.json()) as { options: Array<{ text: { text: string }; value: string }> };
    expect(options).toContainEqual({ text: { type: 'plain_text', text: 'Connect to the VPN from home or on the road', emoji: true }, value: 'vpn-connect' });
    expect(options.length).toBeLessThanOrEqual(10);

    // Picking it inserts title and link below what the agent wrote.
    const withDraft = { ...view, state: { values: { reply: typed('Thanks for writing in.') } } };
    const pickArticle = blockActions({ user: bob, view: withDraft as never, actions: [{ type: 'static_select', action_id: 'reply_article', selected: { value: 'vpn-connect', text: 'Connect to the VPN from home or on the road' } }] });
    (pickArticle.actions[0] as { type: string }).type = 'external_select';
    await desk.post(interactionBody(pickArticle));
    await desk.fake.waitFor('views.update', (c) => c.body.view_id === viewId);
    const afterArticle = desk.fake.view(viewId)!;
    const reply1 = (afterArticle.blocks as ViewBlock[]).find((b) => b.block_id === 'reply~1')!;
    expect(reply1.element!.initial_value).toBe('Thanks for writing in.\n\nConnect to the VPN from home or on the road: http://localhost:0/kb/vpn-connect');

    // Then a macro, its variables filled for this ticket and requester.
    const draft1 = reply1.element!.initial_value!;
    const withDraft1 = { ...afterArticle, state: { values: { 'reply~1': typed(draft1) } } };
    await desk.post(interactionBody(blockActions({ user: bob, view: withDraft1 as never, actions: [{ type: 'static_select', action_id: 'reply_macro', selected: { value: 'need-asset-tag', text: 'Ask for the asset tag' } }] })));
    await desk.fake.waitFor('views.update', (c) => c.body.view_id === viewId && JSON.stringify(c.body.view).includes('reply~2'));
    const afterMacro = desk.fake.view(viewId)!;
    const draft2 = (afterMacro.blocks as ViewBlock[]).find((b) => b.block_id === 'reply~2')!.element!.initial_value!;
    expect(draft2).toBe(`${draft1}\n\nHi Ada, could you send the asset tag on the bottom of the laptop? (${key})`);

    await desk.post(interactionBody(viewSubmission({ user: bob, view: afterMacro, values: { 'reply~2': typed(draft2) } as never })));
    const sent = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === threadTs && String(c.body.text).includes('asset tag'), 8_000);
    expect(String(sent.body.text)).toContain('http://localhost:0/kb/vpn-connect');
    expect(String(sent.body.text)).toContain(`Hi Ada, could you send the asset tag on the bottom of the laptop? (${key})`);
  });

  it('an empty reply is refused next to the reply input, whatever its revision', async () => {
    const { key, cardTs } = await adaFiles('wifi keeps dropping on my laptop');
    const card = desk.fake.messagesIn(IT_TRIAGE).find((m) => m.ts === cardTs)!;
    await desk.post(interactionBody(blockActions({ user: bob, channel: { id: IT_TRIAGE }, message: { ...card }, actions: [{ action_id: 'card_reply', value: key, text: 'Reply to requester' }] })));
    const opened = await desk.fake.waitFor('views.open', (c) => viewOf(c).callback_id === 'reply_modal' && String(viewOf(c).private_metadata).includes(key));
    const view = desk.fake.view((opened.response as { view: { id: string } }).view.id)!;
    const refused = await desk.post(interactionBody(viewSubmission({ user: bob, view: { ...view, private_metadata: JSON.stringify({ key, rev: 3 }) }, values: { 'reply~3': typed('  ') } as never })));
    expect(await refused.json()).toEqual({ response_action: 'errors', errors: { 'reply~3': 'Write a reply first.' } });
  });
});
