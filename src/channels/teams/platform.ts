import { z } from 'zod';

/**
 * Our own small interface to the Teams platform. Handlers (chat, triage, edits, message
 * extension, people search, identity) see only these types; the Microsoft SDK lives
 * behind them in the endpoint, auth, adapter and outbound files.
 */

const member = z.looseObject({ id: z.string().min(1), name: z.string().nullish(), aadObjectId: z.string().nullish(), role: z.string().nullish() });
const idOnly = z.looseObject({ id: z.string().min(1) });

/** The fields every Bot Framework activity carries (authentication reads them). */
export const inboundActivitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  channelId: z.string(),
  serviceUrl: z.string().url(),
  conversation: z.looseObject({ id: z.string() }),
  from: z.looseObject({ id: z.string() }).optional(),
  recipient: z.looseObject({ id: z.string() }).optional(),
});

/**
 * What our router and handlers read (they read `channelData.eventType` of every
 * messageUpdate/messageDelete, iterate `membersAdded`). An authenticated activity that
 * does not fit is acknowledged with a 200 and ignored.
 */
export const usableActivitySchema = z.looseObject({
  type: z.string(),
  id: z.string().optional(),
  name: z.string().optional(),
  text: z.string().optional(),
  textFormat: z.string().optional(),
  locale: z.string().nullish(),
  replyToId: z.string().optional(),
  timestamp: z.string().optional(),
  action: z.string().optional(),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: z.string().optional(), tenantId: z.string().optional(), isGroup: z.boolean().optional(), name: z.string().nullish() }),
  from: member.optional(),
  recipient: member.optional(),
  membersAdded: z.array(member).optional(),
  membersRemoved: z.array(member).optional(),
  attachments: z.array(z.looseObject({ contentType: z.string() })).optional(),
  entities: z.array(z.looseObject({ type: z.string() })).optional(),
  channelData: z
    .looseObject({ eventType: z.string().optional(), tenant: idOnly.optional(), team: idOnly.optional(), channel: idOnly.optional() })
    .optional(),
});

export type TeamsAccount = z.infer<typeof member>;

/** An authenticated inbound activity, as our handlers read it. */
export type TeamsActivity = z.infer<typeof usableActivitySchema> & {
  channelId: string;
  serviceUrl: string;
  from: TeamsAccount;
  value?: unknown;
};

/** An Adaptive Card attachment (what botbuilder's CardFactory.adaptiveCard built). */
export type CardAttachment = { contentType: 'application/vnd.microsoft.card.adaptive'; content: Record<string, unknown> };

export function adaptiveCard(card: Record<string, unknown>): CardAttachment {
  return { contentType: 'application/vnd.microsoft.card.adaptive', content: card };
}

/** A message the bot sends or puts in place of one it sent. */
export type OutgoingMessage = { text?: string; textFormat?: 'xml' | 'plain' | 'markdown'; attachments?: CardAttachment[] };

/** A member of a conversation as the Bot Connector describes them (TeamsInfo.getMember). */
export type TeamsMember = { id: string; name?: string; aadObjectId?: string; email?: string; userPrincipalName?: string };

/** What an invoke is answered with: the HTTP status and body Teams reads. */
export type InvokeAnswer = { status: number; body?: unknown };

/** One inbound activity being handled, with what a handler may do in its conversation. */
export interface TeamsTurn {
  readonly activity: TeamsActivity;
  /** Send into the activity's conversation (as a reply to it); the new activity's id. */
  send(message: OutgoingMessage | string): Promise<string | undefined>;
  /** Replace an activity the bot sent (a PUT). */
  update(activityId: string, message: OutgoingMessage): Promise<void>;
  /** A member of the activity's conversation, by user id (throws when Teams does not know them). */
  member(userId: string): Promise<TeamsMember>;
}

/** A Bot Connector refusal or failure: the HTTP status, its error code and Retry-After (ms) when it said them. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly retryAfterMs: number | undefined,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}
