import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { Invalid } from '../core/errors.ts';
import { deflectionReport } from '../knowledge/feedback.ts';
import { searchKnowledge } from '../knowledge/search.ts';
import type { ApiEnv } from './context.ts';
import { errorResponses, isoInstant } from './schemas.ts';

const SearchQuery = z.object({
  q: z.string().min(1).max(200).openapi({ description: 'what the person is looking for, in their words', example: 'my vpn keeps dropping' }),
  type: z.string().max(100).optional().openapi({ description: 'only articles for this request type' }),
  queue: z.string().max(10).optional().openapi({ description: 'only articles for this queue' }),
  limit: z.coerce.number().int().min(1).max(50).default(5),
});

const Hit = z
  .object({
    slug: z.string(),
    title: z.string(),
    snippet: z.string().openapi({ description: 'plain text around the matching words' }),
    url: z.string().openapi({ description: 'the article page' }),
    lang: z.string(),
  })
  .openapi('KnowledgeHit');

const instant = z.string().max(40).pipe(isoInstant);
const DeflectionQuery = z.object({ from: instant.optional(), to: instant.optional() });
const DeflectionRow = z.object({
  slug: z.string(),
  title: z.string().nullable(),
  channel: z.string(),
  shown: z.number().int(),
  clicked: z.number().int(),
  solved: z.number().int(),
  filedAnyway: z.number().int(),
  pending: z.number().int().openapi({ description: 'said solved, nothing filed, the window not over yet' }),
  deflected: z.number().int().openapi({ description: 'said solved and filed nothing on the subject within windowDays' }),
});
const Deflection = z
  .object({
    from: z.string(),
    to: z.string(),
    windowDays: z.number().int(),
    items: z.array(DeflectionRow),
    notHelping: z.array(z.object({ slug: z.string(), title: z.string().nullable(), shown: z.number().int(), filedAnyway: z.number().int() })),
  })
  .openapi('DeflectionReport');

/** GET /api/v1/knowledge/search (articles best first) and GET /api/v1/reports/deflection. */
export function knowledgeRoutes(publicUrl: string) {
  const base = publicUrl.replace(/\/+$/, '');
  return (app: OpenAPIHono<ApiEnv>): void => {
    app.openapi(
      createRoute({
        method: 'get',
        path: '/knowledge/search',
        tags: ['knowledge'],
        summary: 'Search the knowledge base (full-text per article language, trigram similarity for typos)',
        request: { query: SearchQuery },
        responses: { 200: { description: 'Matching articles, best first', content: { 'application/json': { schema: z.object({ items: z.array(Hit) }) } } }, ...errorResponses },
      }),
      async (c) => {
        const query = c.req.valid('query');
        const hits = await searchKnowledge(c.var.core.db, query);
        return c.json({ items: hits.map((hit) => ({ slug: hit.slug, title: hit.title, snippet: hit.snippet, url: `${base}/kb/${hit.slug}`, lang: hit.lang })) }, 200);
      },
    );
    app.openapi(
      createRoute({
        method: 'get',
        path: '/reports/deflection',
        tags: ['reports'],
        summary: 'Per article and channel: suggestions shown, clicked, solved, filed anyway, and requests honestly deflected',
        request: { query: DeflectionQuery },
        responses: { 200: { description: 'Deflection figures and the articles that do not help', content: { 'application/json': { schema: Deflection } } }, ...errorResponses },
      }),
      async (c) => {
        const query = c.req.valid('query');
        const now = c.var.core.now();
        const to = query.to ?? now;
        const from = query.from ?? new Date(to.getTime() - 30 * 86_400_000);
        if (from.getTime() >= to.getTime()) throw new Invalid('`from` must be before `to`', [{ path: 'from', message: 'must be before to' }]);
        return c.json(await deflectionReport(c.var.core.db, { from, to, now }), 200);
      },
    );
  };
}
