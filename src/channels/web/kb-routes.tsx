import { eq } from 'drizzle-orm';
import type { Hono } from 'hono';
import { kbArticles } from '../../db/schema.ts';
import { articleHtml } from '../../knowledge/render.ts';
import { SLUG_PATTERN } from '../../knowledge/articles.ts';
import { cleanQuery, searchKnowledge } from '../../knowledge/search.ts';
import { render, type WebContext } from './render.tsx';
import { NotFoundPage, UnreadableFormPage } from './views/notices.tsx';
import { ArticlePage, KnowledgeSearchPage, SolvedPage } from './views/knowledge.tsx';
import { readPostedForm } from './form-values.ts';
import { recordFeedback } from '../../knowledge/feedback.ts';


/** GET /kb (search) and GET /kb/:slug (an article, its Markdown rendered and sanitized). */
export function knowledgeRoutes(app: Hono, web: WebContext): void {
  app.get('/kb', async (c) => {
    const query = cleanQuery(c.req.query('q'));
    const hits = query ? await searchKnowledge(web.core.db, { q: query, limit: 10 }) : [];
    return render(c, <KnowledgeSearchPage query={query} hits={hits} />);
  });
  // As-you-type suggestions for the request form (kb-suggest.js). `t` is the form's token, so a
  // suggestion shown again to the same form is counted once.
  app.get('/kb/suggest', async (c) => {
    const query = cleanQuery(c.req.query('q'));
    const type = c.req.query('type') ?? '';
    const token = c.req.query('t') ?? '';
    if (query.length < 3) return c.json({ items: [] });
    const hits = await searchKnowledge(web.core.db, { q: query, type: Object.hasOwn(web.deps.catalog.request_types, type) ? type : undefined, limit: 3 });
    if (/^[A-Za-z0-9._~-]{8,200}$/.test(token)) {
      await recordFeedback(web.core.db, hits.map((hit) => ({ slug: hit.slug, channel: 'web', event: 'shown' as const, query, dedupeKey: `web:${token}:${hit.slug}:shown` })));
    }
    c.header('cache-control', 'no-store');
    return c.json({ items: hits.map((hit) => ({ slug: hit.slug, title: hit.title, snippet: hit.snippet, lang: hit.lang })) });
  });

  // "That solved it" from the request form: recorded with the email typed in the form, nothing filed.
  app.post('/kb/solved', async (c) => {
    const slug = c.req.query('slug') ?? '';
    const values = await readPostedForm(c);
    if (!values) return render(c, <UnreadableFormPage />, 400);
    const [row] = SLUG_PATTERN.test(slug) ? await web.core.db.select({ slug: kbArticles.slug, title: kbArticles.title }).from(kbArticles).where(eq(kbArticles.slug, slug)) : [];
    if (!row) return render(c, <NotFoundPage what="There is no help article at this address." />, 404);
    const email = /^[^\s@]{1,64}@[^\s@]{1,255}$/.test(values.requester_email ?? '') ? values.requester_email : undefined;
    await recordFeedback(web.core.db, [{ slug, channel: 'web', event: 'solved', email, query: values.kb_query ?? values.title ?? '', dedupeKey: values.token ? `web:${values.token}:${slug}:solved` : undefined }]);
    return render(c, <SolvedPage title={row.title} slug={row.slug} />);
  });

  app.get('/kb/:slug', async (c) => {
    const slug = c.req.param('slug');
    const [row] = SLUG_PATTERN.test(slug) ? await web.core.db.select().from(kbArticles).where(eq(kbArticles.slug, slug)) : [];
    if (!row) return render(c, <NotFoundPage what="There is no help article at this address." />, 404);
    const from = c.req.query('from');
    if (from === 'web' || from === 'slack' || from === 'teams' || from === 'email') await recordFeedback(web.core.db, [{ slug, channel: from, event: 'clicked' }]);
    return render(c, <ArticlePage article={{ slug: row.slug, title: row.title, lang: row.lang, html: articleHtml(row.body), updatedAt: row.updatedAt }} />);
  });
}
