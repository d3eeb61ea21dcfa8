import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import { fold, searchFeatures, type SearchFeatures } from './index-sync.ts';

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

/** Words longer than this are not spell-corrected (and fuzzystrmatch stops at 255). */
const MAX_CORRECTED_WORD = 40;

interface Neighbour {
  word: string;
  sim: number;
  dist: number | null;
  ndoc: number;
}

/** `b` is `a` with two neighbouring letters swapped ("vnp", "vpn"): one slip, which edit distance counts as two. */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const at = [...a].findIndex((ch, i) => ch !== b[i]);
  return at >= 0 && at < a.length - 1 && a[at] === b[at + 1] && a[at + 1] === b[at] && a.slice(at + 2) === b.slice(at + 2);
}

/**
 * The vocabulary word a misspelt word most likely meant, among its trigram neighbours: the
 * fewest edits, allowed as Elasticsearch's `fuzziness: AUTO` allows them (one for words of 3 to
 * 5 letters, two for longer ones, a swap of neighbouring letters counting as one), then the
 * most similar, then the most used. Without fuzzystrmatch: trigram similarity of at least 0.4.
 */
function likeliest(word: string, near: Neighbour[]): string | null {
  const maxEdits = word.length <= 5 ? 1 : 2;
  const fits = near.filter((n) => (n.dist === null ? n.sim >= 0.4 : n.dist <= maxEdits || (n.dist === 2 && isTransposition(word, n.word))));
  fits.sort((a, b) => (a.dist ?? 0) - (b.dist ?? 0) || b.sim - a.sim || b.ndoc - a.ndoc);
  return fits[0]?.word ?? null;
}

/**
 * The query's words as the articles spell them, added to the query: a word no title, tag or
 * summary uses is joined to the one after it when the pair is such a word ("log in" → login,
 * "wi fi" → wifi), else replaced by its likeliest neighbour ("passwrd" → password). The
 * neighbours come from the trigram index on kb_words, so this costs a few index probes.
 */
async function spelledLikeTheArticles(db: Db, text: string, on: SearchFeatures): Promise<string> {
  if (!on.trigram) return text;
  const distance = on.editDistance ? sql`levenshtein_less_equal(k.word, t.w, 3)` : sql`null::int`;
  const rows = resultRows<{ w: string; known: boolean; joined: string | null; near: Neighbour[] | null }>(
    await db.execute(sql`
      with split as (
        select x.w, x.ord from regexp_split_to_table(lower(${fold(text, on)}), '[^[:alnum:]]+') with ordinality as x(w, ord)
      ), t as (
        select w, row_number() over (order by ord) as ord from split where w <> '' and length(w) <= ${MAX_CORRECTED_WORD}
      )
      select t.w,
             exists (select 1 from kb_words k where k.word = t.w) as known,
             (select k.word from t n join kb_words k on k.word = t.w || n.w where n.ord = t.ord + 1) as joined,
             case when length(t.w) >= 3 and not exists (select 1 from kb_words k where k.word = t.w) then
               (select json_agg(json_build_object('word', c.word, 'sim', c.sim, 'dist', c.dist, 'ndoc', c.ndoc))
                from (select k.word, k.ndoc, similarity(k.word, t.w) as sim, ${distance} as dist
                      from kb_words k order by k.word <-> t.w limit 8) c)
             end as near
      from t order by t.ord`),
  );
  const extra: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.joined) {
      extra.push(row.joined);
      if (!row.known) {
        i++;
        continue;
      }
    }
    const better = row.near ? likeliest(row.w, row.near) : null;
    if (better) extra.push(better);
  }
  return extra.length ? `${text} ${extra.join(' ')}` : text;
}

