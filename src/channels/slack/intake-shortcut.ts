import type { App } from '@slack/bolt';
import { z } from 'zod';
import { slackMessage, tell, titleFrom, type Inbound } from './inbound.ts';
import { requestModal } from './modals.ts';

const shortcutBody = z.looseObject({
  trigger_id: z.string(),
  user: z.looseObject({ id: z.string() }),
  channel: z.looseObject({ id: z.string() }),
  message: slackMessage,
});

/**
 * Intake (c): the "Create request" message shortcut on any message. The modal offers to
 * file on behalf of the message's author or the person who clicked, and the ticket
 * links the original message (chat.getPermalink, on submission).
 */
export function registerCreateShortcut(app: App, inbound: Inbound): void {
  app.shortcut({ callback_id: 'create_request', type: 'message_action' }, async ({ ack, body }) => {
    await ack();
    const parsed = shortcutBody.safeParse(body);
    if (!parsed.success) return;
    const { trigger_id, user, channel, message } = parsed.data;
    if (message.bot_id) {
      await tell(inbound, user.id, channel.id, 'That message was written by a bot; file it with /request instead.');
      return;
    }
    const meta = { source: { channel: channel.id, ts: message.ts, author: message.user ?? user.id, via: 'shortcut' as const } };
    await inbound.client.views.open({ trigger_id, view: requestModal(inbound.catalog, meta, { title: titleFrom(message.text), description: message.text }) });
  });
}
