import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { authOf } from '../../auth/index.ts';
import { prioritySchema } from '../../core/catalog.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../../core/errors.ts';
import { fillCatalogMacro, macroList } from '../../core/macros.ts';
import { agentsOf, queuesWorkedBy, roleOn, type Role } from '../../core/roles.ts';
import { slaWhy } from '../../core/sla/explain.ts';
import { statusSchema } from '../../core/status.ts';
import { decideApproval } from '../../core/approvals.ts';
import { addComment, assign, getTicket, setPriority, transition } from '../../core/tickets.ts';
import { loadEvents, type TicketView } from '../../core/view.ts';
import { addWatcher, watchersOf } from '../../core/watchers.ts';
import type { Person } from '../../db/schema.ts';
import { DeskTicketPage, DeskTicketResults } from './desk-ticket-views.tsx';
import { DeskForbiddenPage } from './desk-views.tsx';
import { readPostedForm } from './form-values.ts';
import { render, type WebContext } from './render.tsx';
import { REPLY_REQUIRED } from '../../present/forms.ts';
import { timelineOf } from '../../present/notices.ts';
import { ticketScreen } from '../../present/ticket.ts';
import { ForbiddenPostPage, NotFoundPage, UnreadableFormPage } from './views/notices.tsx';

export const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;
const FLASH: Record<string, string> = {
  reply: 'Your reply was sent to the requester.',
  note: 'Internal note added.',
  status: 'Status changed.',
  assign: 'Assignee changed.',
  priority: 'Priority changed.',
  watcher: 'Watcher added: they get the public updates from now on.',
  approval: 'Decision recorded.',
};

// No visibility given (Enter in a form without the buttons' values) means an internal note: safe by default.
const replySchema = z.object({ body: z.string().trim().min(1, REPLY_REQUIRED).max(40_000, 'That is too long (at most 40,000 characters).'), visibility: z.enum(['public', 'internal']).default('internal') });
const statusForm = z.object({ status: statusSchema });
const assignForm = z.object({ assignee: z.string().trim().max(320) });
const priorityForm = z.object({ priority: prioritySchema });
const watcherForm = z.object({ email: z.email('Give the watcher’s email address.').max(320) });
const approvalForm = z.object({ step: z.coerce.number().int().min(1).max(100), decision: z.enum(['approve', 'reject']), comment: z.string().max(2000).default('') });
const macroKey = z.string().regex(/^[a-z0-9][a-z0-9-]*$/).max(80);

type Gate = { ok: true; person: Person; ticket: TicketView; role: Role } | { ok: false; response: Response | Promise<Response> };
type Verb = 'reply' | 'status' | 'assign' | 'priority' | 'watcher' | 'approval';

