import { eq } from 'drizzle-orm';
import type { Hono } from 'hono';
import { kbArticles } from '../../db/schema.ts';
import { articleHtml } from '../../knowledge/render.ts';
import { searchKnowledge } from '../../knowledge/search.ts';
import { render, type WebContext } from './render.tsx';
import { NotFoundPage } from './views/notices.tsx';
import { ArticlePage, KnowledgeSearchPage } from './views/knowledge.tsx';

const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** GET /kb (search) and GET /kb/:slug (an article, its Markdown rendered and sanitized). */
export function knowledgeRoutes(app: Hono, web: WebContext): void {
  app.get('/kb', async (c) => {
    const query = (c.req.query('q') ?? '').replace(/[\u0000-\u001f]|\p{Cs}/gu, ' ').trim().slice(0, 200);
    const hits = query ? await searchKnowledge(web.core.db, { q: query, limit: 10 }) : [];
    return render(c, <KnowledgeSearchPage query={query} hits={hits} />);
  });
  app.get('/kb/:slug', async (c) => {
    const slug = c.req.param('slug');
    const [row] = SLUG.test(slug) ? await web.core.db.select().from(kbArticles).where(eq(kbArticles.slug, slug)) : [];
    if (!row) return render(c, <NotFoundPage what="There is no help article at this address." />, 404);
    return render(c, <ArticlePage article={{ slug: row.slug, title: row.title, lang: row.lang, html: articleHtml(row.body), updatedAt: row.updatedAt }} />);
  });
}
