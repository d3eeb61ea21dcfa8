import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { recordEvent, type CoreContext } from '../../core/tickets.ts';
import { ticketEvents, tickets } from '../../db/schema.ts';
import type { TeamsIdentity } from './identity.ts';
import type { TeamsTurn } from './platform.ts';
import { plainText } from './text.ts';

/**
 * Edits and deletes of a Teams message that became a comment (the requester's words in
 * their chat, an agent's note in a triage chain): a comment_edited / comment_removed event
 * referencing the original, never a second comment. The original is found by the
 * `teamsActivityId` + `teamsConversationId` intake stored in the comment's data.
 */
export class MessageEdits {
  constructor(
    private readonly core: CoreContext,
    private readonly identity: TeamsIdentity,
  ) {}

  /** messageUpdate / editMessage. Teams reuses the message id, so the new text is part of the key. */
  async onEdit(ctx: TeamsTurn): Promise<void> {
    const body = plainText(ctx.activity.text);
    if (!body) return;
    const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
    await this.record(ctx, 'comment_edited', body, `teams:activity:${ctx.activity.id}:edit:${digest}`);
  }

  /** messageDelete / softDeleteMessage. */
  async onDelete(ctx: TeamsTurn): Promise<void> {
    await this.record(ctx, 'comment_removed', '', `teams:activity:${ctx.activity.id}:delete`);
  }

  private async record(ctx: TeamsTurn, type: 'comment_edited' | 'comment_removed', body: string, key: string): Promise<void> {
    const messageId = ctx.activity.id;
    const conversationId = ctx.activity.conversation.id;
    if (!messageId || !conversationId) return;
    const originals = await this.core.db
      .select({ id: ticketEvents.id, visibility: ticketEvents.visibility, originAnchorId: ticketEvents.originAnchorId, key: tickets.key })
      .from(ticketEvents)
      .innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
      .where(
        and(
          eq(ticketEvents.type, 'comment'),
          eq(ticketEvents.channel, 'teams'),
          sql`${ticketEvents.data}->>'teamsActivityId' = ${messageId}`,
          sql`${ticketEvents.data}->>'teamsConversationId' = ${conversationId}`,
        ),
      )
      .orderBy(ticketEvents.id);
    if (!originals.length) return;
    const actor = await this.identity.sender(ctx);
    for (const original of originals) {
      await recordEvent(this.core, {
        ticketKey: original.key,
        type,
        visibility: original.visibility === 'internal' ? 'internal' : 'public',
        actor,
        body,
        data: { teamsActivityId: messageId, teamsConversationId: conversationId, originalEventId: original.id },
        channel: 'teams',
        idempotencyKey: `${key}:${original.id}`,
        originAnchorId: original.originAnchorId ?? undefined,
      });
    }
  }
}
