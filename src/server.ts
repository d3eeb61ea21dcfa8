import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { apiApp } from './api/app.ts';
import type { ApiEnv } from './api/context.ts';
import { apiError, onApiError } from './http/errors.ts';
import { databaseDeadline } from './http/unavailable.ts';
import { describeUnavailable, RETRY_AFTER_SECONDS } from './db/availability.ts';
import type { Channel, ChannelDeps } from './channels/types.ts';
import { migrationsApplied } from './db/migrate.ts';
import { logger } from './logger.ts';
import { scimApp } from './scim/app.ts';
import { httpDuration, httpRequests, registry } from './metrics.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerParts extends ChannelDeps {
  channels: Channel[];
  apiExtensions?: Array<(app: OpenAPIHono<ApiEnv>) => void>;
}

/** Build the Hono app from its parts: operations routes, the REST API and each channel's routes. */
export function buildServer(parts: ServerParts): Hono {
  const app = new Hono();
  app.use('*', requestId());
  app.use('*', observe);
  // While the database is away, a request answers 503 + Retry-After within ~2 s instead of waiting.
  app.use('*', databaseDeadline(parts.database, { skip: ['/healthz', '/readyz', '/metrics'] }));
  app.use('*', declaredBodyLimit(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => tooLarge(c) })));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await parts.database.ping(1_000);
      if (!(await withTimeout(migrationsApplied(parts.database), 1_000))) {
        return c.json({ status: 'unavailable', reason: 'database migrations are not applied' }, 503);
      }
      return c.json({ status: 'ready', database: parts.database.engine });
    } catch (error) {
      c.header('retry-after', String(RETRY_AFTER_SECONDS));
      return c.json({ status: 'unavailable', database: parts.database.engine, reason: `database unreachable: ${describeUnavailable(error)}` }, 503);
    }
  });
  app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));

  const api = apiApp({ core: parts.core, database: parts.database, catalog: parts.catalog, tokens: parts.config.apiTokens, extend: parts.apiExtensions ?? [] });
  app.route('/api/v1', api);
  // SCIM_TOKEN unset = SCIM off: /scim/v2/* is a plain 404.
  if (parts.config.scimToken) {
    app.route('/scim/v2', scimApp({ db: parts.core.db, token: parts.config.scimToken, publicUrl: parts.config.publicUrl, now: parts.core.now, logger }));
  }

  for (const channel of parts.channels) channel.routes?.(app);

  app.notFound((c) => (c.req.path.startsWith('/api/') ? apiError(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`) : c.text('Not found', 404)));
  app.onError((error, c) => onApiError(error, c));
  return app;
}

/**
 * hono's bodyLimit asks `c.req.raw.body` first, which makes @hono/node-server build the full web
 * Request and a ReadableStream over the socket for every POST (and the body is then read through
 * it): ~0.2 ms of a create. A body whose length is declared is judged by the header, as bodyLimit
 * itself does next, leaving node-server's direct read of the body; any other goes through bodyLimit.
 */
function declaredBodyLimit(limit: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return limit(c, next);
    if (Number.parseInt(length, 10) > MAX_BODY_BYTES) return tooLarge(c);
    await next();
  };
}

/** 413: JSON for API clients, a short page for browsers. */
function tooLarge(c: Context) {
  // The rest of the body is never read: close the connection after this answer, or the
  // client's next request on the same keep-alive socket is reset.
  c.header('connection', 'close');
  const message = `the request body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB`;
  if (!c.req.path.startsWith('/api/') && (c.req.header('accept') ?? '').includes('text/html')) {
    // Styled by the web channel's stylesheet; no user input is echoed.
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Too large · Switchboard</title><link rel="stylesheet" href="/assets/app.css"></head>` +
        `<body><header class="top"><a class="brand" href="/">Switchboard</a></header><main id="main"><h1>That was too large</h1><p class="lead">What you sent is over ${MAX_BODY_BYTES / 1024 / 1024} MiB, so nothing was saved.</p><p>Go back, shorten the text (or link to a file instead of pasting it) and send it again.</p></main></body></html>`,
      413,
      { 'cache-control': 'no-store' },
    );
  }
  return apiError(c, 413, 'payload_too_large', message);
}

/** Request log line with a request id, plus Prometheus counters by matched route. */
async function observe(c: Context, next: () => Promise<void>) {
  const started = performance.now();
  await next();
  const route = c.req.routePath && c.req.routePath !== '*' && c.req.routePath !== '/*' ? c.req.routePath : 'unmatched';
  const seconds = (performance.now() - started) / 1000;
  httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
  httpDuration.observe({ method: c.req.method, route }, seconds);
  if (c.req.path !== '/healthz' && c.req.path !== '/metrics') {
    logger.info({ reqId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1000) }, 'request');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
