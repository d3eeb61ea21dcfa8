import type { Hono } from 'hono';
import type { Activity } from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import type { TeamsAdapter, TurnLogic } from './adapter.ts';
import { inboundActivitySchema, usableActivitySchema } from './platform.ts';
import { z } from 'zod';
import { databaseUnavailable } from '../../api/unavailable.ts';
import { isDatabaseUnavailable } from '../../db/availability.ts';
import type { Logger } from '../../logger.ts';
import { createHash } from 'node:crypto';
import { apiError } from '../../api/errors.ts';
import { cleanDeep } from '../../api/input.ts';
import type { Db } from '../../db/client.ts';
import { claimEvent, releaseEvent, storeAnswer, storedAnswer } from '../inbound-events.ts';

/** Teams sends these with channelData.eventType (editMessage, softDeleteMessage, ...); without it botbuilder cannot route them. */
const NEEDS_CHANNEL_DATA = new Set(['messageUpdate', 'messageDelete']);

/** How long a redelivered invoke waits for the first delivery's answer. */
const INVOKE_ANSWER_WAIT_MS = 5_000;

function usableProblem(raw: unknown): string | null {
  const parsed = usableActivitySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.') || '(activity)'}: ${issue.message}`;
  }
  if (NEEDS_CHANNEL_DATA.has(parsed.data.type) && parsed.data.channelData?.eventType === undefined) return `${parsed.data.type} without channelData.eventType`;
  // Every invoke handler (message extension, task module, search, card action) reads fields of `value`.
  const value = (raw as { value?: unknown }).value;
  if (parsed.data.type === 'invoke' && (typeof value !== 'object' || value === null || Array.isArray(value))) return 'an invoke without an object value';
  return null;
}

/** The activity's dedupe key: edits and deletes reuse the message's id, and an edit is new when its text is. */
function dedupeKey(activity: Activity): string | undefined {
  if (!activity.id) return undefined;
  const variant = activity.type === 'messageUpdate' ? `|${createHash('sha256').update(activity.text ?? '').digest('hex').slice(0, 16)}` : '';
  return `teams:activity:${activity.type}|${activity.conversation.id}|${activity.id}${variant}`;
}

export interface EndpointDeps {
  adapter: TeamsAdapter;
  auth: BotFrameworkAuthentication;
  logic: TurnLogic;
  logger: Logger;
  /** Where activity ids are claimed and invoke answers kept (inbound_events), shared by every replica. */
  db: Db;
}

/**
 * POST /api/messages inside the Hono app. What CloudAdapter.process does for Express,
 * split in two so the status codes are ours: authenticate first (ANY failure is 401 and
 * nothing runs — botbuilder would answer 500 for a forged signature under a published
 * key id), then run the turn with the authenticated result and answer the invoke
 * response (status + body) the handler produced, or 200.
 */
export function mountEndpoint(app: Hono, deps: EndpointDeps): void {
  const log = deps.logger.child({ channel: 'teams' });
  app.post('/api/messages', async (c) => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      return apiError(c, 400, 'bad_request', 'the body must be a JSON activity');
    }
    // Text that cannot be stored (NUL, lone surrogates) is cleaned once, here, for every handler.
    raw = cleanDeep(raw);
    const parsed = inboundActivitySchema.safeParse(raw);
    if (!parsed.success) return apiError(c, 400, 'bad_request', 'not a Bot Framework activity', parsed.error.issues.slice(0, 3).map((i) => ({ path: i.path.join('.'), message: i.message })));
    // botbuilder's Activity type marks fields it fills itself as required; the wire shape is checked above.
    const activity = parsed.data as unknown as Activity;

    let authenticated;
    try {
      authenticated = await deps.auth.authenticateRequest(activity, c.req.header('authorization') ?? '');
    } catch (error) {
      log.warn({ reason: error instanceof Error ? error.message : String(error), activityType: activity.type }, 'Teams activity refused: authentication failed');
      return apiError(c, 401, 'unauthorized', 'the Bot Framework token is missing or not valid');
    }
    const problem = usableProblem(raw);
    if (problem) {
      log.warn({ problem, activityType: activity.type }, 'Teams activity ignored: its shape is not one Teams sends');
      return c.body(null, 200);
    }
    // A redelivery (same id, any replica, after a restart) does nothing; an invoke gets the first answer again.
    const key = dedupeKey(activity);
    if (key && !(await claimEvent(deps.db, key))) {
      if (activity.type !== 'invoke') return c.body(null, 200);
      const first = await storedAnswer(deps.db, key, INVOKE_ANSWER_WAIT_MS);
      return first ? c.json(first.body ?? {}, first.status as 200) : c.body(null, 200);
    }
    try {
      let invokeResponse = await deps.adapter.processAuthenticated(authenticated, activity, deps.logic);
      // botbuilder answers an invoke nobody handles with 501; for the sender that is a request we do not take.
      if (invokeResponse?.status === 501) invokeResponse = { status: 400, body: { error: { code: 'unsupported_invoke', message: `this bot does not handle the invoke '${String(activity.name ?? '')}'` } } };
      if (key && invokeResponse) await storeAnswer(deps.db, key, { status: invokeResponse.status, body: invokeResponse.body ?? {} });
      if (invokeResponse) return c.json(invokeResponse.body ?? {}, invokeResponse.status as 200);
      return c.body(null, 200);
    } catch (error) {
      // A failed turn may be redelivered: give the id back so the retry can do the work.
      if (key) await releaseEvent(deps.db, key).catch(() => undefined);
      if (isConnectorRefusal(error)) {
        // The Bot Connector refused what this activity asked us to do (an unknown conversation,
        // a message that is gone): the activity's fault, not ours. Acknowledge and ignore it.
        log.warn({ status: (error as { statusCode: number }).statusCode, activityType: activity.type, activityId: activity.id }, 'Teams activity ignored: the Bot Connector refused the reply');
        return c.body(null, 200);
      }
      if (isDatabaseUnavailable(error)) return databaseUnavailable(c, error);
      if (error instanceof TypeError) {
        // A handler read a field of a shape the activity check let through: the activity's
        // fault, not ours. Acknowledge and ignore it, as Teams expects of a bot.
        log.warn({ err: error, activityType: activity.type, activityId: activity.id }, 'Teams activity ignored: a handler could not read it');
        return c.body(null, 200);
      }
      log.error({ err: error, activityType: activity.type, activityId: activity.id }, 'Teams activity failed');
      return apiError(c, 500, 'internal', 'the activity could not be processed');
    }
  });
}

/** A 4xx from the Bot Connector (botframework-connector throws RestError with statusCode), other than throttling. */
function isConnectorRefusal(error: unknown): boolean {
  const status = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429 && status !== 401 && status !== 403;
}
