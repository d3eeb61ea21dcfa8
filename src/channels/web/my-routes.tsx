import type { Hono } from 'hono';
import { authOf } from '../../auth/index.ts';
import { listTickets } from '../../core/queries.ts';
import { queuesWorkedBy } from '../../core/roles.ts';
import { MyRequestsPage } from './my-views.tsx';
import { pathOf, render, type WebContext } from './render.tsx';

/** GET /my: the signed-in person's requests from every channel; each links its (signed) ticket page. */
export function myRoutes(app: Hono, web: WebContext): void {
  const auth = authOf(web.deps);
  app.get('/my', async (c) => {
    const signedIn = await auth.sessions.current(c);
    if (!signedIn) return c.redirect(`/login?next=${encodeURIComponent('/my')}`, 303);
    const { person } = signedIn;
    const [{ items }, queues] = await Promise.all([listTickets(web.core, { requester: person.email, limit: 100 }), queuesWorkedBy(web.core.db, person.id)]);
    const now = web.core.now();
    const tickets = items.map((ticket) => ({ ticket, href: pathOf(web.deps.links.url(ticket.key, person.email, { now })) }));
    return render(c, <MyRequestsPage who={person.name ?? person.email} desk={queues.length > 0} tickets={tickets} />);
  });
}
