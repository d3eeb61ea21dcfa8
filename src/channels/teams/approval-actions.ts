import { AlreadyDecided, decideApproval } from '../../core/approvals.ts';
import { CoreError } from '../../core/errors.ts';
import type { TicketLinks } from '../../core/links.ts';
import { rateTicket } from '../../core/satisfaction.ts';
import { getTicket, type CoreContext } from '../../core/tickets.ts';
import { APPROVE_VERB, approvalCard, executeSchema, RATE_VERB, REJECT_VERB, surveyCard } from './approval-card.ts';
import type { AdaptiveCard } from './form-cards.ts';
import type { TeamsIdentity } from './identity.ts';
import type { InvokeAnswer, TeamsTurn } from './platform.ts';

/** The answer Teams shows in place of the clicked card (Universal Actions). */
function cardAnswer(card: AdaptiveCard): InvokeAnswer {
  return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } };
}

function decidedText(error: AlreadyDecided): string {
  const d = error.decided;
  return `Step ${d.step} was already ${d.decision} by ${d.decidedBy?.name ?? d.decidedBy?.email ?? 'someone'} at ${d.decidedAt ?? 'an earlier time'}${d.comment ? `: ${d.comment}` : ''}.`;
}

/**
 * `adaptiveCard/action` invokes of the approval and survey cards: one core command per click,
 * keyed by the activity id, answered with the card as it now stands (or with why not).
 */
export class TeamsDecisions {
  constructor(
    private readonly core: CoreContext,
    private readonly identity: TeamsIdentity,
    private readonly links: TicketLinks,
  ) {}

  handles(value: unknown): boolean {
    const parsed = executeSchema.safeParse(value);
    return parsed.success && [APPROVE_VERB, REJECT_VERB, RATE_VERB].includes(parsed.data.action.verb);
  }

  async answer(ctx: TeamsTurn): Promise<InvokeAnswer> {
    const parsed = executeSchema.safeParse(ctx.activity.value);
    if (!parsed.success) return { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'not a card action of ours' } } };
    const { verb, data } = parsed.data.action;
    const link = this.links.deskUrl(data.ticket);
    const render = async (problem?: string) => {
      const ticket = await getTicket(this.core, data.ticket);
      return cardAnswer(verb === RATE_VERB ? surveyCard(ticket, problem ? { problem } : {}) : approvalCard(ticket, data.step ?? 1, link, problem ? { problem } : {}));
    };
    const person = await this.identity.sender(ctx);
    if (!person) return render('Teams did not tell us who you are, so nothing was recorded.');
    const idempotencyKey = `teams:activity:${ctx.activity.id ?? ''}`;
    try {
      if (verb === RATE_VERB) {
        if (!data.rating) return render('Pick a rating from 1 to 5.');
        await rateTicket(this.core, { ticketKey: data.ticket, rating: data.rating, rater: person, channel: 'teams', idempotencyKey });
      } else {
        if (!data.step) return render('This card names no approval step.');
        const comment = (data.comment ?? '').trim();
        if (verb === REJECT_VERB && !comment) return render('Say why you reject it (the requester reads this), then press Reject again.');
        await decideApproval(this.core, { ticketKey: data.ticket, step: data.step, decision: verb === APPROVE_VERB ? 'approve' : 'reject', comment, approver: person, channel: 'teams', idempotencyKey });
      }
    } catch (error) {
      if (error instanceof AlreadyDecided) return render(decidedText(error));
      if (error instanceof CoreError) return render(error.message);
      throw error;
    }
    return render();
  }
}
