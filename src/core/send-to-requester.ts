import type { CommandResult, CoreContext } from './context.ts';
import type { PersonInput } from './people.ts';
import { addComment } from './tickets.ts';

/**
 * The message a "Send to requester" action was used on, as its platform names it: Slack's
 * channel and `ts`, Teams' conversation (the reply chain) and message id.
 */
export interface SourceMessage {
  channel: string;
  conversation: string;
  message: string;
}

/**
 * One rule for every channel: a message of the triage thread reaches the requester once.
 * The comment's idempotency key is the source message, not the click, so a second use of
 * the action on the same message (by the same agent or another, from a retried or a new
 * invoke, with the text trimmed differently or not) is a replay that writes nothing.
 */
export function sendToRequesterKey(source: SourceMessage): string {
  return `${source.channel}:send:${source.conversation}:${source.message}`;
}

/** What a person reads when the action was used on something else (a bot's message, the card, outside a ticket thread). */
export const ONLY_PERSON_MESSAGES = 'Use "Send to requester" on a person\'s message inside a ticket\'s triage thread.';

export interface SendToRequesterInput {
  ticketKey: string;
  source: SourceMessage;
  body: string;
  /** Who wrote the message. */
  author: PersonInput;
  /** Who used the action (speaks for the desk: must be one of its agents); the author when unset. */
  actor?: PersonInput | undefined;
  /** The thread the message is in, when it should get a card refresh rather than a line. */
  originAnchorId?: number | undefined;
  data?: Record<string, unknown>;
}

/** A public comment as the desk from a triage-thread message; `replayed` when that message was sent before. */
export function sendToRequester(ctx: CoreContext, input: SendToRequesterInput): Promise<CommandResult> {
  return addComment(ctx, {
    ticketKey: input.ticketKey,
    body: input.body,
    visibility: 'public',
    author: input.author,
    as: 'desk',
    actor: input.actor,
    channel: input.source.channel,
    idempotencyKey: sendToRequesterKey(input.source),
    originAnchorId: input.originAnchorId,
    data: input.data ?? {},
  });
}
