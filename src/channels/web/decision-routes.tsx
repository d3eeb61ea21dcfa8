import type { Context, Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { AlreadyDecided, decideApproval, stepById } from '../../core/approvals.ts';
import { readApprovalToken, readRatingToken } from '../../core/decision-links.ts';
import { Conflict, Forbidden, Invalid } from '../../core/errors.ts';
import { rateTicket } from '../../core/satisfaction.ts';
import { getTicket } from '../../core/tickets.ts';
import { personById } from '../../core/ticket-rows.ts';
import type { ApprovalView, TicketView } from '../../core/view.ts';
import { tickets } from '../../db/schema.ts';
import { readPostedForm } from './form-values.ts';
import { render, type WebContext } from './render.tsx';
import { ApprovalPage, RatePage } from './views/decision.tsx';
import { ForbiddenPostPage, UnreadableFormPage } from './views/notices.tsx';
import { Layout } from './views/layout.tsx';

type Notice = { tone: 'ok' | 'error' | 'info'; text: string };

function BadLinkPage({ what }: { what: string }) {
  return (
    <Layout title="Link not valid">
      <h1>This {what} link is not valid</h1>
      <p class="lead">It may have been cut short or changed. Use the button in the message we sent you, or ask the desk.</p>
    </Layout>
  );
}

/** Why a step cannot be decided now, or null when it can. */
function blocked(ticket: TicketView, step: ApprovalView, timezone: string): string | null {
  const rejected = ticket.approvals.find((s) => s.state === 'rejected');
  if (step.state !== 'pending' || rejected) {
    const decided = step.state !== 'pending' ? step : rejected!;
    const by = decided.decidedBy?.name ?? decided.decidedBy?.email ?? 'someone';
    const at = decided.decidedAt ? new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: timezone }).format(new Date(decided.decidedAt)) : '';
    return `Step ${decided.step} was already ${decided.state} by ${by} on ${at}.`;
  }
  if (ticket.status !== 'awaiting_approval') return `${ticket.key} is no longer awaiting approval.`;
  if (!step.current) return `Not yet: an earlier step has to be decided first. We will ask you when it is your turn.`;
  return null;
}

/**
 * GET/POST /approve/:token and /rate/:token. The GET pages only show and ask (mail scanners
 * follow links); the POST, with the page's one-time token, decides or records.
 */
