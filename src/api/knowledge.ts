import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { searchKnowledge } from '../knowledge/search.ts';
import type { ApiEnv } from './context.ts';
import { errorResponses } from './schemas.ts';

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

/** GET /api/v1/knowledge/search: articles best first. */
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
  };
}
