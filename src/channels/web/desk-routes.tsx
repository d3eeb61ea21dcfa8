import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { authOf } from '../../auth/index.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../core/errors.ts';
import { listTickets } from '../../core/queries.ts';
import { setAvailability } from '../../core/assignment.ts';
import { agentsOf, queuesWorkedBy, roleOn, type Role } from '../../core/roles.ts';
import { allowedNext, statusSchema } from '../../core/status.ts';
import { addComment, assign, getTicket, getTimeline, transition } from '../../core/tickets.ts';
import type { TicketView } from '../../core/view.ts';
import type { Person } from '../../db/schema.ts';
import { DeskForbiddenPage, DeskHomePage, DeskTicketPage } from './desk-views.tsx';
import { readPostedForm } from './form-values.ts';
import { render, type WebContext } from './render.tsx';
import { ForbiddenPostPage, NotFoundPage, UnreadableFormPage } from './views/notices.tsx';

const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;
const FLASH: Record<string, string> = { reply: 'Your reply was sent to the requester.', note: 'Internal note added.', status: 'Status changed.', assign: 'Assignee changed.' };
const OPEN_STATUSES = 'new,open,in_progress,waiting_on_requester';

const replySchema = z.object({ body: z.string().trim().min(1, 'Write something before sending.').max(40_000, 'That is too long (at most 40,000 characters).'), visibility: z.enum(['public', 'internal']) });
const statusForm = z.object({ status: statusSchema });
const assignForm = z.object({ assignee: z.string().trim().max(320) });

type Gate = { ok: true; person: Person; ticket: TicketView; role: Role } | { ok: false; response: Response | Promise<Response> };

