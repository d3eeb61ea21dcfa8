import { PICK_A_TYPE } from '../../present/forms.ts';
import { and, desc, eq, notInArray } from 'drizzle-orm';
import type { Catalog } from '../../core/catalog.ts';
import { setAvailability } from '../../core/assignment.ts';
import { CoreError, Forbidden } from '../../core/errors.ts';
import { addComment, getTicket, type CoreContext } from '../../core/tickets.ts';
import { anchors, kbArticles, tickets, type Person } from '../../db/schema.ts';
import { recordFiledAnyway, recordSolved, suggestForChat } from '../../knowledge/suggest.ts';
import { readSubmit } from './actions.ts';
import { filedCard, requestFormCard, typePickerCard, type AdaptiveCard, type OpenTicket } from './form-cards.ts';
import { fileForm, prefillFrom, readForm, typeDef } from './forms.ts';
import { personalReference, type TeamsIdentity } from './identity.ts';
import { solvedCard, suggestionCard } from './suggestion-card.ts';
import { adaptiveCard, type TeamsTurn } from './platform.ts';
import { escapeHtml, plainText } from './text.ts';

/** The conversation turn a chat message starts: its feedback rows (shown, solved, filed) are keyed under it. */
const chatTurn = (activityId: string | undefined): string => `teams:${activityId ?? ''}`;

/**
 * The bot's 1:1 chat with a person: file a request (type picker → form → ticket), and
 * follow up on their requests (their words become PUBLIC comments; core reopens a
 * resolved ticket when the requester writes).
 */
export class PersonalChat {
  constructor(
    private readonly core: CoreContext,
    private readonly catalog: Catalog,
    private readonly identity: TeamsIdentity,
    /** The service's public URL, for links to help articles. */
    private readonly publicUrl: string,
  ) {}

  async onInstalled(ctx: TeamsTurn): Promise<void> {
    if (ctx.activity.conversation.conversationType !== 'personal') return;
    const person = await this.identity.resolveSender(ctx);
    if (person) await ctx.send('Hi! Send me a message whenever you need something from a service team, and I will file it for you.');
  }

  async onMessage(ctx: TeamsTurn): Promise<void> {
    const person = await this.identity.resolveSender(ctx);
    if (!person) {
      await ctx.send('Sorry, I could not look up your email address in Teams, so I cannot file requests for you.');
      return;
    }
    const submit = readSubmit(ctx.activity.value);
    if (submit?.sb === 'pick') return this.showForm(ctx, person, submit.type, submit.text, submit.kb);
    if (submit?.sb === 'kb_solved') return this.solved(ctx, person, submit.ref, submit.slug);
    if (submit?.sb === 'kb_help') return this.replace(ctx, typePickerCard(this.catalog, submit.text, await this.openTickets(person), undefined, submit.ref));
    if (submit?.sb === 'file') return this.file(ctx, person, submit);
    if (submit?.sb === 'attach') return this.comment(ctx, person, submit.ticket, submit.text);
    if (submit?.sb === 'comment') return this.comment(ctx, person, submit.ticket, submit.comment);
    if (ctx.activity.value !== undefined) return;

    const text = plainText(ctx.activity.text);
    if (!text) return;
    // "away" / "back" from an agent: availability for new tickets (from anyone else, an ordinary message).
    const word = text.trim().toLowerCase();
    if ((word === 'away' || word === 'back') && (await this.availability(ctx, person, word === 'away'))) return;
    // A reply to one of our ticket cards follows up on that ticket.
    const replyTo = ctx.activity.replyToId;
    if (replyTo) {
      const [anchor] = await this.core.db
        .select({ ticketId: anchors.ticketId, key: tickets.key })
        .from(anchors)
        .innerJoin(tickets, eq(tickets.id, anchors.ticketId))
        .where(and(eq(anchors.channel, 'teams'), eq(anchors.cardRef, replyTo), eq(anchors.personId, person.id)));
      if (anchor) return this.comment(ctx, person, anchor.key, text);
    }
    // Help articles first; the type picker straight away when none matches.
    const suggestion = await suggestForChat(this.core.db, { text, channel: 'teams', turn: chatTurn(ctx.activity.id), email: person.email, publicUrl: this.publicUrl });
    const next = suggestion ? suggestionCard(suggestion, ctx.activity.id ?? '') : typePickerCard(this.catalog, text, await this.openTickets(person));
    await ctx.send({ attachments: [adaptiveCard(next)] });
  }

