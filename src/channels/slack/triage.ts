import type { App } from '@slack/bolt';
import { z } from 'zod';
import { prioritySchema } from '../../core/catalog.ts';
import { statusSchema } from '../../core/status.ts';
import { setAvailability } from '../../core/assignment.ts';
import { Forbidden } from '../../core/errors.ts';
import { findPersonByEmail } from '../../core/people.ts';
import { isDesk } from '../../core/roles.ts';
import { ONLY_PERSON_MESSAGES, sendToRequester } from '../../core/send-to-requester.ts';
import { addComment, assign, setPriority, transition } from '../../core/tickets.ts';
import { anchorOfThread } from './anchors.ts';
import { personInput } from './identity.ts';
import { actionUser, explainCoreError, slackMessage, tell, viewPayload, whoOrExplain, type Inbound } from './inbound.ts';
import { macroList } from '../../core/macros.ts';
import { REPLY_REQUIRED } from '../../present/forms.ts';
import { REPLY_MODAL, readReply, replyBlockId, replyMetaSchema, replyModal, type StateValues } from './modals.ts';

const cardAction = z.looseObject({
  trigger_id: z.string(),
  user: actionUser,
  container: z.looseObject({ channel_id: z.string(), message_ts: z.string() }),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string(),
        value: z.string().optional(),
        selected_user: z.string().optional(),
        selected_option: z.looseObject({ value: z.string() }).nullish(),
      }),
    )
    .min(1),
});
const replySubmission = z.looseObject({ user: actionUser, view: viewPayload });
const sendShortcut = z.looseObject({ user: actionUser, channel: z.looseObject({ id: z.string() }), message: slackMessage });

/**
 * The triage card's buttons (Claim, Assign, Status, Priority, Reply to requester) and the
 * two explicit ways to make something public: the Reply modal and the "Send to
 * requester" message shortcut on a message in the triage thread. Each click is one core
 * command keyed by its trigger id, so a double delivery changes nothing twice.
 */