/**
 * Full-text search over the articles, best first. Each article is matched with its own
 * language's configuration (a Spanish article with Spanish stemming), and the query is read
 * with each configuration in use.
 *
 * - Misspelt words are first spelt as the articles spell them (see spelledLikeTheArticles).
 * - Words are OR-ed, so "my vpn keeps dropping" finds the VPN article. An article scores, for
 *   each query word it holds, the word's inverse document frequency (kb_lexemes) times where it
 *   holds it: title 1, tags 0.7, summary 0.4, body 0.25. A rare word ("seat") outweighs a word
 *   half the articles use ("change").
 * - A common word (in more than a tenth of the articles, and more than 20) counts only in a
 *   title or the tags (`heading`, its own GIN index), where the article's author put it on
 *   purpose. So every match comes from an index probe, without reading the thousands of
 *   articles that merely mention a common word in their text, none of which it would single
 *   out. In a knowledge base of up to 20 articles every word counts everywhere.
 * unaccent folds "contraseña"/"contrasena" where it exists.
 */
export async function searchKnowledge(db: Db, query: KnowledgeQuery): Promise<KnowledgeHit[]> {
  const text = cleanQuery(query.q);
  if (!text) return [];
  const on = await searchFeatures(db);
  const limit = Math.min(Math.max(query.limit ?? 5, 1), 50);
  const folded = fold(await spelledLikeTheArticles(db, text, on), on);
  const filters = [];
  if (query.queue) filters.push(sql`(a.queues = '[]'::jsonb or a.queues ? ${query.queue.toUpperCase()})`);
  if (query.type) filters.push(sql`(a.types = '[]'::jsonb or a.types ? ${query.type})`);
  const where = filters.length ? sql`and ${sql.join(filters, sql` and `)}` : sql``;
  const rows = resultRows<{ slug: string; title: string; lang: string; headline: string | null; summary: string; score: number }>(
    await db.execute(sql`
      with configs as materialized (
        select config, ndoc as total from kb_lexemes where lexeme = ''
      ), words as materialized (
        select c.config, c.total, x.lexeme
        from configs c cross join lateral unnest(tsvector_to_array(to_tsvector(c.config::regconfig, ${folded}))) as x(lexeme)
      ), terms as materialized (
        select w.config, w.lexeme, ln((w.total + 1.0) / (l.ndoc + 0.5)) as idf, e.lit,
               (select sum(g.ndoc) from kb_lexemes g where g.lexeme = w.lexeme) <= greatest((select sum(total) from configs) * 0.1, 20) as rare,
               e.lit::tsquery as q, (e.lit || ':A')::tsquery as qa, (e.lit || ':B')::tsquery as qb, (e.lit || ':C')::tsquery as qc
        from words w
        join kb_lexemes l on l.config = w.config and l.lexeme = w.lexeme
        cross join lateral (select '''' || replace(replace(w.lexeme, '\\', '\\\\'), '''', '''''') || '''' as lit) e
      ), hits as (
        select a.slug, t.lexeme, t.idf * case when a.heading @@ t.qa then 1.0 else 0.7 end as s
        from terms t cross join lateral (select a.slug, a.heading from kb_articles a where a.config = t.config and a.heading @@ t.q ${where}) a
        union all
        select a.slug, t.lexeme,
               t.idf * case when a.search @@ t.qa then 1.0 when a.search @@ t.qb then 0.7 when a.search @@ t.qc then 0.4 else 0.25 end as s
        from terms t cross join lateral (select a.slug, a.search from kb_articles a where a.config = t.config and a.search @@ t.q ${where}) a
        where t.rare
      ), scored as (
        select slug, sum(s) as score from (select slug, lexeme, max(s) as s from hits group by slug, lexeme) per_word
        group by slug
        order by score desc, slug
        limit ${limit}
      ), q as (
        select config, string_agg(lit, ' | ')::tsquery as anything from terms group by config
      )
      select a.slug, a.title, a.lang, a.summary, s.score,
             ts_headline(a.config::regconfig, a.summary || ' ' || regexp_replace(a.body, '[#*_>|\`\\[\\]]+', ' ', 'g'), q.anything,
                         ${`StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=1, FragmentDelimiter=" ... "`}) as headline
      from scored s join kb_articles a on a.slug = s.slug join q on q.config = a.config
      where s.score > 0
      order by s.score desc, a.slug`),
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