  private async showForm(ctx: TeamsTurn, person: Person, type: string | undefined, text: string, kb?: string): Promise<void> {
    if (!type || !typeDef(this.catalog, type)) {
      await this.replace(ctx, typePickerCard(this.catalog, text, await this.openTickets(person), PICK_A_TYPE, kb));
      return;
    }
    await this.replace(ctx, requestFormCard(this.catalog, type, prefillFrom(text), {}, kb));
  }

  /** "That solved it": recorded for that article (once), nothing filed; the card says so. */
  private async solved(ctx: TeamsTurn, person: Person, ref: string, slug: string): Promise<void> {
    if (!(await recordSolved(this.core.db, { turn: chatTurn(ref), slug, channel: 'teams', email: person.email }))) return;
    const [row] = await this.core.db.select({ title: kbArticles.title }).from(kbArticles).where(eq(kbArticles.slug, slug));
    await this.replace(ctx, solvedCard(row?.title ?? slug));
  }

  private async file(ctx: TeamsTurn, person: Person, submitted: Record<string, unknown>): Promise<void> {
    const form = readForm(this.catalog, submitted);
    if (!form) return;
    const kb = typeof submitted.kb === 'string' ? submitted.kb : undefined;
    if (!form.ok) {
      await this.replace(ctx, requestFormCard(this.catalog, String(submitted.type), form.values, form.errors, kb));
      return;
    }
    const reference = personalReference(ctx);
    const result = await fileForm(this.core, form, person.email, ctx.activity.id, { conversationId: ctx.activity.conversation.id, reference });
    // Filed after help articles were suggested for this message: they did not answer it.
    if (kb) await recordFiledAnyway(this.core.db, { turn: chatTurn(kb), channel: 'teams', email: person.email });
    await this.replace(ctx, filedCard(result.ticket.key, result.ticket.title));
  }

  private async comment(ctx: TeamsTurn, person: Person, ticketKey: string | undefined, text: string): Promise<void> {
    const body = plainText(text);
    if (!ticketKey || !body) return;
    try {
      const ticket = await getTicket(this.core, ticketKey);
      if (ticket.requester.email !== person.email) {
        await ctx.send({ text: `${escapeHtml(ticketKey)} is not one of your requests.`, textFormat: 'xml' });
        return;
      }
      const [anchor] = await this.core.db
        .select({ id: anchors.id })
        .from(anchors)
        .where(and(eq(anchors.ticketId, ticket.id), eq(anchors.channel, 'teams'), eq(anchors.side, 'requester'), eq(anchors.personId, person.id)))
        .orderBy(desc(anchors.lastUsedAt));
      await addComment(this.core, {
        ticketKey: ticket.key,
        body,
        visibility: 'public',
        author: { email: person.email },
        channel: 'teams',
        idempotencyKey: `teams:activity:${ctx.activity.id}`,
        originAnchorId: anchor?.id,
        // Lets a later edit or delete of this message find the comment (edits.ts).
        data: { teamsActivityId: ctx.activity.id, teamsConversationId: ctx.activity.conversation.id },
        result: 'none',
      });
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      await ctx.send({ text: escapeHtml(error.message), textFormat: 'xml' });
    }
  }

  private async availability(ctx: TeamsTurn, person: Person, away: boolean): Promise<boolean> {
    try {
      const { queues } = await setAvailability(this.core.db, person.email, away);
      await ctx.send(
        away ? `You're away: no new ${queues.join(', ')} tickets are assigned to you until you send "back".` : `Welcome back: new ${queues.join(', ')} tickets can be assigned to you again.`,
      );
      return true;
    } catch (error) {
      if (error instanceof Forbidden) return false;
      throw error;
    }
  }

  private async openTickets(person: Person): Promise<OpenTicket[]> {
    return this.core.db
      .select({ key: tickets.key, title: tickets.title })
      .from(tickets)
      .where(and(eq(tickets.requesterId, person.id), notInArray(tickets.status, ['resolved', 'closed'])))
      .orderBy(desc(tickets.id))
      .limit(5);
  }

  /** Swap the card the person pressed for the next step (PUT), or send it when there is none. */
  private async replace(ctx: TeamsTurn, next: AdaptiveCard): Promise<void> {
    const attachments = [adaptiveCard(next)];
    if (ctx.activity.replyToId) await ctx.update(ctx.activity.replyToId, { attachments });
    else await ctx.send({ attachments });
  }
}
