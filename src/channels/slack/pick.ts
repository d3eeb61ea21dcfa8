import type { App } from '@slack/bolt';
import { z } from 'zod';
import { createTicket } from '../../core/tickets.ts';
import { recordFiledAnyway } from '../../knowledge/suggest.ts';
import { slackRef } from './anchors.ts';
import { decodePick, type PickSource } from './blocks.ts';
import { dmTurn } from './intake-dm.ts';
import { personInput } from './identity.ts';
import { actionUser, explainCoreError, slackMessage, tell, titleFrom, whoOrExplain, type Inbound } from './inbound.ts';
import { requestModal, type RequestMeta } from './modals.ts';

const pickBody = z.looseObject({
  trigger_id: z.string(),
  user: actionUser,
  actions: z.array(z.looseObject({ action_id: z.string(), selected_option: z.looseObject({ value: z.string() }).optional() })).min(1),
  /** The bot's picker message (absent on ephemeral pickers). */
  message: z.looseObject({ ts: z.string() }).optional(),
});

/** The idempotency key of "this Slack message becomes a ticket": one ticket per message, however often it is picked. */
export function messageKey(source: PickSource): string {
  return `slack:pick:${source.channel}:${source.ts}`;
}

/**
 * A type was picked under a DM (or on the ephemeral picker of a ticket reaction). Types
 * without required fields are filed at once with the message as description; others
 * open the request modal, prefilled, so the person fills in the type's fields.
 */
export function registerPick(app: App, inbound: Inbound): void {
  app.action('pick_type', async ({ ack, body }) => {
    await ack();
    const parsed = pickBody.safeParse(body);
    const picked = parsed.success ? decodePick(parsed.data.actions[0]!.selected_option?.value ?? '') : null;
    if (!parsed.success || !picked) return;
    const { type, source } = picked;
    const def = inbound.catalog.request_types[type];
    if (!def) return;
    const clicker = parsed.data.user.id;
    const original = await readMessage(inbound, source);
    if (!original) {
      await tell(inbound, clicker, source.channel, 'I could not read that message any more; try /request instead.');
      return;
    }
    // A DM is filed for the person who wrote it; a reacted-to message for its author.
    const requesterId = source.mode === 'dm' ? clicker : (original.user ?? clicker);
    const pickerTs = source.mode === 'dm' ? parsed.data.message?.ts : undefined;
    if (def.fields.some((f) => f.required)) {
      const meta: RequestMeta =
        source.mode === 'dm'
          ? { type, dm: { channel: source.channel, threadTs: source.ts, ...(pickerTs ? { pickerTs } : {}) } }
          : { type, source: { channel: source.channel, ts: source.ts, author: requesterId, via: 'react' } };
      await inbound.client.views.open({ trigger_id: parsed.data.trigger_id, view: requestModal(inbound.catalog, meta, { title: titleFrom(original.text), description: original.text }) });
      return;
    }
    const requester = await whoOrExplain(inbound, requesterId, source.channel);
    if (!requester) return;
    try {
      await createTicket(inbound.core, {
        type,
        title: titleFrom(original.text),
        description: original.text,
        requester: personInput(requester, source.mode === 'dm' ? { slackDmChannel: source.channel } : {}),
        channel: 'slack',
        idempotencyKey: messageKey(source),
        originAnchor: { channel: 'slack', side: 'requester', externalRef: slackRef(source.channel, source.ts), cardRef: pickerTs ?? null },
      });
      // Filed after help articles were suggested for this DM: they did not answer it.
      if (source.mode === 'dm') await recordFiledAnyway(inbound.core.db, { turn: dmTurn(source.channel, source.ts), channel: 'slack', email: requester.email });
    } catch (error) {
      await explainCoreError(inbound, error, clicker, source.channel, source.ts);
    }
  });
}

/** The message a request is made of, read back (so an edit before picking counts). */
export async function readMessage(inbound: Inbound, source: { channel: string; ts: string }) {
  const replies = await inbound.client.conversations.replies({ channel: source.channel, ts: source.ts, limit: 1, inclusive: true });
  const first = slackMessage.safeParse(replies.messages?.[0]);
  return first.success && first.data.ts === source.ts ? first.data : null;
}
