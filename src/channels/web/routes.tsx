import { Hono, type MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { databaseUnavailable } from '../../http/unavailable.ts';
import { isDatabaseUnavailable } from '../../db/availability.ts';
import { assetRoutes } from './assets.ts';
import { catalogQueues } from './catalog-view-model.ts';
import { render, type WebContext } from './render.tsx';
import { requestFormRoutes } from './request-form-routes.tsx';
import { ticketRoutes } from './ticket-routes.tsx';
import { authRoutes } from './auth-routes.tsx';
import { deskRoutes } from './desk-routes.tsx';
import { deskReportRoutes } from './desk-report-routes.tsx';
import { myRoutes } from './my-routes.tsx';
import { knowledgeRoutes } from './kb-routes.tsx';
import { decisionRoutes } from './decision-routes.tsx';
import { searchKnowledge } from '../../knowledge/search.ts';
import type { Catalog } from '../../core/catalog.ts';
import { CatalogPage } from './views/catalog.tsx';
import { ForbiddenPostPage, ServerErrorPage } from './views/notices.tsx';

const PAGE_PATHS = ['/', '/new/*', '/t/*', '/assets/*', '/auth/*', '/logout', '/my', '/desk', '/desk/*', '/kb', '/kb/*', '/approve/*', '/rate/*'];

/** The web door: catalog, request forms, the requester's ticket page and the stylesheet. */
export function webRoutes(web: WebContext): Hono {
  const app = new Hono();
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      // The desk's live updates (EventSource /desk/live, then fetch of the same page).
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: 'DENY',
    // Ticket links carry their signature in the query string: never send it as a Referer.
    referrerPolicy: 'no-referrer',
  });
  const originCheck = sameOrigin(web.deps.config.publicUrl);
  for (const path of PAGE_PATHS) app.use(path, headers);
  app.use('/new/*', originCheck);
  app.use('/t/*', originCheck);
  app.use('/kb/*', originCheck);
  app.use('/approve/*', originCheck);
  app.use('/rate/*', originCheck);
  for (const path of ['/login', '/logout', '/desk/*']) app.use(path, originCheck);

  assetRoutes(app);
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/', async (c) => {
    const query = (c.req.query('q') ?? '').trim().slice(0, 100);
    // The catalog search also finds help articles; nothing at all fits → "Something else".
    const articles = query ? await searchKnowledge(web.core.db, { q: query, limit: 3 }) : [];
    return render(c, <CatalogPage queues={catalogQueues(web.deps.catalog, query)} query={query} articles={articles} fallbacks={somethingElse(web.deps.catalog)} />);
  });
  requestFormRoutes(app, web);
  ticketRoutes(app, web);
  authRoutes(app, web);
  myRoutes(app, web);
  deskRoutes(app, web);
  deskReportRoutes(app, web);
  knowledgeRoutes(app, web);
  decisionRoutes(app, web);
  app.onError((error, c) => {
    // The database is away: 503 + Retry-After ("try again in a moment"), not "something went wrong".
    if (isDatabaseUnavailable(error)) return databaseUnavailable(c, error);
    web.deps.logger.error({ err: error, path: c.req.path }, 'web page failed');
    return render(c, <ServerErrorPage />, 500);
  });
  return app;
}

/**
 * hono's csrf() (Origin / Sec-Fetch-Site check) with a page instead of a bare "Forbidden".
 * The origin may be the one the browser used or the configured PUBLIC_URL (behind a proxy).
 */
function sameOrigin(publicUrl: string): MiddlewareHandler {
  const publicOrigin = new URL(publicUrl).origin;
  const check = csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin });
  return async (c, next) => {
    try {
      await check(c, next);
    } catch (error) {
      if (error instanceof HTTPException && error.status === 403) return render(c, <ForbiddenPostPage />, 403);
      throw error;
    }
  };
}

/** Each queue's catch-all request type ("Something else (IT)"), for a search nothing fits. */
function somethingElse(catalog: Catalog): Array<{ key: string; name: string }> {
  return Object.values(catalog.queues).flatMap((queue) => (queue.default_type && catalog.request_types[queue.default_type] ? [{ key: queue.default_type, name: catalog.request_types[queue.default_type]!.name }] : []));
}
