import type { App } from '@slack/bolt';
import { z } from 'zod';
import { createTicket, type AnchorInput } from '../../core/tickets.ts';
import { slackRef } from './anchors.ts';
import { personInput } from './identity.ts';
import { actionUser, explainCoreError, titleFrom, viewPayload, whoOrExplain, type Inbound } from './inbound.ts';
import { REQUEST_MODAL, readMeta, readRequestModal, requestModal, type RequestMeta, type StateValues } from './modals.ts';
import { messageKey } from './pick.ts';
import { dmTurn } from './intake-dm.ts';
import { recordFiledAnyway } from '../../knowledge/suggest.ts';
import { availabilityCommand } from './triage.ts';

const commandBody = z.looseObject({ trigger_id: z.string(), text: z.string().optional().default(''), user_id: z.string().optional(), channel_id: z.string().optional() });
const typePicked = z.looseObject({
  view: viewPayload,
  actions: z.array(z.looseObject({ selected_option: z.looseObject({ value: z.string() }).nullish() })).min(1),
});
const submission = z.looseObject({ user: actionUser, view: viewPayload });

function stateOf(view: z.infer<typeof viewPayload>): StateValues {
  return (view.state?.values ?? {}) as StateValues;
}

/**
 * Intake (b): `/request` (name configurable) opens the request modal; `/request away` and
 * `/request back` set an agent's availability instead. Picking a type
 * updates the modal (views.update) to that type's fields; submitting validates with the
 * catalog's field schema and answers `response_action: errors` next to each bad block.
 * The same modal serves the DM picker, the reaction picker and the message shortcut.
 */
export function registerCommand(app: App, inbound: Inbound, command: string): void {
  app.command(command, async ({ ack, body }) => {
    await ack();
    const parsed = commandBody.safeParse(body);
    if (!parsed.success) return;
    const text = parsed.data.text.trim();
    // `/request away` and `/request back`: an agent's availability, not a request.
    const word = text.toLowerCase();
    if ((word === 'away' || word === 'back') && parsed.data.user_id) {
      await availabilityCommand(inbound, parsed.data.user_id, parsed.data.channel_id, word === 'away');
      return;
    }
    await inbound.client.views.open({ trigger_id: parsed.data.trigger_id, view: requestModal(inbound.catalog, {}, text ? { title: titleFrom(text) } : {}) });
  });

  app.action({ action_id: 'request_type' }, async ({ ack, body }) => {
    await ack();
    const parsed = typePicked.safeParse(body);
    const type = parsed.success ? parsed.data.actions[0]!.selected_option?.value : undefined;
    if (!parsed.success || !type) return;
    const { view } = parsed.data;
    const state = stateOf(view);
    const meta: RequestMeta = { ...readMeta(view.private_metadata), type };
    const prefill = { title: state.title?.value?.value ?? undefined, description: state.description?.value?.value ?? undefined };
    await inbound.client.views.update({
      view_id: view.id,
      ...(view.hash ? { hash: view.hash } : {}),
      view: requestModal(inbound.catalog, meta, { ...(prefill.title ? { title: prefill.title } : {}), ...(prefill.description ? { description: prefill.description } : {}) }),
    });
  });

  app.view(REQUEST_MODAL, async ({ ack, body }) => {
    const parsed = submission.safeParse(body);
    if (!parsed.success) {
      await ack();
      return;
    }
    const { view, user } = parsed.data;
    const meta = readMeta(view.private_metadata);
    const result = readRequestModal(inbound.catalog, meta, stateOf(view));
    if ('errors' in result) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    await ack();
    const request = result.ok;
    const requesterId = meta.source && request.onBehalf === 'author' ? meta.source.author : user.id;
    const requester = await whoOrExplain(inbound, requesterId, undefined);
    if (!requester) return;
    let description = request.description;
    let originAnchor: AnchorInput | undefined;
    let idempotencyKey = `slack:view:${view.id}`;
    if (meta.dm) {
      originAnchor = { channel: 'slack', side: 'requester', externalRef: slackRef(meta.dm.channel, meta.dm.threadTs), cardRef: meta.dm.pickerTs ?? null };
      idempotencyKey = messageKey({ mode: 'dm', channel: meta.dm.channel, ts: meta.dm.threadTs });
    } else if (meta.source) {
      const permalink = await inbound.client.chat.getPermalink({ channel: meta.source.channel, message_ts: meta.source.ts }).then((r) => r.permalink ?? null, () => null);
      if (permalink) description = `${description}\n\nFrom Slack: ${permalink}`.trim();
      if (meta.source.via === 'react') {
        originAnchor = { channel: 'slack', side: 'requester', externalRef: slackRef(meta.source.channel, meta.source.ts), cardRef: null };
        idempotencyKey = messageKey({ mode: 'react', channel: meta.source.channel, ts: meta.source.ts });
      }
    }
    try {
      await createTicket(inbound.core, {
        type: request.type,
        title: request.title,
        description,
        fields: request.fields,
        requester: personInput(requester, meta.dm && requesterId === user.id ? { slackDmChannel: meta.dm.channel } : {}),
        channel: 'slack',
        idempotencyKey,
        originAnchor,
      });
      if (meta.dm) await recordFiledAnyway(inbound.core.db, { turn: dmTurn(meta.dm.channel, meta.dm.threadTs), channel: 'slack', email: requester.email });
    } catch (error) {
      await explainCoreError(inbound, error, user.id, undefined);
    }
  });
}
