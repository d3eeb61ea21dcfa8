import type { App } from '@slack/bolt';
import { z } from 'zod';
import { addComment, recordEvent } from '../../core/tickets.ts';
import { anchorOfThread, eventsOfMessage } from './anchors.ts';
import { personInput } from './identity.ts';
import { onDirectMessage } from './intake-dm.ts';
import { slackMessage, type Inbound, type SlackMessageInput } from './inbound.ts';

const messageEvent = z.looseObject({
  channel: z.string(),
  channel_type: z.string().optional(),
  subtype: z.string().optional(),
  ts: z.string().optional(),
  bot_id: z.string().optional(),
  user: z.string().optional(),
  message: slackMessage.optional(),
  previous_message: slackMessage.optional(),
  deleted_ts: z.string().optional(),
});

/** Subtypes that are a person writing; everything else (joins, bot posts, topic changes) is not input. */
const HUMAN_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

/**
 * Every `message` event: a top-level DM is intake (a); a reply in a ticket's thread is a
 * comment. Safe by default: in a triage thread it is an INTERNAL note; only the
 * requester's (or a watcher's) own thread produces public comments. Edits and deletes of
 * a mirrored message become comment_edited / comment_removed events, never a second
 * comment. Bot messages, ours included, are never input.
 */
export function registerMessages(app: App, inbound: Inbound): void {
  app.event('message', async ({ event, body, context }) => {
    const parsed = messageEvent.safeParse(event);
    if (!parsed.success) return;
    const e = parsed.data;
    const eventId = z.object({ event_id: z.string() }).safeParse(body);
    const key = `slack:event:${eventId.success ? eventId.data.event_id : `${e.channel}:${e.ts}`}`;
    const isBot = (m: { bot_id?: string | undefined; user?: string | undefined; subtype?: string | undefined }) =>
      Boolean(m.bot_id) || m.subtype === 'bot_message' || (m.user !== undefined && m.user === context.botUserId);

    if (e.subtype === 'message_changed' && e.message) {
      if (isBot(e.message)) return;
      if (e.previous_message && e.previous_message.text === e.message.text) return; // an unfurl, not an edit
      await onChanged(inbound, e.channel, e.message, key, 'comment_edited');
      return;
    }
    if (e.subtype === 'message_deleted' && e.previous_message) {
      if (isBot(e.previous_message)) return;
      await onChanged(inbound, e.channel, { ...e.previous_message, ts: e.deleted_ts ?? e.previous_message.ts }, key, 'comment_removed');
      return;
    }
    const message = slackMessage.safeParse(event);
    if (!message.success || !HUMAN_SUBTYPES.has(e.subtype) || isBot(message.data) || !message.data.user) return;
    const m = message.data;
    const inThread = m.thread_ts !== undefined && m.thread_ts !== m.ts;
    if (inThread) {
      await onThreadReply(inbound, e.channel, m, key);
    } else if (e.channel_type === 'im' || e.channel.startsWith('D')) {
      await onDirectMessage(inbound, e.channel, m);
    }
  });
}

async function onThreadReply(inbound: Inbound, channel: string, message: SlackMessageInput, key: string): Promise<void> {
  const found = await anchorOfThread(inbound.core.db, channel, message.thread_ts!);
  if (!found || !message.text.trim()) return;
  const author = await inbound.identity.lookup(message.user!);
  if (!author) {
    inbound.logger.info({ user: message.user, ticket: found.ticket.key }, 'slack: reply from a user without an email ignored');
    return;
  }
  await addComment(inbound.core, {
    ticketKey: found.ticket.key,
    body: message.text,
    visibility: found.anchor.side === 'triage' ? 'internal' : 'public',
    author: personInput(author),
    channel: 'slack',
    idempotencyKey: key,
    originAnchorId: found.anchor.id,
    data: { slackTs: message.ts, slackChannel: channel },
    result: 'none',
  });
}

async function onChanged(inbound: Inbound, channel: string, message: SlackMessageInput, key: string, type: 'comment_edited' | 'comment_removed'): Promise<void> {
  if (!message.thread_ts || message.thread_ts === message.ts) return;
  const found = await anchorOfThread(inbound.core.db, channel, message.thread_ts);
  if (!found) return;
  const originals = await eventsOfMessage(inbound.core.db, found.ticket.id, channel, message.ts);
  if (!originals.length) return;
  const actor = message.user ? await inbound.identity.lookup(message.user) : null;
  for (const original of originals) {
    await recordEvent(inbound.core, {
      ticketKey: found.ticket.key,
      type,
      visibility: original.visibility === 'internal' ? 'internal' : 'public',
      actor: actor ? personInput(actor) : null,
      body: type === 'comment_edited' ? message.text : '',
      data: { slackTs: message.ts, slackChannel: channel, originalEventId: original.id },
      channel: 'slack',
      idempotencyKey: `${key}:${original.id}`,
      originAnchorId: found.anchor.id,
    });
  }
}
