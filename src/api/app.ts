import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { CoreContext } from '../core/tickets.ts';
import type { Catalog } from '../core/catalog.ts';
import { createWebhook, deleteWebhook, listWebhooks, webhookInputSchema, webhookView } from '../core/webhooks.ts';
import type { Database } from '../db/client.ts';
import { listDeadLetters, requeueDeadLetter } from '../outbox/dead-letters.ts';
import type { ApiEnv } from './context.ts';
import { apiError, validationHook } from '../http/errors.ts';
import { errorResponses, IdParam } from './schemas.ts';
import { docsRoutes } from './docs.ts';
import { idempotencyGuard } from './idempotency.ts';
import { ticketRoutes } from './tickets.ts';
import { approvalRoutes } from './approvals.ts';

export interface ApiOptions {
  core: CoreContext;
  database: Database;
  catalog: Catalog;
  tokens: string[];
  /** Extra route groups mounted under /api/v1 (e.g. reports). */
  extend?: Array<(app: OpenAPIHono<ApiEnv>) => void>;
}

/** /api/v1: bearer-token REST over the core commands, with OpenAPI generated from the zod schemas. */
export function apiApp(options: ApiOptions): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer' });

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Switchboard API', version: '1.0.0', description: 'Internal service desk: tickets, timeline, catalog, webhooks.' },
    security: [{ Bearer: [] }],
    servers: [{ url: '/api/v1' }],
  });
  // Offline Swagger UI from the pinned swagger-ui-dist; off (404) when the API is off.
  docsRoutes(app, options.tokens.length > 0);

  app.use('*', async (c, next) => {
    c.set('core', options.core);
    c.set('database', options.database);
    c.set('catalog', options.catalog);
    await next();
  });
  // '/tickets/*' matches '/tickets' too: one registration each, or the check (and the
  // Idempotency-Key claim) ran twice on every create.
  app.use('/tickets/*', bearerAuth(options.tokens));
  app.use('/agents/*', bearerAuth(options.tokens));
  app.use('/catalog', bearerAuth(options.tokens));
  app.use('/webhooks/*', bearerAuth(options.tokens));
  app.use('/deliveries/*', bearerAuth(options.tokens));
  app.use('/reports/*', bearerAuth(options.tokens));

  app.route('/', ticketRoutes());
  app.route('/', approvalRoutes());
  adminRoutes(app);
  for (const extend of options.extend ?? []) extend(app);
  return app;
}

/** Constant-time bearer check; the token's hash namespaces Idempotency-Key per client. */
function bearerAuth(tokens: string[]): MiddlewareHandler<ApiEnv> {
  const digests = tokens.map((t) => createHash('sha256').update(t).digest());
  return async (c, next) => {
    if (!digests.length) return apiError(c, 404, 'api_disabled', 'the REST API is off; set API_TOKENS to turn it on');
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) return apiError(c, 401, 'unauthorized', 'send Authorization: Bearer <token> (one of API_TOKENS)');
    const digest = createHash('sha256').update(match[1]!.trim()).digest();
    if (!digests.some((d) => timingSafeEqual(d, digest))) return apiError(c, 401, 'unauthorized', 'the bearer token is not valid');
    const client = digest.toString('hex').slice(0, 12);
    const key = c.req.header('idempotency-key');
    c.set('idempotencyKey', (operation: string) => (key ? `api:${client}:${operation}:${key}` : undefined));
    return idempotencyGuard(c, next, client);
  };
}

function adminRoutes(app: OpenAPIHono<ApiEnv>) {
  app.openapi(
    createRoute({ method: 'get', path: '/catalog', tags: ['catalog'], summary: 'Queues and request types', responses: { 200: { description: 'The catalog', content: { 'application/json': { schema: z.object({ queues: z.array(z.record(z.string(), z.unknown())), requestTypes: z.array(z.record(z.string(), z.unknown())) }) } } }, ...errorResponses } }),
    (c) => c.json(catalogView(c.var.catalog), 200),
  );

  const WebhookOut = z.object({ id: z.number(), url: z.string(), events: z.array(z.string()), includeInternal: z.boolean(), active: z.boolean(), createdAt: z.string(), secret: z.string().optional() }).openapi('WebhookSubscription');
  app.openapi(
    createRoute({ method: 'get', path: '/webhooks', tags: ['webhooks'], summary: 'List webhook subscriptions', responses: { 200: { description: 'Subscriptions', content: { 'application/json': { schema: z.object({ items: z.array(WebhookOut) }) } } }, ...errorResponses } }),
    async (c) => c.json({ items: (await listWebhooks(c.var.core.db)).map((s) => webhookView(s, { withSecret: false })) }, 200),
  );
  app.openapi(
    createRoute({ method: 'post', path: '/webhooks', tags: ['webhooks'], summary: 'Subscribe a URL; the answer carries the signing secret once', request: { body: { required: true, content: { 'application/json': { schema: webhookInputSchema } } } }, responses: { 201: { description: 'The subscription, with its secret', content: { 'application/json': { schema: WebhookOut } } }, ...errorResponses } }),
    async (c) => c.json(webhookView(await createWebhook(c.var.core.db, c.req.valid('json')), { withSecret: true }), 201),
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/webhooks/{id}', tags: ['webhooks'], summary: 'Remove a subscription', request: { params: IdParam }, responses: { 204: { description: 'Removed' }, ...errorResponses } }),
    async (c) => {
      await deleteWebhook(c.var.core.db, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  const DeadLetter = z.object({ id: z.number(), ticket: z.string(), eventId: z.number(), channel: z.string(), audience: z.string(), attempts: z.number(), lastError: z.string().nullable(), createdAt: z.string() }).openapi('DeadLetter');
  app.openapi(
    createRoute({ method: 'get', path: '/deliveries/dead', tags: ['deliveries'], summary: 'Dead-lettered deliveries', responses: { 200: { description: 'Dead letters, newest first', content: { 'application/json': { schema: z.object({ items: z.array(DeadLetter) }) } } }, ...errorResponses } }),
    async (c) => c.json({ items: await listDeadLetters(c.var.core.db) }, 200),
  );
  app.openapi(
    createRoute({ method: 'post', path: '/deliveries/{id}/requeue', tags: ['deliveries'], summary: 'Re-queue a dead-lettered delivery', request: { params: IdParam }, responses: { 202: { description: 'Queued again', content: { 'application/json': { schema: z.object({ id: z.number(), status: z.literal('pending') }) } } }, ...errorResponses } }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requeueDeadLetter(c.var.core.db, id, c.var.core.now());
      return c.json({ id, status: 'pending' as const }, 202);
    },
  );
}

export function catalogView(catalog: Catalog) {
  return {
    queues: Object.entries(catalog.queues).map(([key, q]) => ({ key, name: q.name, calendar: q.calendar, timezone: catalog.calendars[q.calendar]?.timezone ?? null, mailbox: q.mailbox ?? null })),
    requestTypes: Object.entries(catalog.request_types).map(([key, t]) => ({ key, queue: t.queue, name: t.name, description: t.description, defaultPriority: t.default_priority, fields: t.fields, sla: t.sla })),
  };
}
