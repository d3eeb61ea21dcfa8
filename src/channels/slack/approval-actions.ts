import type { App } from '@slack/bolt';
import { z } from 'zod';
import { AlreadyDecided, decideApproval } from '../../core/approvals.ts';
import { CoreError } from '../../core/errors.ts';
import { rateTicket } from '../../core/satisfaction.ts';
import { APPROVE_ACTION, RATE_ACTION_PREFIX, REJECT_ACTION, REJECT_MODAL, rejectModal } from './approval.ts';
import { mrkdwn } from './blocks.ts';
import { personInput } from './identity.ts';
import { actionUser, tell, viewPayload, whoOrExplain, type Inbound } from './inbound.ts';

const stepValue = z.string().transform((text, ctx) => {
  try {
    return z.object({ k: z.string().max(30), s: z.number().int().min(1).max(100) }).parse(JSON.parse(text));
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a step' });
    return z.NEVER;
  }
});
const buttonAction = z.looseObject({
  trigger_id: z.string(),
  user: actionUser,
  container: z.looseObject({ channel_id: z.string().optional() }).optional(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
});
const rejectSubmission = z.looseObject({ user: actionUser, view: viewPayload });

/** A second click anywhere is answered with who decided what and when. */
function decidedText(error: AlreadyDecided): string {
  const d = error.decided;
  const by = d.decidedBy ? (d.decidedBy.name ?? d.decidedBy.email) : 'someone';
  return `Step ${d.step} was already ${d.decision} by ${mrkdwn(by)}${d.decidedAt ? ` at <!date^${Math.floor(Date.parse(d.decidedAt) / 1000)}^{date_short_pretty} {time}|${d.decidedAt.slice(0, 16).replace('T', ' ')} UTC>` : ''}${d.comment ? `: ${mrkdwn(d.comment)}` : ''}.`;
}

/**
 * The approver's Approve / Reject (a modal asks why) and the requester's rating buttons. Each
 * is one core command keyed by the click's trigger id; the outbox then edits every copy of the card.
 */
export function registerApprovalActions(app: App, inbound: Inbound): void {
  const explain = async (error: unknown, userId: string, channel: string | undefined) => {
    if (error instanceof AlreadyDecided) return tell(inbound, userId, channel, decidedText(error));
    if (error instanceof CoreError) return tell(inbound, userId, channel, `That didn't work: ${mrkdwn(error.message)}`);
    throw error;
  };

  app.action(new RegExp(`^(${APPROVE_ACTION}|${REJECT_ACTION})$`), async ({ ack, body }) => {
    await ack();
    const parsed = buttonAction.safeParse(body);
    if (!parsed.success) return;
    const action = parsed.data.actions[0]!;
    const value = stepValue.safeParse(action.value ?? '');
    if (!value.success) return;
    const channel = parsed.data.container?.channel_id;
    if (action.action_id === REJECT_ACTION) {
      await inbound.client.views.open({ trigger_id: parsed.data.trigger_id, view: rejectModal(value.data.k, value.data.s) });
      return;
    }
    const approver = await whoOrExplain(inbound, parsed.data.user.id, channel);
    if (!approver) return;
    try {
      await decideApproval(inbound.core, { ticketKey: value.data.k, step: value.data.s, decision: 'approve', approver: personInput(approver), channel: 'slack', idempotencyKey: `slack:action:${parsed.data.trigger_id}` });
    } catch (error) {
      await explain(error, parsed.data.user.id, channel);
    }
  });

  app.view(REJECT_MODAL, async ({ ack, body }) => {
    const parsed = rejectSubmission.safeParse(body);
    const value = parsed.success ? stepValue.safeParse(parsed.data.view.private_metadata) : null;
    if (!parsed.success || !value?.success) {
      await ack();
      return;
    }
    const state = (parsed.data.view.state?.values ?? {}) as Record<string, Record<string, { value?: unknown }>>;
    const reason = typeof state.reason?.reason?.value === 'string' ? state.reason.reason.value.trim() : '';
    if (!reason) {
      await ack({ response_action: 'errors', errors: { reason: 'Say why: the requester reads this.' } });
      return;
    }
    await ack();
    const approver = await whoOrExplain(inbound, parsed.data.user.id, undefined);
    if (!approver) return;
    try {
      await decideApproval(inbound.core, { ticketKey: value.data.k, step: value.data.s, decision: 'reject', comment: reason, approver: personInput(approver), channel: 'slack', idempotencyKey: `slack:view:${parsed.data.view.id}` });
    } catch (error) {
      await explain(error, parsed.data.user.id, undefined);
    }
  });

  app.action(new RegExp(`^${RATE_ACTION_PREFIX}[1-5]$`), async ({ ack, body }) => {
    await ack();
    const parsed = buttonAction.safeParse(body);
    if (!parsed.success) return;
    const action = parsed.data.actions[0]!;
    const rating = Number(action.action_id.slice(RATE_ACTION_PREFIX.length));
    const channel = parsed.data.container?.channel_id;
    const rater = await whoOrExplain(inbound, parsed.data.user.id, channel);
    if (!rater || !action.value) return;
    try {
      await rateTicket(inbound.core, { ticketKey: action.value, rating, rater: personInput(rater), channel: 'slack', idempotencyKey: `slack:action:${parsed.data.trigger_id}` });
    } catch (error) {
      await explain(error, parsed.data.user.id, channel);
    }
  });
}
