import { z } from 'zod';
import type { ViewOutput } from '@slack/bolt';
import { SlackMethodError, parseArgs, slackId, viewBlocks, type MethodArgs, type MethodResult } from './args.ts';
import type { SlackWorkspace } from './workspace.ts';

const plainText = z.looseObject({ type: z.literal('plain_text'), text: z.string().min(1).max(150), emoji: z.boolean().optional() });

const viewInput = z.looseObject({
  type: z.enum(['modal', 'home']),
  title: plainText.optional(),
  blocks: viewBlocks,
  close: plainText.optional(),
  submit: plainText.optional(),
  private_metadata: z.string().max(3000).optional(),
  callback_id: z.string().max(255).optional(),
  clear_on_close: z.boolean().optional(),
  notify_on_close: z.boolean().optional(),
  external_id: z.string().max(255).optional(),
});
type ViewInput = z.output<typeof viewInput>;

const openArgs = z.object({ trigger_id: slackId.optional(), interactivity_pointer: slackId.optional(), view: viewInput });
const updateArgs = z.object({ view_id: slackId.optional(), external_id: slackId.optional(), hash: z.string().optional(), view: viewInput });

/** Each trigger_id opens at most one view; a second use is `exchanged_trigger_id`. */
function spendTrigger(ws: SlackWorkspace, args: { trigger_id?: string | undefined; interactivity_pointer?: string | undefined }): void {
  const trigger = args.trigger_id ?? args.interactivity_pointer;
  if (trigger === undefined) throw new SlackMethodError('invalid_arguments');
  if (ws.usedTriggerIds.has(trigger)) throw new SlackMethodError('exchanged_trigger_id');
  ws.usedTriggerIds.add(trigger);
}

function buildView(ws: SlackWorkspace, input: ViewInput, previous?: ViewOutput): ViewOutput {
  if (input.type === 'modal' && input.title === undefined) throw new SlackMethodError('invalid_arguments');
  const id = previous?.id ?? ws.nextId('V');
  const { type, blocks, title, close, submit, private_metadata, callback_id, clear_on_close, notify_on_close, external_id, ...rest } = input;
  const asOutput = (text: z.output<typeof plainText> | undefined) =>
    text === undefined ? null : { type: 'plain_text' as const, text: text.text, emoji: text.emoji ?? true };
  return {
    ...rest,
    id,
    team_id: ws.identity.teamId,
    app_installed_team_id: ws.identity.teamId,
    app_id: ws.identity.appId,
    bot_id: ws.identity.botId,
    type,
    blocks,
    title: asOutput(title) ?? { type: 'plain_text', text: '', emoji: true },
    close: asOutput(close),
    submit: asOutput(submit),
    private_metadata: private_metadata ?? '',
    callback_id: callback_id ?? '',
    clear_on_close: clear_on_close ?? false,
    notify_on_close: notify_on_close ?? false,
    external_id: external_id ?? '',
    state: previous?.state ?? { values: {} },
    hash: `${Math.floor(ws.now() / 1000)}.${ws.nextId('').toLowerCase()}`,
    root_view_id: previous?.root_view_id ?? id,
    previous_view_id: previous?.previous_view_id ?? null,
  };
}

function storeNew(ws: SlackWorkspace, input: ViewInput): MethodResult {
  if (input.external_id !== undefined && [...ws.views.values()].some((v) => v.external_id === input.external_id)) {
    throw new SlackMethodError('duplicate_external_id');
  }
  const view = buildView(ws, input);
  ws.views.set(view.id, view);
  return { view };
}

export const viewMethods: Record<string, (args: MethodArgs, ws: SlackWorkspace) => MethodResult> = {
  'views.open'(raw, ws) {
    const args = parseArgs(openArgs, raw);
    spendTrigger(ws, args);
    return storeNew(ws, args.view);
  },

  'views.push'(raw, ws) {
    const args = parseArgs(openArgs, raw);
    spendTrigger(ws, args);
    return storeNew(ws, args.view);
  },

  'views.update'(raw, ws) {
    const args = parseArgs(updateArgs, raw);
    const previous =
      args.view_id !== undefined
        ? ws.views.get(args.view_id)
        : [...ws.views.values()].find((v) => args.external_id !== undefined && v.external_id === args.external_id);
    if (previous === undefined) throw new SlackMethodError('not_found');
    if (args.hash !== undefined && args.hash !== previous.hash) throw new SlackMethodError('hash_conflict');
    const view = buildView(ws, { ...args.view, external_id: args.view.external_id ?? previous.external_id }, previous);
    ws.views.set(view.id, view);
    return { view };
  },
};
