import type { Context, Hono } from 'hono';
import { cleanText } from '../../http/input.ts';
import { z } from 'zod';
import { authOf } from '../../auth/index.ts';
import type { BusinessCalendar } from '../../core/sla/calendar.ts';
import { deskCounts, dueSoonUntil, WORK_STATUSES } from '../../core/desk-summary.ts';
import { Forbidden, Invalid, NotFound } from '../../core/errors.ts';
import { getTicket } from '../../core/reads.ts';
import { listTickets, type ListFilters } from '../../core/queries.ts';
import { setAvailability } from '../../core/assignment.ts';
import { queueCalendar } from '../../core/sla/explain.ts';
import { queuesWorkedBy, roleOn } from '../../core/roles.ts';
import { STATUSES } from '../../core/status.ts';
import type { TicketView } from '../../core/view.ts';
import type { Person } from '../../db/schema.ts';
import { livePhrase } from '../../present/sla.ts';
import { queueZone } from '../../present/ticket.ts';
import { readerZone } from '../../present/time.ts';
import { deskLiveRoutes, type DeskGate } from './desk-live.ts';
import { deskTicketRoutes, KEY_PATTERN } from './desk-ticket-routes.tsx';
import { DeskForbiddenPage, DeskHomePage, DeskListPage, type DeskRow, type ListQueryView } from './desk-views.tsx';
import { readPostedForm } from './form-values.ts';
import { render, type WebContext } from './render.tsx';
import { ForbiddenPostPage, UnreadableFormPage } from './views/notices.tsx';

const PAGE_SIZE = 25;
const NEXT_UP = 5;
/** Statuses that still need the desk and exist today (awaiting_approval once approvals land). */
const WORK = WORK_STATUSES.filter((s) => (STATUSES as readonly string[]).includes(s)).join(',');

const listQuerySchema = z.object({
  queue: z.string().max(20).regex(/^[A-Za-z0-9]*$/).default(''),
  status: z.string().max(200).default(''),
  assignee: z.string().max(320).default(''),
  requester: z.string().max(320).default(''),
  priority: z.string().max(20).default(''),
  channel: z.string().max(20).default(''),
  q: z.string().max(200).default(''),
  sort: z.enum(['', 'due', 'updated', 'created', 'rank']).default(''),
  due: z.enum(['', 'soon', 'breached']).default(''),
  cursor: z.string().max(300).optional(),
});


