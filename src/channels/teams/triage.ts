import { and, eq } from 'drizzle-orm';
import { prioritySchema } from '../../core/catalog.ts';
import { CoreError, Forbidden, Invalid } from '../../core/errors.ts';
import { statusSchema } from '../../core/status.ts';
import { ONLY_PERSON_MESSAGES, sendToRequester } from '../../core/send-to-requester.ts';
import { addComment, assign, getTicket, setPriority, transition, type CoreContext } from '../../core/tickets.ts';
import type { TicketView } from '../../core/view.ts';
import type { AdaptiveCard } from './form-cards.ts';
import { anchors, kbArticles, tickets } from '../../db/schema.ts';
import type { Catalog } from '../../core/catalog.ts';
import { articleReplyText, fillMacro, insertIntoReply } from '../../core/macros.ts';
import { articleUrl } from '../../knowledge/suggest.ts';
import { withReplyDraft } from './cards.ts';
import { findPersonByEmail, type PersonInput } from '../../core/people.ts';
import { isDesk } from '../../core/roles.ts';
import { REPLY_REQUIRED } from '../../present/forms.ts';
import { readSubmit, type CardSubmit } from './actions.ts';
import type { TeamsIdentity } from './identity.ts';
import { adaptiveCard, type TeamsTurn } from './platform.ts';
import { escapeHtml, plainText } from './text.ts';

/**
 * The triage side: one reply chain per ticket in the queue's channel. Agents' messages in
 * the chain are INTERNAL notes (safe by default); the card's actions change the ticket,
 * and only its Reply action (or the "Send to requester" message action) speaks publicly.
 */
export class TriageThread {
  constructor(
    private readonly core: CoreContext,
    private readonly identity: TeamsIdentity,
    private readonly cards?: { refused(ticket: TicketView, reason: string): Promise<AdaptiveCard> },
    /** What the Reply's article and macro pickers insert from. */
    private readonly answers?: { catalog: Catalog; publicUrl: string },
  ) {}

  async onMessage(ctx: TeamsTurn): Promise<void> {
    const anchor = await this.chainAnchor(ctx.activity.conversation.id);
    const submit = readSubmit(ctx.activity.value);
    if (submit) {
      if (!anchor || !isTriageAction(submit) || anchor.key !== submit.ticket) return;
      return this.act(ctx, submit);
    }
    if (ctx.activity.value !== undefined || !anchor) return;
    const body = plainText(ctx.activity.text);
    if (!body) return;
    const author = await this.identity.sender(ctx);
    if (!author) return;
    await addComment(this.core, {
      ticketKey: anchor.key,
      body,
      visibility: 'internal',
      author,
      channel: 'teams',
      idempotencyKey: `teams:activity:${ctx.activity.id}`,
      originAnchorId: anchor.id,
      // Lets a later edit or delete of this message find the note (edits.ts).
      data: { teamsActivityId: ctx.activity.id, teamsConversationId: ctx.activity.conversation.id },
      result: 'none',
    });
  }

  /**
   * Public reply from a message in the chain ("Send to requester" message action), once per
   * message: `messageId` is the id of the message the action was used on (its
   * messagePayload.id); without one, all we can key on is this invoke.
   */
  async sendToRequester(ctx: TeamsTurn, text: string, messageId: string | undefined): Promise<string> {
    const conversationId = ctx.activity.conversation.id;
    const anchor = await this.chainAnchor(conversationId);
    if (!anchor) return ONLY_PERSON_MESSAGES;
    const author = await this.identity.sender(ctx);
    if (!author) return 'Sorry, I could not look up your email address in Teams.';
    const body = plainText(text);
    if (!body) return 'That message has no text to send.';
    try {
      const result = await sendToRequester(this.core, {
        ticketKey: anchor.key,
        source: { channel: 'teams', conversation: conversationId, message: messageId ?? `activity:${ctx.activity.id}` },
        body,
        author,
        data: { via: 'message_action', ...(messageId ? { teamsMessageId: messageId } : {}) },
      });
      if (result.replayed) return `That message was already sent to the requester of ${anchor.key}.`;
    } catch (error) {
      if (error instanceof Forbidden) return `${error.message}. Nothing was sent.`;
      throw error;
    }
    return `Sent to the requester of ${anchor.key}.`;
  }

