import type { App } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { kbArticles } from '../../db/schema.ts';
import { SUGGESTION_ACTIONS, recordSolved, suggestForChat } from '../../knowledge/suggest.ts';
import { typePicker } from './blocks.ts';
import { actionUser, type Inbound, type SlackMessageInput } from './inbound.ts';
import { solvedBlocks, suggestionBlocks } from './suggestion.ts';

const PICKER_PROMPT = 'Thanks! What kind of request is this? Pick one and I will file it.';

/** The conversation turn a DM starts: its feedback rows (shown, solved, filed) are keyed under it. */
export function dmTurn(channel: string, ts: string): string {
  return `slack:${channel}:${ts}`;
}

/**
 * Intake (a): a top-level DM to the bot. The bot answers in the message's thread, first with
 * the top three help articles for what was written ("That solved it" / "I still need help"),
 * or straight with the type picker when no article matches; picking (pick.ts) files the
 * ticket with the message as its description and the DM thread as the requester's anchor.
 * Nothing is written until a type is picked (apart from which articles were shown).
 */
export async function onDirectMessage(inbound: Inbound, channel: string, message: SlackMessageInput): Promise<void> {
  if (!message.text.trim()) return;
  const person = message.user ? await inbound.identity.lookup(message.user) : null;
  const suggestion = await suggestForChat(inbound.core.db, { text: message.text, channel: 'slack', turn: dmTurn(channel, message.ts), email: person?.email ?? null, publicUrl: inbound.publicUrl });
  if (suggestion) {
    await inbound.client.chat.postMessage({ channel, thread_ts: message.ts, text: 'These help articles may answer it right away.', blocks: suggestionBlocks(suggestion), unfurl_links: false });
    return;
  }
  await inbound.client.chat.postMessage({
    channel,
    thread_ts: message.ts,
    text: 'What kind of request is this?',
    blocks: typePicker(inbound.catalog, { mode: 'dm', channel, ts: message.ts }, PICKER_PROMPT),
  });
}

const answerBody = z.looseObject({
  user: actionUser,
  container: z.looseObject({ channel_id: z.string(), message_ts: z.string(), thread_ts: z.string().optional() }),
  message: z.looseObject({ ts: z.string(), thread_ts: z.string().optional() }).optional(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
});

/**
 * The two answers to a suggestion. "That solved it" records solved for that article (the
 * person's email from their Slack profile) and files nothing; "I still need help" turns the
 * suggestion into the type picker, and the DM's text becomes the request as before.
 */
export function registerSuggestionAnswers(app: App, inbound: Inbound): void {
  app.action(SUGGESTION_ACTIONS.solved, async ({ ack, body }) => {
    await ack();
    const parsed = answerBody.safeParse(body);
    if (!parsed.success) return;
    const { container, user } = parsed.data;
    const threadTs = container.thread_ts ?? parsed.data.message?.thread_ts;
    const slug = parsed.data.actions[0]!.value ?? '';
    if (!threadTs || !container.channel_id.startsWith('D')) return;
    const person = await inbound.identity.lookup(user.id);
    const recorded = await recordSolved(inbound.core.db, { turn: dmTurn(container.channel_id, threadTs), slug, channel: 'slack', email: person?.email ?? null });
    if (!recorded) return;
    const title = await articleTitle(inbound, slug);
    await inbound.client.chat.update({ channel: container.channel_id, ts: container.message_ts, text: 'Glad that solved it.', blocks: solvedBlocks(title ?? slug) });
  });

  app.action(SUGGESTION_ACTIONS.needHelp, async ({ ack, body }) => {
    await ack();
    const parsed = answerBody.safeParse(body);
    if (!parsed.success) return;
    const { container } = parsed.data;
    const threadTs = container.thread_ts ?? parsed.data.message?.thread_ts;
    if (!threadTs) return;
    await inbound.client.chat.update({
      channel: container.channel_id,
      ts: container.message_ts,
      text: 'What kind of request is this?',
      blocks: typePicker(inbound.catalog, { mode: 'dm', channel: container.channel_id, ts: threadTs }, PICKER_PROMPT),
    });
  });
}

async function articleTitle(inbound: Inbound, slug: string): Promise<string | null> {
  const [row] = await inbound.core.db.select({ title: kbArticles.title }).from(kbArticles).where(eq(kbArticles.slug, slug));
  return row?.title ?? null;
}
