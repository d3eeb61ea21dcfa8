import type { App } from '@slack/bolt';
import { z } from 'zod';
import { anchorOfThread } from './anchors.ts';
import { typePicker } from './blocks.ts';
import { tell, type Inbound } from './inbound.ts';

const reactionEvent = z.looseObject({
  user: z.string(),
  reaction: z.string(),
  item: z.looseObject({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
});

/**
 * Intake (d): the ticket emoji (default :ticket:) on a message in a channel the bot is in.
 * Reactions carry no trigger to open a modal, so the reactor gets an ephemeral type
 * picker; picking files the message for its author (pick.ts), with the message's thread
 * as the requester's anchor.
 */
export function registerReaction(app: App, inbound: Inbound): void {
  app.event('reaction_added', async ({ event }) => {
    const parsed = reactionEvent.safeParse(event);
    if (!parsed.success) return;
    const { user, reaction, item } = parsed.data;
    if (reaction !== inbound.ticketEmoji || item.type !== 'message' || !item.channel || !item.ts) return;
    if (item.channel.startsWith('D')) return;
    const existing = await anchorOfThread(inbound.core.db, item.channel, item.ts);
    if (existing) {
      await tell(inbound, user, item.channel, `That message is already ticket ${existing.ticket.key}.`, item.ts);
      return;
    }
    await inbound.client.chat.postEphemeral({
      channel: item.channel,
      user,
      thread_ts: item.ts,
      text: 'What kind of request is this?',
      blocks: typePicker(inbound.catalog, { mode: 'react', channel: item.channel, ts: item.ts }, 'File this message as a request? Pick its type.'),
    });
  });
}