/** /desk and /desk/t/:key: signed-in agents of the ticket's queue only; actions are recorded as that agent. */
export function deskRoutes(app: Hono, web: WebContext): void {
  const { core, tokens, deps } = web;
  const auth = authOf(deps);
  const who = (p: Person) => p.name ?? p.email;
  const actorOf = (p: Person) => ({ email: p.email, ...(p.name ? { name: p.name } : {}) });

  app.get('/desk', async (c) => {
    const signedIn = await auth.sessions.current(c);
    if (!signedIn) return c.redirect(`/login?next=${encodeURIComponent('/desk')}`, 303);
    const { person } = signedIn;
    const keys = await queuesWorkedBy(core.db, person.id);
    if (!keys.length) return render(c, <DeskForbiddenPage who={who(person)} message="You are not an agent of any queue. Your own requests are under My requests." />, 403);
    const queues = await Promise.all(
      keys.map(async (key) => ({
        key,
        name: deps.catalog.queues[key]?.name ?? key,
        role: (await roleOn(core.db, person.id, key)) ?? 'agent',
        tickets: (await listTickets(core, { queue: key, status: OPEN_STATUSES, limit: 25 })).items,
      })),
    );
    return render(c, <DeskHomePage who={who(person)} queues={queues} away={person.away} token={tokens.issue(c)} flash={c.req.query('done') === 'availability' ? (person.away ? 'You are away: no new tickets are assigned to you.' : 'You are back: new tickets can be assigned to you again.') : undefined} />);
  });

  // Away and back from the desk, as from Slack (/request away) and Teams ("away"): away agents get no new tickets.
  app.post('/desk/availability', async (c) => {
    const signedIn = await auth.sessions.current(c);
    if (!signedIn) return c.redirect(`/login?next=${encodeURIComponent('/desk')}`, 303);
    const values = await readPostedForm(c);
    if (!values) return render(c, <UnreadableFormPage />, 400);
    if (!tokens.check(c, values.token).ok) return render(c, <ForbiddenPostPage />, 403);
    if (values.away !== 'true' && values.away !== 'false') return render(c, <UnreadableFormPage />, 400);
    await setAvailability(core.db, signedIn.person.email, values.away === 'true').catch((error: unknown) => {
      if (!(error instanceof Forbidden)) throw error;
    });
    return c.redirect('/desk?done=availability', 303);
  });

  /** Signed in (else to /login, coming back here), an agent of this ticket's queue (else 403). */
  const gate = async (c: Context): Promise<Gate> => {
    const key = c.req.param('key') ?? '';
    const here = `/desk/t/${encodeURIComponent(key)}`;
    const signedIn = await auth.sessions.current(c);
    if (!signedIn) return { ok: false, response: c.redirect(`/login?next=${encodeURIComponent(here)}`, 303) };
    const { person } = signedIn;
    const forbidden = () => ({ ok: false as const, response: render(c, <DeskForbiddenPage who={who(person)} message={`Only agents of this ticket's queue can open it here. If it is your own request, find it under My requests.`} />, 403) });
    const ticket = KEY_PATTERN.test(key)
      ? await getTicket(core, key).catch((error: unknown) => {
          if (error instanceof NotFound) return null;
          throw error;
        })
      : null;
    if (!ticket) {
      // Someone on no desk learns nothing about which tickets exist.
      if (!(await queuesWorkedBy(core.db, person.id)).length) return forbidden();
      return { ok: false, response: render(c, <NotFoundPage what={`There is no ticket ${key}.`} />, 404) };
    }
    const role = await roleOn(core.db, person.id, ticket.queue);
    if (!role) return forbidden();
    return { ok: true, person, ticket, role };
  };

  const page = async (c: Context, person: Person, ticket: TicketView, extra: { flash?: string; error?: string; replyValue?: string; status?: 200 | 400 | 403 | 409 } = {}) => {
    const queue = deps.catalog.queues[ticket.queue];
    const timezone = (queue ? deps.catalog.calendars[queue.calendar]?.timezone : undefined) ?? 'UTC';
    const [timeline, agents] = await Promise.all([getTimeline(core, ticket.key, { includeInternal: true }), agentsOf(core.db, ticket.queue)]);
    return render(
      c,
      <DeskTicketPage
        who={who(person)}
        ticket={ticket}
        queueName={queue?.name ?? ticket.queue}
        timeline={timeline}
        timezone={timezone}
        next={allowedNext(ticket.status)}
        agents={agents}
        tokens={{ reply: tokens.issue(c), status: tokens.issue(c), assign: tokens.issue(c) }}
        flash={extra.flash}
        error={extra.error}
        replyValue={extra.replyValue}
      />,
      extra.status ?? 200,
    );
  };

  app.get('/desk/t/:key', async (c) => {
    const gated = await gate(c);
    if (!gated.ok) return gated.response;
    return page(c, gated.person, gated.ticket, { flash: FLASH[c.req.query('done') ?? ''] });
  });

  const action = (verb: 'reply' | 'status' | 'assign') =>
    app.post(`/desk/t/:key/${verb}`, async (c) => {
      const gated = await gate(c);
      if (!gated.ok) return gated.response;
      const { person, ticket } = gated;
      const values = await readPostedForm(c);
    if (!values) return render(c, <UnreadableFormPage />, 400);
      const token = tokens.check(c, values.token);
      if (!token.ok) return render(c, <ForbiddenPostPage />, 403);
      const common = { ticketKey: ticket.key, channel: 'web', idempotencyKey: token.idempotencyKey };
      let done: string = verb;
      try {
        if (verb === 'reply') {
          const parsed = replySchema.safeParse(values);
          if (!parsed.success) return page(c, person, ticket, { error: parsed.error.issues[0]!.message, replyValue: values.body, status: 400 });
          await addComment(core, { ...common, body: parsed.data.body, visibility: parsed.data.visibility, author: actorOf(person) });
          if (parsed.data.visibility === 'internal') done = 'note';
        } else if (verb === 'status') {
          const parsed = statusForm.safeParse(values);
          if (!parsed.success) return page(c, person, ticket, { error: 'Choose a status from the list.', status: 400 });
          await transition(core, { ...common, status: parsed.data.status, actor: actorOf(person) });
        } else {
          const parsed = assignForm.safeParse(values);
          const email = parsed.success ? parsed.data.assignee.toLowerCase() : undefined;
          const agents = await agentsOf(core.db, ticket.queue);
          if (email === undefined || (email !== '' && !agents.some((a) => a.email === email))) {
            return page(c, person, ticket, { error: 'Choose one of the queue’s agents, or nobody.', status: 400 });
          }
          await assign(core, { ...common, assignee: email ? { email } : null, actor: actorOf(person) });
        }
      } catch (error) {
        const fresh = await getTicket(core, ticket.key);
        if (error instanceof Forbidden) return page(c, person, fresh, { error: error.message, status: 403 });
        if (error instanceof Conflict) return page(c, person, fresh, { error: error.message, status: 409 });
        if (error instanceof Invalid) return page(c, person, fresh, { error: error.message, status: 400 });
        throw error;
      }
      return c.redirect(`/desk/t/${encodeURIComponent(ticket.key)}?done=${done}`, 303);
    });
  action('reply');
  action('status');
  action('assign');
}