/** /desk/t/:key and its actions: agents of the ticket's queue only; each action is ONE core command, recorded as that agent. */
export function deskTicketRoutes(app: Hono, web: WebContext): void {
  const { core, tokens, deps } = web;
  const auth = authOf(deps);
  const who = (p: Person) => p.name ?? p.email;
  const actorOf = (p: Person) => ({ email: p.email, ...(p.name ? { name: p.name } : {}) });

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
    const role = await roleIn(c, person, ticket.queue);
    if (!role) return forbidden();
    return { ok: true, person, ticket, role };
  };

  /** The reader's role on a queue, read once per request (the gate, the page and its approval box all ask). */
  const rolesOfRequest = new WeakMap<Request, Map<string, Promise<Role | null>>>();
  const roleIn = (c: Context, person: Person, queue: string): Promise<Role | null> => {
    let known = rolesOfRequest.get(c.req.raw);
    if (!known) {
      known = new Map();
      rolesOfRequest.set(c.req.raw, known);
    }
    const key = `${person.id}:${queue}`;
    let role = known.get(key);
    if (!role) {
      role = roleOn(core.db, person.id, queue);
      known.set(key, role);
    }
    return role;
  };

  /** Admins decide any step from the desk; leads a leads' step; an agent who is the step's approver their own. */
  const mayDecideHere = async (c: Context, person: Person, ticket: TicketView): Promise<boolean> => {
    const step = ticket.status === 'awaiting_approval' ? ticket.approvals.find((s) => s.current) : undefined;
    if (!step || person.email === ticket.requester.email) return false;
    if (step.approver?.email === person.email) return true;
    const role = await roleIn(c, person, ticket.queue);
    return role === 'admin' || (role === 'lead' && step.approver === null);
  };

  /**
   * GET /desk/t/:key?part=results: the part of the workspace that changes (DeskTicketResults), alone,
   * for the page's live updates: the same reads and checks as the page, without the reply and
   * management forms, the queue's agent list and five of the page's seven one-time tokens.
   */
  const results = async (c: Context, person: Person, ticket: TicketView) => {
    const [timeline, watchers, why, role, decides] = await Promise.all([
      loadEvents(core.db, ticket.id, true),
      watchersOf(core.db, ticket.id),
      slaWhy(core, ticket),
      roleIn(c, person, ticket.queue),
      mayDecideHere(c, person, ticket),
    ]);
    const screen = ticketScreen({ ticket, catalog: deps.catalog, reader: { role: role ?? 'agent', email: person.email }, readerTimeZone: person.timeZone, link: `/desk/t/${encodeURIComponent(ticket.key)}`, now: core.now(), why });
    c.header('cache-control', 'no-store');
    return c.html(
      <DeskTicketResults
        me={person.email}
        screen={screen}
        timeline={timelineOf(timeline, ticket, 'desk', screen.zone)}
        watchers={watchers}
        tokens={{ claim: tokens.issue(c) }}
        approval={decides ? { step: ticket.approvals.find((s) => s.current)!.step, token: tokens.issue(c) } : undefined}
      />,
    );
  };

  const page = async (c: Context, person: Person, ticket: TicketView, extra: { flash?: string | undefined; error?: string; replyValue?: string | undefined; macro?: string; status?: 200 | 400 | 403 | 409 } = {}) => {
    const [timeline, agents, watchers, why, role] = await Promise.all([
      loadEvents(core.db, ticket.id, true),
      agentsOf(core.db, ticket.queue),
      watchersOf(core.db, ticket.id),
      slaWhy(core, ticket),
      roleIn(c, person, ticket.queue),
    ]);
    // This agent's view (present/ticket.ts): their zone, the desk's wording, what their role allows on this state.
    const screen = ticketScreen({ ticket, catalog: deps.catalog, reader: { role: role ?? 'agent', email: person.email }, readerTimeZone: person.timeZone, link: `/desk/t/${encodeURIComponent(ticket.key)}`, now: core.now(), why });
    return render(
      c,
      <DeskTicketPage
        who={who(person)}
        me={person.email}
        screen={screen}
        timeline={timelineOf(timeline, ticket, 'desk', screen.zone)}
        agents={agents}
        watchers={watchers}
        macros={macroList(deps.catalog)}
        macro={extra.macro}
        tokens={{ reply: tokens.issue(c), status: tokens.issue(c), assign: tokens.issue(c), claim: tokens.issue(c), priority: tokens.issue(c), watcher: tokens.issue(c) }}
        flash={extra.flash}
        error={extra.error}
        replyValue={extra.replyValue}
        approval={(await mayDecideHere(c, person, ticket)) ? { step: ticket.approvals.find((s) => s.current)!.step, token: tokens.issue(c) } : undefined}
      />,
      extra.status ?? 200,
    );
  };

  app.get('/desk/t/:key', async (c) => {
    const gated = await gate(c);
    if (!gated.ok) return gated.response;
    const { person, ticket } = gated;
    if (c.req.query('part') === 'results') return results(c, person, ticket);
    // "Use it" on a canned reply: the form comes back with its variables filled (works without JavaScript).
    const macro = macroKey.safeParse(c.req.query('macro'));
    const filled = macro.success ? fillCatalogMacro(deps.catalog, macro.data, ticket, person) : null;
    return page(c, person, ticket, { flash: FLASH[c.req.query('done') ?? ''], replyValue: filled ?? undefined, ...(filled && macro.success ? { macro: macro.data } : {}) });
  });

  const action = (verb: Verb) =>
    app.post(`/desk/t/:key/${verb}`, async (c) => {
      const gated = await gate(c);
      if (!gated.ok) return gated.response;
      const { person, ticket } = gated;
      const values = await readPostedForm(c);
      if (!values) return render(c, <UnreadableFormPage />, 400);
      const token = tokens.check(c, values.token);
      if (!token.ok) return render(c, <ForbiddenPostPage />, 403);
      // The form's one-time token is the idempotency key: a double submit or a retried POST is one event.
      const common = { ticketKey: ticket.key, channel: 'web', idempotencyKey: token.idempotencyKey };
      let done: string = verb;
      try {
        if (verb === 'reply') {
          const parsed = replySchema.safeParse(values);
          if (!parsed.success) return page(c, person, ticket, { error: parsed.error.issues[0]!.message, replyValue: values.body, status: 400 });
          await addComment(core, { ...common, body: parsed.data.body, visibility: parsed.data.visibility, author: actorOf(person), as: 'desk', result: 'none' });
          if (parsed.data.visibility === 'internal') done = 'note';
        } else if (verb === 'status') {
          const parsed = statusForm.safeParse(values);
          if (!parsed.success) return page(c, person, ticket, { error: 'Choose a status from the list.', status: 400 });
          await transition(core, { ...common, status: parsed.data.status, actor: actorOf(person) });
        } else if (verb === 'priority') {
          const parsed = priorityForm.safeParse(values);
          if (!parsed.success) return page(c, person, ticket, { error: 'Choose a priority from the list.', status: 400 });
          if (parsed.data.priority === ticket.priority) return c.redirect(`/desk/t/${encodeURIComponent(ticket.key)}`, 303);
          await setPriority(core, { ...common, priority: parsed.data.priority, actor: actorOf(person) });
        } else if (verb === 'approval') {
          const parsed = approvalForm.safeParse(values);
          if (!parsed.success) return page(c, person, ticket, { error: 'Choose Approve or Reject.', status: 400 });
          await decideApproval(core, { ...common, step: parsed.data.step, decision: parsed.data.decision, comment: parsed.data.comment, approver: actorOf(person) });
        } else if (verb === 'watcher') {
          const parsed = watcherForm.safeParse({ email: (values.email ?? '').trim().toLowerCase() });
          if (!parsed.success) return page(c, person, ticket, { error: parsed.error.issues[0]!.message, status: 400 });
          await addWatcher(core, { ...common, watcher: { email: parsed.data.email }, actor: actorOf(person) });
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
  for (const verb of ['reply', 'status', 'assign', 'priority', 'watcher', 'approval'] as const) action(verb);
}
