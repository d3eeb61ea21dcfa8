import type { Context, MiddlewareHandler } from 'hono';
import { DatabaseUnavailable, describeUnavailable, RETRY_AFTER_SECONDS } from '../db/availability.ts';
import type { Database } from '../db/client.ts';
import { logger } from '../logger.ts';
import { databaseUnavailableResponses } from '../metrics.ts';

/**
 * 503 + Retry-After while the database is away: JSON `{error}` for API clients and machines, a
 * short page for browsers. The one answer for every door (API, web form, platform webhooks).
 */
export function databaseUnavailable(c: Context, error?: unknown) {
  // No log line per request (the request log has the 503); the reason goes to debug.
  databaseUnavailableResponses.inc();
  if (error !== undefined) logger.debug({ path: c.req.path, reason: describeUnavailable(error) }, 'answered 503: database unavailable');
  c.header('retry-after', String(RETRY_AFTER_SECONDS));
  c.header('cache-control', 'no-store');
  const message = `the database is unavailable right now; nothing was saved by this request. Retry in ${RETRY_AFTER_SECONDS} s.`;
  if (!c.req.path.startsWith('/api/') && (c.req.header('accept') ?? '').includes('text/html')) {
    // Styled by the web channel's stylesheet; no user input is echoed.
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Try again shortly · Switchboard</title><link rel="stylesheet" href="/assets/app.css"></head>` +
        `<body><header class="top"><a class="brand" href="/">Switchboard</a></header><main id="main"><h1>Please try again in a moment</h1><p class="lead">Switchboard cannot reach its database right now, so nothing was saved.</p><p>Wait a few seconds, then reload this page, or go back and send the form again.</p></main></body></html>`,
      503,
    );
  }
  return c.json({ error: { code: 'unavailable', message } }, 503);
}

export interface DeadlineOptions {
  /** How long a request runs before we ask whether the database is there. */
  afterMs?: number;
  /** How long that question may take; no answer counts as "away". */
  probeMs?: number;
  /** Paths that bound themselves (/readyz answers with its own reason). */
  skip?: string[];
}

/**
 * A bounded wait while the database is away. postgres.js queues a query until some connection
 * attempt takes it, so with the server gone a request can wait many seconds for its error. A
 * request still running after `afterMs` asks the shared probe; if the database is unreachable the
 * client gets its 503 now instead of a long wait. A request that is merely slow (a big report)
 * on a healthy database is left alone.
 *
 * Like hono's timeout middleware, the handler is not cancelled: if the database comes back before
 * its queries fail, its work may still complete. Idempotency keys make the client's retry safe.
 */
export function databaseDeadline(database: Database, options: DeadlineOptions = {}): MiddlewareHandler {
  const afterMs = options.afterMs ?? 800;
  const probeMs = options.probeMs ?? 250;
  const skip = new Set(options.skip ?? []);
  return async (c, next) => {
    if (skip.has(c.req.path)) return next();
    let timer: NodeJS.Timeout | undefined;
    const work = next();
    const late = (ms: number) =>
      new Promise<'late'>((resolve) => {
        clearTimeout(timer);
        timer = setTimeout(() => resolve('late'), ms);
      });
    const startedAt = Date.now();
    try {
      if ((await Promise.race([work, late(afterMs)])) !== 'late') return;
      // Keep asking while the request runs: the database can go away after a first healthy
      // answer (or the shared probe's answer can be a moment old), and the wait stays bounded.
      for (;;) {
        const health = await Promise.race([
          database.probe(),
          new Promise<{ ok: false; reason: string }>((resolve) => setTimeout(() => resolve({ ok: false, reason: `no answer within ${probeMs} ms` }), probeMs)),
        ]);
        if (!health.ok) {
          // Whatever the handler does later, this client has its answer.
          work.catch(() => {});
          throw new DatabaseUnavailable(`database unreachable: ${health.reason}`);
        }
        // The server is back, but this request started before a connection was lost: it may be
        // waiting on that dead connection until a timeout. Answer now; the retry is safe.
        if (database.lastConnectionLoss() >= startedAt - afterMs) {
          work.catch(() => {});
          throw new DatabaseUnavailable('a database connection was lost while this request ran');
        }
        if ((await Promise.race([work, late(afterMs / 2)])) !== 'late') return;
      }
    } finally {
      clearTimeout(timer);
    }
  };
}
