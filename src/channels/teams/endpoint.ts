import type { Hono } from 'hono';
import { type TeamsPlatform, type TurnLogic, UnreadableActivity } from './adapter.ts';
import { inboundActivitySchema, usableActivitySchema, type InvokeAnswer } from './platform.ts';
import type { z } from 'zod';
import { databaseUnavailable } from '../../http/unavailable.ts';
import { isDatabaseUnavailable } from '../../db/availability.ts';
import type { Logger } from '../../logger.ts';
import { createHash } from 'node:crypto';
import { apiError } from '../../http/errors.ts';
import { cleanDeep } from '../../http/input.ts';
import type { Db } from '../../db/client.ts';
import { claimEvent, releaseEvent, storeAnswer, storedAnswer } from '../inbound-events.ts';

/** Teams sends these with channelData.eventType (editMessage, softDeleteMessage, ...); without it they cannot be routed. */
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
function dedupeKey(activity: { id?: string; type: string; text?: unknown; conversation: { id: string } }): string | undefined {
  if (!activity.id) return undefined;
  const variant = activity.type === 'messageUpdate' ? `|${createHash('sha256').update(typeof activity.text === 'string' ? activity.text : '').digest('hex').slice(0, 16)}` : '';
  return `teams:activity:${activity.type}|${activity.conversation.id}|${activity.id}${variant}`;
}

export interface EndpointDeps {
  platform: TeamsPlatform;
  logic: TurnLogic;
  logger: Logger;
  /** Where activity ids are claimed and invoke answers kept (inbound_events), shared by every replica. */
  db: Db;
}

/** What the turn came to, when it did not answer. */
type Outcome = { kind: 'ignored' } | { kind: 'repeated'; first: { status: number; body?: unknown } | undefined } | { kind: 'answered'; answer: InvokeAnswer | undefined };

/**
 * POST /api/messages inside the Hono app, with the status codes ours: the Teams SDK
 * authenticates first (ANY failure is 401 and nothing runs), then the activity's shape is
 * checked, its id claimed, the turn run, and the invoke response (status + body) the
 * handler produced answered, or 200.
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
    const activity = parsed.data;
    const problem = usableProblem(raw);
    // An activity our handlers cannot read still has its token checked (401 first), on the
    // fields authentication reads; the SDK never routes the rest of it.
    const body = problem ? authenticationFields(activity) : activity;

    let outcome: Outcome = { kind: 'ignored' };
    let claimed: string | undefined;
    try {
      const handled = await deps.platform.handle(body, c.req.header('authorization'), async (turn) => {
        if (problem) {
          log.warn({ problem, activityType: activity.type }, 'Teams activity ignored: its shape is not one Teams sends');
          return undefined;
        }
        // A redelivery (same id, any replica, after a restart) does nothing; an invoke gets the first answer again.
        const key = dedupeKey(activity);
        if (key && !(await claimEvent(deps.db, key))) {
          outcome = activity.type === 'invoke' ? { kind: 'repeated', first: (await storedAnswer(deps.db, key, INVOKE_ANSWER_WAIT_MS)) ?? undefined } : { kind: 'ignored' };
          return undefined;
        }
        claimed = key;
        let answer = await deps.logic(turn);
        // An invoke nobody handles: for the sender that is a request we do not take.
        if (activity.type === 'invoke' && !answer) answer = { status: 400, body: { error: { code: 'unsupported_invoke', message: `this bot does not handle the invoke '${String(activity.name ?? '')}'` } } };
        if (key && answer) await storeAnswer(deps.db, key, { status: answer.status, body: answer.body ?? {} });
        outcome = { kind: 'answered', answer };
        return answer;
      });
      if (handled.refused) {
        log.warn({ activityType: activity.type }, 'Teams activity refused: authentication failed');
        return apiError(c, 401, 'unauthorized', 'the Bot Framework token is missing or not valid');
      }
    } catch (error) {
      // A failed turn may be redelivered: give the id back so the retry can do the work.
      if (claimed) await releaseEvent(deps.db, claimed).catch(() => undefined);
      if (isConnectorRefusal(error)) {
        // The Bot Connector refused what this activity asked us to do (an unknown conversation,
        // a message that is gone): the activity's fault, not ours. Acknowledge and ignore it.
        log.warn({ status: (error as { statusCode: number }).statusCode, activityType: activity.type, activityId: activity.id }, 'Teams activity ignored: the Bot Connector refused the reply');
        return c.body(null, 200);
      }
      if (isDatabaseUnavailable(error)) return databaseUnavailable(c, error);
      if (error instanceof TypeError || error instanceof UnreadableActivity) {
        // A handler read a field of a shape the activity check let through: the activity's
        // fault, not ours. Acknowledge and ignore it, as Teams expects of a bot.
        log.warn({ err: error, activityType: activity.type, activityId: activity.id }, 'Teams activity ignored: a handler could not read it');
        return c.body(null, 200);
      }
      log.error({ err: error, activityType: activity.type, activityId: activity.id }, 'Teams activity failed');
      return apiError(c, 500, 'internal', 'the activity could not be processed');
    }
    const done = outcome as Outcome;
    if (done.kind === 'repeated') return done.first ? c.json(done.first.body ?? {}, done.first.status as 200) : c.body(null, 200);
    if (done.kind === 'answered' && done.answer) return c.json(done.answer.body ?? {}, done.answer.status as 200);
    return c.body(null, 200);
  });
}

/** The fields inbound authentication reads (the serviceurl claim is checked against serviceUrl). */
function authenticationFields(activity: z.infer<typeof inboundActivitySchema>): Record<string, unknown> {
  const { type, id, channelId, serviceUrl, conversation, from, recipient } = activity;
  return { type, id, channelId, serviceUrl, conversation: { id: conversation.id }, ...(from ? { from: { id: from.id } } : {}), ...(recipient ? { recipient: { id: recipient.id } } : {}) };
}

/** A 4xx from the Bot Connector (adapter.ts throws ConnectorError with statusCode), other than throttling. */
function isConnectorRefusal(error: unknown): boolean {
  const status = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429 && status !== 401 && status !== 403;
}
