import { z } from 'zod';

/**
 * The shape Bolt itself relies on before any listener runs (bolt-js `helpers.ts`
 * getTypeAndConversation, `App.ts` buildSource and the listener arguments). Bolt reads
 * these fields without checking them, so a validly signed body with `"event": 0`,
 * `"user": null` or `"team_id": "hasOwnProperty"` (Bolt keys a plain object by team id)
 * used to throw inside Bolt. Checked at the receiver; what does not fit is acknowledged
 * with a 200 and ignored, as Slack expects of an app.
 */

/** Slack workspace / enterprise ids are upper-case letters and digits (T0123ABCD, E0123ABCD); never a prototype key. */
const workspaceId = z.string().regex(/^[A-Z0-9]{1,40}$/, 'is not a Slack workspace id');
const optionalString = z.string().optional();
const record = z.looseObject({});

const authorization = z.looseObject({
  team_id: workspaceId.nullable().optional(),
  enterprise_id: workspaceId.nullable().optional(),
  user_id: optionalString,
  is_bot: z.boolean().optional(),
  is_enterprise_install: z.boolean().optional(),
});

const eventBody = z.looseObject({
  type: optionalString,
  event_id: optionalString,
  team_id: workspaceId.optional(),
  context_team_id: workspaceId.nullable().optional(),
  enterprise_id: workspaceId.nullable().optional(),
  context_enterprise_id: workspaceId.nullable().optional(),
  api_app_id: optionalString,
  authorizations: z.array(authorization).optional(),
  event: z.looseObject({
    type: z.string(),
    subtype: optionalString,
    user: z.union([z.string(), z.looseObject({ id: z.string() })]).optional(),
    channel: z.union([z.string(), z.looseObject({ id: optionalString, creator: optionalString })]).optional(),
    channel_id: optionalString,
    channel_type: optionalString,
    item: z.looseObject({ channel: optionalString, ts: optionalString }).optional(),
    subteam: record.optional(),
    ts: optionalString,
    thread_ts: optionalString,
    event_ts: optionalString,
    text: optionalString,
    bot_id: optionalString,
    reaction: optionalString,
    message: record.optional(),
    previous_message: record.optional(),
    assistant_thread: record.optional(),
  }),
});

const commandBody = z.looseObject({
  command: z.string(),
  text: optionalString,
  user_id: z.string(),
  channel_id: optionalString,
  team_id: workspaceId,
  enterprise_id: workspaceId.optional(),
  trigger_id: optionalString,
  response_url: optionalString,
});

const interactionBody = z.looseObject({
  type: z.string(),
  user: z.looseObject({ id: z.string(), team_id: workspaceId.optional() }),
  team: z.looseObject({ id: workspaceId, enterprise_id: workspaceId.nullable().optional() }).nullable().optional(),
  enterprise: z.looseObject({ id: workspaceId }).nullable().optional(),
  channel: z.looseObject({ id: z.string() }).nullable().optional(),
  name: optionalString,
  callback_id: optionalString,
  trigger_id: optionalString,
  response_url: optionalString,
  actions: z.array(z.looseObject({ action_id: optionalString, block_id: optionalString, type: optionalString })).min(1).optional(),
  message: record.optional(),
  container: record.optional(),
  view: z.looseObject({ id: optionalString, callback_id: optionalString, app_installed_team_id: workspaceId.optional(), private_metadata: optionalString }).optional(),
});

const VIEW_TYPES = new Set(['view_submission', 'view_closed']);

/** Why Bolt cannot be given this body, or null when it can. */
export function envelopeProblem(body: Record<string, unknown>): string | null {
  let result;
  if (body.event !== undefined) result = eventBody.safeParse(body);
  else if (body.command !== undefined) result = commandBody.safeParse(body);
  else if (typeof body.type === 'string' || body.actions !== undefined || body.name !== undefined) {
    result = interactionBody.safeParse(body);
    if (result.success && VIEW_TYPES.has(result.data.type) && !result.data.view) return 'view: a view payload without a view';
    if (result.success && result.data.type === 'block_actions' && !result.data.actions) return 'actions: block_actions without actions';
  } else return 'not an event, command or interaction';
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  return `${issue.path.join('.') || '(body)'}: ${issue.message}`;
}
