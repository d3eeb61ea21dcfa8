import { typePicker } from './blocks.ts';
import type { Inbound, SlackMessageInput } from './inbound.ts';

/**
 * Intake (a): a top-level DM to the bot. The bot answers in the message's thread with a
 * type picker; picking (pick.ts) files the ticket with the message as its description and
 * the DM thread as the requester's anchor. Nothing is written until a type is picked.
 */
export async function onDirectMessage(inbound: Inbound, channel: string, message: SlackMessageInput): Promise<void> {
  if (!message.text.trim()) return;
  await inbound.client.chat.postMessage({
    channel,
    thread_ts: message.ts,
    text: 'What kind of request is this?',
    blocks: typePicker(inbound.catalog, { mode: 'dm', channel, ts: message.ts }, 'Thanks! What kind of request is this? Pick one and I will file it.'),
  });
}
