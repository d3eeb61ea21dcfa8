import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Catalog } from '../../core/catalog.ts';
import { CoreError } from '../../core/errors.ts';
import type { CoreContext } from '../../core/tickets.ts';
import type { Logger } from '../../logger.ts';
import { mrkdwn } from './blocks.ts';
import type { SlackIdentity, SlackPerson } from './identity.ts';

/** What every inbound listener works with. */
export interface Inbound {
  core: CoreContext;
  catalog: Catalog;
  identity: SlackIdentity;
  client: WebClient;
  logger: Logger;
  ticketEmoji: string;
  /** The service's public URL, for links to help articles. */
  publicUrl: string;
}

/** The parts of Slack payloads we read, parsed at the edge instead of cast. */
export const slackMessage = z.looseObject({
  type: z.string().optional(),
  subtype: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional().default(''),
});
export type SlackMessageInput = z.infer<typeof slackMessage>;

export const actionUser = z.looseObject({ id: z.string() });
export const viewPayload = z.looseObject({
  id: z.string(),
  hash: z.string().optional(),
  private_metadata: z.string().optional().default(''),
  state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({}))) }).optional(),
});

/** The first line of a message, as a ticket title. */
export function titleFrom(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? 'Request from Slack';
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

/** A person or a short note to the Slack user that we could not tell who they are. */
export async function whoOrExplain(inbound: Inbound, userId: string, channel: string | undefined): Promise<SlackPerson | null> {
  const person = await inbound.identity.lookup(userId);
  if (person) return person;
  await tell(inbound, userId, channel, "I can't see an email address on your Slack profile, so I can't file or update tickets for you. Ask your Slack admin, or use the web form.");
  return null;
}

/** An ephemeral note in a channel, or a DM when there is no channel. Never throws. */
export async function tell(inbound: Inbound, userId: string, channel: string | undefined, text: string, threadTs?: string): Promise<void> {
  try {
    if (channel && !channel.startsWith('D')) {
      await inbound.client.chat.postEphemeral({ channel, user: userId, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
    } else {
      await inbound.client.chat.postMessage({ channel: channel ?? userId, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
    }
  } catch (error) {
    inbound.logger.warn({ err: error, userId }, 'slack: could not tell the user');
  }
}

/** Core's refusals (illegal transition, bad field) go back to the person as a note. */
export async function explainCoreError(inbound: Inbound, error: unknown, userId: string, channel: string | undefined, threadTs?: string): Promise<void> {
  if (error instanceof CoreError) {
    await tell(inbound, userId, channel, `That didn't work: ${mrkdwn(error.message)}`, threadTs);
    return;
  }
  throw error;
}
