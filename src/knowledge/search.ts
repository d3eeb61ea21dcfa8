import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import { TEXT_SEARCH_CONFIG } from './articles.ts';
import { fold, searchFeatures } from './index-sync.ts';

export interface KnowledgeQuery {
  q: string;
  /** Only articles for this request type (or for every type of its queue). */
  type?: string | undefined;
  queue?: string | undefined;
  limit?: number;
}

export interface KnowledgeHit {
  slug: string;
  title: string;
  lang: string;
  /** Plain text around the matching words. */
  snippet: string;
  /** The same with the matching words between \u0002 and \u0003, for highlighting. */
  marked: string;
  score: number;
}

export const MARK_START = '\u0002';

/** A query as search takes it: control characters and lone surrogates as spaces, at most 200 characters. */
export function cleanQuery(text: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips.
  return (text ?? '').replace(/[\u0000-\u001f]|\p{Cs}/gu, ' ').trim().slice(0, 200);
}
export const MARK_END = '\u0003';

/**
 * Full-text search over the articles, best first. Each article is matched with its own
 * language's configuration (a Spanish article with Spanish stemming); words are OR-ed so a
 * sentence like "my vpn keeps dropping" finds the VPN article, and ts_rank_cd rewards the
 * articles matching more of them, title words most (weights A > B > C > D). Where pg_trgm
 * exists, word_similarity against title and tags catches short and misspelt queries
 * ("pasword", "wifi"). unaccent folds "contraseña"/"contrasena" where it exists.
 */
export async function searchKnowledge(db: Db, query: KnowledgeQuery): Promise<KnowledgeHit[]> {
  const text = cleanQuery(query.q);
  if (!text) return [];
  const on = await searchFeatures(db);
  const limit = Math.min(Math.max(query.limit ?? 5, 1), 50);
  const folded = fold(text, on);
  // One tsquery per text-search configuration (a handful), not one per article: the
  // articles are then matched through the GIN index on `search`, and ranked only when they match.
  const configs = [...new Set([...Object.values(TEXT_SEARCH_CONFIG), 'simple'])];
  const configRows = sql.join(configs.map((config) => sql`(${config})`), sql`, `);
  const similarity = on.trigram ? sql`word_similarity(lower(${folded}), a.keywords)` : sql`0::real`;
  const filters = [];
  if (query.queue) filters.push(sql`(a.queues = '[]'::jsonb or a.queues ? ${query.queue.toUpperCase()})`);
  if (query.type) filters.push(sql`(a.types = '[]'::jsonb or a.types ? ${query.type})`);
  const where = filters.length ? sql`and ${sql.join(filters, sql` and `)}` : sql``;
  const rows = resultRows<{ slug: string; title: string; lang: string; headline: string | null; summary: string; score: number }>(
    await db.execute(sql`
      with q as (
        select c.config, nullif(replace(websearch_to_tsquery(c.config::regconfig, ${folded})::text, ' & ', ' | '), '')::tsquery as query
        from (values ${configRows}) as c(config)
      ), matched as (
        select a.slug, ts_rank_cd(a.search, q.query, 1) as rank
        from kb_articles a join q on q.config = a.config
        where q.query is not null and a.search @@ q.query ${where}
      ), fuzzy as (
        select a.slug, ${similarity} as sim from kb_articles a where ${on.trigram ? sql`true` : sql`false`} ${where}
      ), hits as (
        select a.slug, a.title, a.lang, a.summary, a.body, a.config, q.query,
               coalesce(m.rank, 0) * 2 + coalesce(s.sim, 0) as score
        from kb_articles a
        join q on q.config = a.config
        left join matched m on m.slug = a.slug
        left join fuzzy s on s.slug = a.slug
        where m.slug is not null or s.sim >= 0.45
        order by score desc, a.slug
        limit ${limit}
      )
      select slug, title, lang, summary, score,
             case when query is null then null
                  else ts_headline(config::regconfig, summary || ' ' || regexp_replace(body, '[#*_>|\`\\[\\]]+', ' ', 'g'), query,
                       ${`StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=" ... "`}) end as headline
      from hits
      order by score desc, slug`),
  );
  return rows.map((row) => {
    const marked = (row.headline ?? row.summary).replace(/\s+/g, ' ').trim();
    return {
      slug: row.slug,
      title: row.title,
      lang: row.lang,
      snippet: marked.replaceAll(MARK_START, '').replaceAll(MARK_END, ''),
      marked,
      score: Number(row.score),
    };
  });
}
