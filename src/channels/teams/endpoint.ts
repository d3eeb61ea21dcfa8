import type { Hono } from 'hono';
import type { Activity, TurnContext } from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import type { TeamsAdapter } from './adapter.ts';
import { z } from 'zod';
import { databaseUnavailable } from '../../api/unavailable.ts';
import { isDatabaseUnavailable } from '../../db/availability.ts';
import type { Logger } from '../../logger.ts';

/** The fields every Bot Framework activity carries; the rest passes through to botbuilder. */
const inboundActivitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  channelId: z.string(),
  serviceUrl: z.string().url(),
  conversation: z.looseObject({ id: z.string() }),
  from: z.looseObject({ id: z.string() }).optional(),
  recipient: z.looseObject({ id: z.string() }).optional(),
});

export interface EndpointDeps {
  adapter: TeamsAdapter;
  auth: BotFrameworkAuthentication;
  logic: (ctx: TurnContext) => Promise<void>;
  logger: Logger;
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
      return c.json({ error: 'bad_request', message: 'the body must be a JSON activity' }, 400);
    }
    const parsed = inboundActivitySchema.safeParse(raw);
    if (!parsed.success) return c.json({ error: 'bad_request', message: 'not a Bot Framework activity' }, 400);
    // botbuilder's Activity type marks fields it fills itself as required; the wire shape is checked above.
    const activity = parsed.data as unknown as Activity;

    let authenticated;
    try {
      authenticated = await deps.auth.authenticateRequest(activity, c.req.header('authorization') ?? '');
    } catch (error) {
      log.warn({ reason: error instanceof Error ? error.message : String(error), activityType: activity.type }, 'Teams activity refused: authentication failed');
      return c.json({ error: 'unauthorized' }, 401);
    }
    try {
      const invokeResponse = await deps.adapter.processAuthenticated(authenticated, activity, deps.logic);
      if (invokeResponse) return c.json(invokeResponse.body ?? {}, invokeResponse.status as 200);
      return c.body(null, 200);
    } catch (error) {
      if (isDatabaseUnavailable(error)) return databaseUnavailable(c, error);
      log.error({ err: error, activityType: activity.type, activityId: activity.id }, 'Teams activity failed');
      return c.json({ error: 'internal', message: 'the activity could not be processed' }, 500);
    }
  });
}