  /**
   * A card action. No origin anchor: the chain gets the card refreshed in place AND a short
   * line saying what changed (there is no message of the agent's to stand for it).
   */
  private async act(ctx: TeamsTurn, submit: TriageSubmit): Promise<void> {
    const actor = await this.identity.sender(ctx);
    if (!actor) {
      await ctx.send('Sorry, I could not look up your email address in Teams.');
      return;
    }
    const common = { ticketKey: submit.ticket, channel: 'teams', idempotencyKey: `teams:activity:${ctx.activity.id}` };
    try {
      switch (submit.sb) {
        case 'claim':
          await assign(this.core, { ...common, assignee: actor, actor });
          break;
        case 'assign':
          // assigneeEmail: the free email box of cards posted before Assign listed the queue's agents.
          await assign(this.core, { ...common, assignee: assigneeInput(submit.assignee.trim() || submit.assigneeEmail), actor });
          break;
        case 'status': {
          const status = statusSchema.safeParse(submit.status);
          if (!status.success) throw new Invalid('Pick a status.');
          await transition(this.core, { ...common, status: status.data, actor });
          break;
        }
        case 'priority': {
          const priority = prioritySchema.safeParse(submit.priority);
          if (!priority.success) throw new Invalid('Pick a priority.');
          await setPriority(this.core, { ...common, priority: priority.data, actor });
          break;
        }
        case 'reply_insert': {
          // Drafting changes nothing, but the card is the queue's: only its agents draft on it.
          const ticket = await getTicket(this.core, submit.ticket);
          const person = await findPersonByEmail(this.core.db, actor.email);
          if (!person || !(await isDesk(this.core.db, person.id, ticket.queue))) throw new Forbidden(`Only agents of the ${ticket.queue} queue can reply to the requester`);
          const draft = await this.composeReply(submit, actor);
          if (draft === submit.reply.trim()) throw new Invalid('Pick a help article or a macro to insert.');
          await this.showDraft(ctx, submit.ticket, draft);
          break;
        }
        case 'reply': {
          // Whatever is still picked goes in too: a macro picked and sent is two clicks.
          const body = await this.composeReply(submit, actor);
          if (!body) throw new Invalid(REPLY_REQUIRED);
          await addComment(this.core, { ...common, body, visibility: 'public', author: actor, as: 'desk', data: { via: 'card' }, result: 'none' });
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      if (error instanceof Forbidden && (await this.showRefusal(ctx, submit.ticket, `${error.message}. Nothing was changed.`))) return;
      await ctx.send({ text: escapeHtml(error.message), textFormat: 'xml' });
    }
  }

  /** The reply text with the picked article's link and the picked macro (variables filled) inserted below it. */
  private async composeReply(submit: { ticket: string; reply: string; article: string; macro: string }, actor: PersonInput): Promise<string> {
    let draft = submit.reply.trim();
    const catalog = this.answers?.catalog;
    if (submit.macro && catalog && Object.hasOwn(catalog.macros, submit.macro)) {
      const ticket = await getTicket(this.core, submit.ticket);
      const filled = fillMacro(catalog.macros[submit.macro]!.body, { ticket, requester: ticket.requester, agent: { email: actor.email, name: actor.name ?? null }, queueName: catalog.queues[ticket.queue]?.name });
      draft = insertIntoReply(draft, filled);
    }
    if (submit.article && this.answers) {
      const [row] = await this.core.db.select({ slug: kbArticles.slug, title: kbArticles.title }).from(kbArticles).where(eq(kbArticles.slug, submit.article));
      if (row) draft = insertIntoReply(draft, articleReplyText({ title: row.title, url: articleUrl(this.answers.publicUrl, row.slug) }));
    }
    return draft;
  }

  /** The card again, its Reply holding the draft, for the agent to check and send. */
  private async showDraft(ctx: TeamsTurn, ticketKey: string, draft: string): Promise<void> {
    const cardId = ctx.activity.replyToId;
    if (!cardId || !this.cards) return;
    const refreshed = await this.cards.refused(await getTicket(this.core, ticketKey), 'Reply drafted: open "Reply to requester", check it and send it.');
    await ctx.update(cardId, { attachments: [adaptiveCard(withReplyDraft(refreshed, draft))] });
  }

  /** Refresh the pressed card in place with the reason on top; false when there is no card to refresh. */
  private async showRefusal(ctx: TeamsTurn, ticketKey: string, reason: string): Promise<boolean> {
    const cardId = ctx.activity.replyToId;
    if (!cardId || !this.cards) return false;
    const card = await this.cards.refused(await getTicket(this.core, ticketKey), reason);
    await ctx.update(cardId, { attachments: [adaptiveCard(card)] });
    return true;
  }

  private async chainAnchor(conversationId: string): Promise<{ id: number; key: string } | undefined> {
    const [row] = await this.core.db
      .select({ id: anchors.id, key: tickets.key })
      .from(anchors)
      .innerJoin(tickets, eq(tickets.id, anchors.ticketId))
      .where(and(eq(anchors.channel, 'teams'), eq(anchors.side, 'triage'), eq(anchors.externalRef, conversationId)));
    return row;
  }
}

type TriageSubmit = Extract<CardSubmit, { sb: 'claim' | 'assign' | 'status' | 'priority' | 'reply' | 'reply_insert' }>;

function isTriageAction(submit: CardSubmit): submit is TriageSubmit {
  return ['claim', 'assign', 'status', 'priority', 'reply', 'reply_insert'].includes(submit.sb);
}

function assigneeInput(email: string): PersonInput {
  const trimmed = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(trimmed)) throw new Invalid('Give the assignee as an email address.');
  return { email: trimmed };
}