export function registerTriage(app: App, inbound: Inbound): void {
  app.action(/^card_/, async ({ ack, body }) => {
    await ack();
    const parsed = cardAction.safeParse(body);
    if (!parsed.success) return;
    const { container, user, trigger_id } = parsed.data;
    const action = parsed.data.actions[0]!;
    const found = await anchorOfThread(inbound.core.db, container.channel_id, container.message_ts);
    if (found?.anchor.side !== 'triage') return;
    const ticketKey = found.ticket.key;
    const actor = await whoOrExplain(inbound, user.id, container.channel_id);
    if (!actor) return;
    if (action.action_id === 'card_reply') {
      // Only the desk speaks to the requester: refuse before the modal opens.
      if (!(await onDesk(inbound, actor.email, found.ticket.queueKey))) {
        await tell(inbound, user.id, container.channel_id, refusal(found.ticket.queueKey, 'reply to the requester'), container.message_ts);
        return;
      }
      await inbound.client.views.open({ trigger_id, view: replyModal(ticketKey, { macros: macroList(inbound.catalog) }) });
      return;
    }
    const common = { ticketKey, actor: personInput(actor), channel: 'slack', idempotencyKey: `slack:action:${trigger_id}` };
    try {
      switch (action.action_id) {
        case 'card_claim':
          await assign(inbound.core, { ...common, assignee: personInput(actor) });
          break;
        case 'card_assign': {
          // The picker lists the queue's agents by email; cards posted before it used users_select.
          const email = action.selected_option?.value;
          if (email) {
            await assign(inbound.core, { ...common, assignee: { email } });
            break;
          }
          const assignee = action.selected_user ? await whoOrExplain(inbound, action.selected_user, container.channel_id) : null;
          if (action.selected_user && !assignee) return;
          await assign(inbound.core, { ...common, assignee: assignee ? personInput(assignee) : null });
          break;
        }
        case 'card_status': {
          const status = statusSchema.safeParse(action.selected_option?.value);
          if (status.success) await transition(inbound.core, { ...common, status: status.data });
          break;
        }
        case 'card_priority': {
          const priority = prioritySchema.safeParse(action.selected_option?.value);
          if (priority.success) await setPriority(inbound.core, { ...common, priority: priority.data });
          break;
        }
      }
    } catch (error) {
      await explainCoreError(inbound, error, user.id, container.channel_id, container.message_ts);
    }
  });

  app.view(REPLY_MODAL, async ({ ack, body }) => {
    const parsed = replySubmission.safeParse(body);
    const meta = parsed.success ? replyMetaSchema.safeParse(JSON.parse(parsed.data.view.private_metadata || '{}')) : null;
    if (!parsed.success || !meta?.success) {
      await ack();
      return;
    }
    const replyBlock = replyBlockId(meta.data.rev);
    const reply = readReply((parsed.data.view.state?.values ?? {}) as StateValues);
    if (!reply) {
      await ack({ response_action: 'errors', errors: { [replyBlock]: REPLY_REQUIRED } });
      return;
    }
    // Checked before the modal closes, so a refusal shows next to the reply (the role may have changed since it opened).
    const author = await inbound.identity.lookup(parsed.data.user.id);
    const queueKey = meta.data.key.split('-')[0]!.toUpperCase();
    if (author && !(await onDesk(inbound, author.email, queueKey))) {
      await ack({ response_action: 'errors', errors: { [replyBlock]: refusal(queueKey, 'reply to the requester') } });
      return;
    }
    await ack();
    if (!author) {
      await whoOrExplain(inbound, parsed.data.user.id, undefined);
      return;
    }
    try {
      // No originAnchorId: the reply was typed in a modal, so the triage thread gets the line too.
      await addComment(inbound.core, {
        ticketKey: meta.data.key,
        body: reply,
        visibility: 'public',
        author: personInput(author),
        as: 'desk',
        channel: 'slack',
        idempotencyKey: `slack:view:${parsed.data.view.id}`,
        result: 'none',
      });
    } catch (error) {
      await explainCoreError(inbound, error, parsed.data.user.id, undefined);
    }
  });

  app.shortcut({ callback_id: 'send_to_requester', type: 'message_action' }, async ({ ack, body }) => {
    await ack();
    const parsed = sendShortcut.safeParse(body);
    if (!parsed.success) return;
    const { user, channel, message } = parsed.data;
    const found = message.thread_ts ? await anchorOfThread(inbound.core.db, channel.id, message.thread_ts) : null;
    if (found?.anchor.side !== 'triage' || message.ts === message.thread_ts || message.bot_id || !message.user) {
      await tell(inbound, user.id, channel.id, ONLY_PERSON_MESSAGES, message.thread_ts);
      return;
    }
    const author = await whoOrExplain(inbound, message.user, channel.id);
    if (!author) return;
    const sender = user.id === message.user ? author : await whoOrExplain(inbound, user.id, channel.id);
    if (!sender) return;
    try {
      // One public copy per Slack message, however often (and by whom) the shortcut is used.
      const result = await sendToRequester(inbound.core, {
        ticketKey: found.ticket.key,
        source: { channel: 'slack', conversation: channel.id, message: message.ts },
        body: message.text,
        author: personInput(author),
        actor: personInput(sender),
        originAnchorId: found.anchor.id,
        data: { slackTs: message.ts, slackChannel: channel.id, sentBy: user.id },
      });
      const note = result.replayed ? 'That message was already sent to the requester.' : 'Sent to the requester.';
      await tell(inbound, user.id, channel.id, note, message.thread_ts);
    } catch (error) {
      await explainCoreError(inbound, error, user.id, channel.id, message.thread_ts);
    }
  });
}

async function onDesk(inbound: Inbound, email: string, queueKey: string): Promise<boolean> {
  const person = await findPersonByEmail(inbound.core.db, email);
  return person ? isDesk(inbound.core.db, person.id, queueKey) : false;
}

/** What a refused person reads (ephemeral, only to them). */
export function refusal(queueKey: string, what: string): string {
  return `Only agents of the ${queueKey} queue can ${what}. Nothing was changed.`;
}

/** `/request away` and `/request back`: an agent's availability for new tickets. */
export async function availabilityCommand(inbound: Inbound, userId: string, channel: string | undefined, away: boolean): Promise<void> {
  const person = await whoOrExplain(inbound, userId, channel);
  if (!person) return;
  try {
    const result = await setAvailability(inbound.core.db, person.email, away);
    const queues = result.queues.join(', ');
    await tell(inbound, userId, channel, away ? `You're away: no new ${queues} tickets are assigned to you until you send \`back\`.` : `Welcome back: new ${queues} tickets can be assigned to you again.`);
  } catch (error) {
    if (error instanceof Forbidden) {
      await tell(inbound, userId, channel, "You're not an agent of any queue, so there is no availability to set.");
      return;
    }
    await explainCoreError(inbound, error, userId, channel);
  }
}