export function decisionRoutes(app: Hono, web: WebContext): void {
  const { core, tokens, deps } = web;
  const timezoneOf = (ticket: TicketView) => deps.catalog.calendars[deps.catalog.queues[ticket.queue]?.calendar ?? '']?.timezone ?? 'UTC';

  const loadStep = async (c: Context) => {
    const parsed = readApprovalToken(deps.links, c.req.param('token') ?? '');
    if (!parsed) return null;
    const found = await stepById(core.db, parsed.stepId);
    const person = await personById(core.db, parsed.personId);
    if (!found || !person) return null;
    const ticket = await getTicket(core, found.ticket.key);
    const step = ticket.approvals.find((s) => s.step === found.step.step)!;
    return { ticket, step, person };
  };

  const approvalPage = (c: Context, loaded: NonNullable<Awaited<ReturnType<typeof loadStep>>>, extra: { notice?: Notice; status?: 200 | 400 | 403 | 409; commentValue?: string; commentError?: string } = {}) => {
    const { ticket, step } = loaded;
    const type = deps.catalog.request_types[ticket.type];
    const fields = (type?.fields ?? []).flatMap((f) => {
      const value = ticket.fields[f.id];
      return value === undefined || value === null || value === '' || value === false ? [] : [{ label: f.label, value: value === true ? 'Yes' : String(value) }];
    });
    const timezone = timezoneOf(ticket);
    const why = blocked(ticket, step, timezone);
    const notice = extra.notice ?? (why ? { tone: 'info' as const, text: why } : undefined);
    return render(
      c,
      <ApprovalPage ticket={ticket} step={step} typeName={type?.name ?? ticket.type} fields={fields} timezone={timezone} token={why ? null : tokens.issue(c)} notice={notice} commentValue={extra.commentValue} commentError={extra.commentError} />,
      extra.status ?? 200,
    );
  };

  app.get('/approve/:token', async (c) => {
    const loaded = await loadStep(c);
    if (!loaded) return render(c, <BadLinkPage what="approval" />, 403);
    return approvalPage(c, loaded);
  });

  app.post('/approve/:token', async (c) => {
    const loaded = await loadStep(c);
    if (!loaded) return render(c, <BadLinkPage what="approval" />, 403);
    const values = await readPostedForm(c);
    if (!values) return render(c, <UnreadableFormPage />, 400);
    const token = tokens.check(c, values.token);
    if (!token.ok) return render(c, <ForbiddenPostPage />, 403);
    const decision = values.decision;
    const comment = (values.comment ?? '').trim();
    if (decision !== 'approve' && decision !== 'reject') return approvalPage(c, loaded, { status: 400, notice: { tone: 'error', text: 'Choose Approve or Reject.' }, commentValue: comment });
    try {
      await decideApproval(core, { ticketKey: loaded.ticket.key, step: loaded.step.step, decision, comment, approver: { email: loaded.person.email }, channel: 'web', idempotencyKey: token.idempotencyKey });
    } catch (error) {
      if (error instanceof Invalid) return approvalPage(c, loaded, { status: 400, commentError: 'Say why you reject it: the requester will read this.', commentValue: comment });
      if (error instanceof Forbidden) return approvalPage(c, loaded, { status: 403, notice: { tone: 'error', text: error.message } });
      if (error instanceof AlreadyDecided || error instanceof Conflict) return approvalPage((c), (await loadStep(c))!, { status: 409 });
      throw error;
    }
    const fresh = (await loadStep(c))!;
    return approvalPage(c, fresh, { notice: { tone: 'ok', text: decision === 'approve' ? `Approved. Thank you — ${fresh.ticket.key} moves on.` : `Rejected. ${fresh.ticket.key} is closed and the requester is told why.` } });
  });

  const loadRated = async (c: Context) => {
    const parsed = readRatingToken(deps.links, c.req.param('token') ?? '');
    if (!parsed) return null;
    const [row] = await core.db.select({ key: tickets.key }).from(tickets).where(eq(tickets.id, parsed.ticketId));
    return row ? getTicket(core, row.key) : null;
  };

  const ratePage = (c: Context, ticket: TicketView, extra: { notice?: Notice; status?: 200 | 400 | 403 | 409; selected?: number } = {}) => {
    const why = ticket.status === 'closed' ? `${ticket.key} is closed; its rating can no longer change.` : ticket.status !== 'resolved' ? `${ticket.key} is not resolved yet; you can rate it once it is.` : null;
    return render(
      c,
      <RatePage ticket={ticket} action={c.req.path} token={why ? null : tokens.issue(c)} selected={extra.selected} notice={extra.notice ?? (why ? { tone: 'info', text: why } : undefined)} />,
      extra.status ?? 200,
    );
  };

  app.get('/rate/:token', async (c) => {
    const ticket = await loadRated(c);
    if (!ticket) return render(c, <BadLinkPage what="rating" />, 403);
    const r = Number(c.req.query('r'));
    return ratePage(c, ticket, { ...(Number.isInteger(r) && r >= 1 && r <= 5 ? { selected: r } : {}) });
  });

  app.post('/rate/:token', async (c) => {
    const ticket = await loadRated(c);
    if (!ticket) return render(c, <BadLinkPage what="rating" />, 403);
    const values = await readPostedForm(c);
    if (!values) return render(c, <UnreadableFormPage />, 400);
    const token = tokens.check(c, values.token);
    if (!token.ok) return render(c, <ForbiddenPostPage />, 403);
    const rating = Number(values.rating);
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) return ratePage(c, ticket, { status: 400, notice: { tone: 'error', text: 'Pick a rating from 1 to 5.' } });
    try {
      await rateTicket(core, { ticketKey: ticket.key, rating, comment: values.comment, rater: { email: ticket.requester.email }, channel: 'web', idempotencyKey: token.idempotencyKey });
    } catch (error) {
      if (error instanceof Conflict) return ratePage(c, ticket, { status: 409 });
      throw error;
    }
    return ratePage(c, await getTicket(core, ticket.key), { notice: { tone: 'ok', text: 'Thank you! Your rating was recorded; you can change it until the request is closed.' } });
  });
}