/** /desk, /desk/tickets, /desk/t/:key and /desk/live: signed-in agents only; everyone else is sent to sign in or refused. */
export function deskRoutes(app: Hono, web: WebContext): void {
  const { core, tokens, deps } = web;
  const auth = authOf(deps);
  const who = (p: Person) => p.name ?? p.email;

  /** Signed in (else to /login, coming back here) and an agent of some queue (else 403). */
  const deskGate = async (c: Context, here: string): Promise<DeskGate> => {
    const signedIn = await auth.sessions.current(c);
    if (!signedIn) return { ok: false, response: c.redirect(`/login?next=${encodeURIComponent(here)}`, 303) };
    const { person } = signedIn;
    const queues = await queuesWorkedBy(core.db, person.id);
    if (!queues.length) return { ok: false, response: render(c, <DeskForbiddenPage who={who(person)} message="You are not an agent of any queue. Your own requests are under My requests." />, 403) };
    return { ok: true, person, queues };
  };

  const calendarsOf = (queues: string[]) => Object.fromEntries(queues.map((q) => [q, queueCalendar(deps.catalog, q)])) as Record<string, BusinessCalendar | undefined>;
  /** The list's SLA words: the ticket page's live phrase, in the agent's zone. */
  const rowsOf = (person: Person, items: TicketView[], calendars: Record<string, BusinessCalendar | undefined>, snippets: Record<string, string> = {}): DeskRow[] => {
    const now = core.now();
    return items.map((ticket) => ({ ticket, sla: livePhrase(ticket, readerZone(person.timeZone, queueZone(deps.catalog, ticket.queue)), now, calendars[ticket.queue]), snippet: snippets[ticket.key] }));
  };

  app.get('/desk', async (c) => {
    const gated = await deskGate(c, '/desk');
    if (!gated.ok) return gated.response;
    const { person, queues: keys } = gated;
    const now = core.now();
    const calendars = calendarsOf(keys);
    const [counts, roles, next] = await Promise.all([
      deskCounts(core.db, keys, person.id, dueSoonUntil(calendars, now), now),
      Promise.all(keys.map((key) => roleOn(core.db, person.id, key))),
      Promise.all(keys.map((key) => listTickets(core, { queue: key, status: WORK, sort: 'due', limit: NEXT_UP }))),
    ]);
    const queues = keys.map((key, i) => ({ key, name: deps.catalog.queues[key]?.name ?? key, role: roles[i] ?? 'agent', counts: counts[i]!, next: rowsOf(person, next[i]!.items, calendars) }));
    const flash = c.req.query('done') === 'availability' ? (person.away ? 'You are away: no new tickets are assigned to you.' : 'You are back: new tickets can be assigned to you again.') : undefined;
    return render(c, <DeskHomePage who={who(person)} queues={queues} away={person.away} token={tokens.issue(c)} flash={flash} />);
  });

  app.get('/desk/tickets', async (c) => {
    const here = `/desk/tickets${new URL(c.req.url).search}`;
    const gated = await deskGate(c, here);
    if (!gated.ok) return gated.response;
    const { person, queues } = gated;
    const queueOptions = queues.map((key) => ({ key, name: deps.catalog.queues[key]?.name ?? key }));
    // Text the database cannot store (NUL, lone surrogates) is cleaned, as in every form.
    const parsed = listQuerySchema.safeParse(Object.fromEntries(Object.entries(c.req.query()).map(([name, value]) => [name, cleanText(value)])));
    const blank: ListQueryView = { queue: '', status: '', assignee: '', requester: '', priority: '', channel: '', q: '', sort: '', due: '' };
    if (!parsed.success) return render(c, <DeskListPage who={who(person)} queues={queueOptions} query={blank} rows={[]} nextHref={null} error="Those filters could not be read; pick them again." />, 400);
    const query = parsed.data;
    const q = query.q.trim();
    // A typed key goes straight to its ticket.
    if (KEY_PATTERN.test(q)) {
      const hit = await getTicket(core, q).catch((error: unknown) => {
        if (error instanceof NotFound) return null;
        throw error;
      });
      if (hit && queues.includes(hit.queue)) return c.redirect(`/desk/t/${encodeURIComponent(hit.key)}`, 303);
    }
    const calendars = calendarsOf(queues);
    const filters: ListFilters = {
      queues,
      queue: query.queue || undefined,
      status: query.status === 'all' ? undefined : query.status || WORK,
      assignee: query.assignee === 'me' ? person.email : query.assignee || undefined,
      requester: query.requester || undefined,
      priority: query.priority || undefined,
      channel: query.channel || undefined,
      q: q || undefined,
      includeInternal: true,
      sort: query.sort || (q ? 'rank' : 'due'),
      due: query.due || undefined,
      dueSoonUntil: query.due === 'soon' ? dueSoonUntil(calendars, core.now()) : undefined,
      cursor: query.cursor,
      limit: PAGE_SIZE,
    };
    const view: ListQueryView = { ...query, sort: filters.sort ?? '' };
    try {
      const page = await listTickets(core, filters);
      let nextHref: string | null = null;
      if (page.nextCursor) {
        const params = new URLSearchParams(Object.entries(query).filter(([k, v]) => k !== 'cursor' && v) as Array<[string, string]>);
        params.set('cursor', page.nextCursor);
        nextHref = `/desk/tickets?${params.toString()}`;
      }
      return render(c, <DeskListPage who={who(person)} queues={queueOptions} query={view} rows={rowsOf(person, page.items, calendars, page.snippets)} nextHref={nextHref} />);
    } catch (error) {
      if (error instanceof Invalid) return render(c, <DeskListPage who={who(person)} queues={queueOptions} query={view} rows={[]} nextHref={null} error={error.message} />, 400);
      throw error;
    }
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

  deskTicketRoutes(app, web);
  deskLiveRoutes(app, web, deskGate);
}
