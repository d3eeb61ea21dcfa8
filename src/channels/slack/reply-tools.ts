import type { App } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { articleReplyText, fillMacro, insertIntoReply, macroList } from '../../core/macros.ts';
import { getTicket } from '../../core/reads.ts';
import { kbArticles } from '../../db/schema.ts';
import { articleUrl } from '../../knowledge/suggest.ts';
import { searchKnowledge } from '../../knowledge/search.ts';
import { actionUser, viewPayload, type Inbound } from './inbound.ts';
import { REPLY_ARTICLE, REPLY_MACRO, readReply, replyMetaSchema, replyModal, type StateValues } from './modals.ts';

const suggestionBody = z.looseObject({ value: z.string().default('') });
const toolAction = z.looseObject({
  user: actionUser,
  view: viewPayload,
  actions: z.array(z.looseObject({ action_id: z.string(), selected_option: z.looseObject({ value: z.string() }).nullish() })).min(1),
});

const plain = (text: string) => ({ type: 'plain_text' as const, text: text.slice(0, 75) || ' ', emoji: true });

/**
 * The Reply modal's two tools: "Insert a help article" (an external_select: Slack asks us
 * for options as the agent types, block_suggestion) and "Insert a macro" (the catalog's
 * macros, variables filled for this ticket). Picking either puts the text into the reply
 * below what is already written (views.update); the agent edits it and sends as before.
 */
export function registerReplyTools(app: App, inbound: Inbound): void {
  app.options(REPLY_ARTICLE, async ({ ack, body }) => {
    const query = suggestionBody.safeParse(body);
    const hits = query.success && query.data.value.trim().length >= 2 ? await searchKnowledge(inbound.core.db, { q: query.data.value, limit: 10 }) : [];
    await ack({ options: hits.map((hit) => ({ text: plain(hit.title), value: hit.slug })) });
  });

  app.action(REPLY_ARTICLE, async ({ ack, body }) => {
    await ack();
    await insert(inbound, body, async (slug) => {
      const [row] = await inbound.core.db.select({ slug: kbArticles.slug, title: kbArticles.title }).from(kbArticles).where(eq(kbArticles.slug, slug));
      return row ? articleReplyText({ title: row.title, url: articleUrl(inbound.publicUrl, row.slug) }) : null;
    });
  });

  app.action(REPLY_MACRO, async ({ ack, body }) => {
    await ack();
    await insert(inbound, body, async (macroKey, ticketKey, userId) => {
      const macro = Object.hasOwn(inbound.catalog.macros, macroKey) ? inbound.catalog.macros[macroKey] : undefined;
      if (!macro) return null;
      const ticket = await getTicket(inbound.core, ticketKey);
      const agent = await inbound.identity.lookup(userId);
      return fillMacro(macro.body, {
        ticket,
        requester: ticket.requester,
        agent: agent ? { email: agent.email, name: agent.name ?? null } : null,
        queueName: inbound.catalog.queues[ticket.queue]?.name,
      });
    });
  });
}

async function insert(inbound: Inbound, body: unknown, textFor: (value: string, ticketKey: string, userId: string) => Promise<string | null>): Promise<void> {
  const parsed = toolAction.safeParse(body);
  if (!parsed.success) return;
  const { view, user } = parsed.data;
  const picked = parsed.data.actions[0]!.selected_option?.value;
  const meta = replyMetaSchema.safeParse(JSON.parse(view.private_metadata || '{}'));
  if (!picked || !meta.success) return;
  const addition = await textFor(picked, meta.data.key, user.id);
  if (!addition) return;
  const draft = insertIntoReply(readReply((view.state?.values ?? {}) as StateValues), addition);
  await inbound.client.views.update({
    view_id: view.id,
    ...(view.hash ? { hash: view.hash } : {}),
    view: replyModal(meta.data.key, { macros: macroList(inbound.catalog), draft, rev: meta.data.rev + 1 }),
  });
}
