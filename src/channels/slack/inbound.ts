import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Catalog } from '../../core/catalog.ts';
import { CoreError } from '../../core/errors.ts';
import type { CoreContext } from '../../core/tickets.ts';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { claimEvent, releaseEvent } from '../inbound-events.ts';
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

/**
 * Slack redelivers an event it thinks we missed (X-Slack-Retry-Num), roughly at once, after
 * a minute and after five, possibly to another replica or after a restart. The event id is
 * claimed in the database (inbound_events) before any listener runs (over HTTP by the
 * receiver, before the ack), so a redelivery makes
 * no Slack call (type picker, notes) and no write; the core commands are idempotent on
 * `slack:event:<event_id>` besides. A failed attempt gives its claim back so the retry can do the work.
 */
export function dedupeEvents(db: Db, claimedKey: string) {
  return async ({ body, context, next }: { body: unknown; context: Record<string, unknown>; next: () => Promise<void> }) => {
    const eventId = typeof body === 'object' && body !== null && 'event_id' in body && typeof body.event_id === 'string' ? body.event_id : null;
    if (eventId === null) return next();
    const key = `slack:event:${eventId}`;
    // Over HTTP the receiver claimed it before the ack; Socket Mode claims here.
    if (context[claimedKey] !== key && !(await claimEvent(db, key))) return;
    try {
      await next();
    } catch (error) {
      await releaseEvent(db, key).catch(() => undefined);
      throw error;
    }
  };
}
