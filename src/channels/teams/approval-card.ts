import { z } from 'zod';
import type { TicketView } from '../../core/view.ts';
import { card, plain, type AdaptiveCard } from './form-cards.ts';

/**
 * The cards Teams sends one person directly: an approver's Approve / Reject (Adaptive Card
 * Action.Execute, so the click is an `adaptiveCard/action` invoke answered with the card as it
 * now stands), the leads' overdue notice, the requester's "How did we do?". Kept apart from the
 * ticket cards so they can move onto the shared presentation model.
 */
export const DIRECT_AUDIENCES = new Set(['approver', 'lead', 'survey']);
export const APPROVE_VERB = 'approval.approve';
export const REJECT_VERB = 'approval.reject';
export const RATE_VERB = 'rate';

const RATING_WORDS = ['Very poor', 'Poor', 'OK', 'Good', 'Excellent'];

/** What an Action.Execute of ours carries (`value.action`). */
export const executeSchema = z.looseObject({
  action: z.looseObject({
    type: z.literal('Action.Execute').optional(),
    verb: z.string(),
    data: z.looseObject({ ticket: z.string().max(30), step: z.coerce.number().int().min(1).max(100).optional(), rating: z.coerce.number().int().min(1).max(5).optional(), comment: z.string().max(2000).optional() }),
  }),
});

function fact(label: string, value: string): Record<string, unknown> {
  return { type: 'RichTextBlock', spacing: 'None', inlines: [{ type: 'TextRun', text: `${label}: `, weight: 'Bolder' }, { type: 'TextRun', text: value }] };
}

function notice(text: string): Record<string, unknown> {
  return { type: 'TextBlock', text, wrap: true, color: 'Attention', weight: 'Bolder' };
}

/** The approver's card for a step: the request, and Approve / Reject (with a reason) while it waits. */
export function approvalCard(ticket: TicketView, step: number, link: string, extra: { reminder?: boolean; reason?: string | null; problem?: string } = {}): AdaptiveCard {
  const view = ticket.approvals.find((s) => s.step === step);
  const body: unknown[] = [
    { type: 'TextBlock', text: `${extra.reminder ? 'Reminder: a' : 'A'}pproval needed · ${ticket.key}`, weight: 'Bolder', size: 'Medium', wrap: true },
    plain(ticket.title, { weight: 'Bolder' }),
    fact('Requested by', ticket.requester.name ? `${ticket.requester.name} (${ticket.requester.email})` : ticket.requester.email),
    fact('Step', `${step} of ${ticket.approvals.length}`),
    ...(extra.reason ? [fact('Why you', extra.reason)] : []),
    ...Object.entries(ticket.fields)
      .filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)
      .map(([k, v]) => fact(k.replace(/_/g, ' '), v === true ? 'yes' : String(v))),
    ...(extra.problem ? [notice(extra.problem)] : []),
  ];
  const actions: unknown[] = [{ type: 'Action.OpenUrl', title: 'Open', url: link }];
  if (view && view.state !== 'pending') {
    body.push({ type: 'TextBlock', wrap: true, weight: 'Bolder', color: view.state === 'approved' ? 'Good' : 'Attention', text: `${view.state === 'approved' ? 'Approved' : 'Rejected'} by ${view.decidedBy?.name ?? view.decidedBy?.email ?? 'someone'}` });
    if (view.comment) body.push(plain(view.comment));
  } else if (ticket.status !== 'awaiting_approval') {
    body.push({ type: 'TextBlock', wrap: true, isSubtle: true, text: `No longer awaiting approval (${ticket.status.replace(/_/g, ' ')}).` });
  } else {
    body.push({ type: 'Input.Text', id: 'comment', isMultiline: true, maxLength: 2000, label: 'Comment (required to reject)', placeholder: 'The requester reads this' });
    actions.unshift(
      { type: 'Action.Execute', title: 'Approve', verb: APPROVE_VERB, style: 'positive', data: { ticket: ticket.key, step } },
      { type: 'Action.Execute', title: 'Reject', verb: REJECT_VERB, style: 'destructive', data: { ticket: ticket.key, step } },
    );
  }
  return card(body, actions);
}

/** "How did we do?" 1–5; after a rating it says so, and stays changeable until the ticket is closed. */
export function surveyCard(ticket: TicketView, extra: { problem?: string } = {}): AdaptiveCard {
  const rated = ticket.satisfaction;
  const body: unknown[] = [
    { type: 'TextBlock', text: `How did we do? · ${ticket.key}`, weight: 'Bolder', size: 'Medium', wrap: true },
    plain(ticket.title),
    ...(rated ? [{ type: 'TextBlock', wrap: true, text: `You rated it ${rated.rating}/5 (${RATING_WORDS[rated.rating - 1]}). Thank you!` }] : []),
    ...(extra.problem ? [notice(extra.problem)] : []),
  ];
  const actions = ticket.status === 'closed' ? [] : RATING_WORDS.map((word, i) => ({ type: 'Action.Execute', title: `${i + 1} · ${word}`, verb: RATE_VERB, data: { ticket: ticket.key, rating: i + 1 } }));
  return card(body, actions);
}

/** The leads' notice of an approval still waiting after the reminders. */
export function overdueCard(ticket: TicketView, text: string, link: string): AdaptiveCard {
  return card([{ type: 'TextBlock', text: `Approval overdue · ${ticket.key}`, weight: 'Bolder', wrap: true }, plain(ticket.title), plain(text)], [{ type: 'Action.OpenUrl', title: 'Open', url: link }]);
}
