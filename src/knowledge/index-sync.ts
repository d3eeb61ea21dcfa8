import fs from 'node:fs';
import { notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import { kbArticles } from '../db/schema.ts';
import { loadKnowledgeDir, type Article, type KnowledgeProblem } from './articles.ts';

/** Which optional extensions this database has (pg_trgm, unaccent, fuzzystrmatch), asked once per database. */
export interface SearchFeatures {
  trigram: boolean;
  unaccent: boolean;
  editDistance: boolean;
}

const features = new WeakMap<object, Promise<SearchFeatures>>();

export function searchFeatures(db: Db): Promise<SearchFeatures> {
  let known = features.get(db);
  if (!known) {
    known = db
      .execute(sql`select extname from pg_extension where extname in ('pg_trgm', 'unaccent', 'fuzzystrmatch')`)
      .then((result) => {
        const names = new Set(resultRows<{ extname: string }>(result).map((row) => row.extname));
        return { trigram: names.has('pg_trgm'), unaccent: names.has('unaccent'), editDistance: names.has('fuzzystrmatch') };
      });
    known.catch(() => features.delete(db));
    features.set(db, known);
  }
  return known;
}

/** `unaccent(value)` where the extension exists, else the value itself. */
export function fold(value: unknown, on: SearchFeatures) {
  return on.unaccent ? sql`unaccent(${value})` : sql`${value}`;
}

export interface SyncResult {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

/**
 * Make kb_articles hold exactly `articles`: new and changed ones (by content digest) are
 * written with their weighted search vector, removed ones deleted, and the word statistics
 * search uses (kb_words, kb_lexemes) rebuilt from what is then indexed. One transaction.
 */
export async function syncKnowledge(db: Db, articles: Article[]): Promise<SyncResult> {
  const on = await searchFeatures(db);
  return db.transaction(async (tx) => {
    const existing = new Map((await tx.select({ slug: kbArticles.slug, digest: kbArticles.digest }).from(kbArticles)).map((row) => [row.slug, row.digest]));
    const result: SyncResult = { added: 0, updated: 0, removed: 0, unchanged: 0 };
    for (const article of articles) {
      const before = existing.get(article.slug);
      if (before === article.digest) {
        result.unchanged++;
        continue;
      }
      if (before === undefined) result.added++;
      else result.updated++;
      const config = sql.raw(`'${article.config}'::regconfig`);
      const vector = sql`setweight(to_tsvector(${config}, ${fold(article.title, on)}), 'A')
        || setweight(to_tsvector(${config}, ${fold(article.tags.join(' '), on)}), 'B')
        || setweight(to_tsvector(${config}, ${fold(article.summary, on)}), 'C')
        || setweight(to_tsvector(${config}, ${fold(article.text, on)}), 'D')`;
      const keywords = `${article.title} ${article.tags.join(' ')}`.toLowerCase();
      const values = {
        title: article.title,
        summary: article.summary,
        body: article.body,
        lang: article.lang,
        config: article.config,
        queues: article.queues,
        types: article.types,
        tags: article.tags,
        search: vector as unknown as string,
        heading: sql`setweight(to_tsvector(${config}, ${fold(article.title, on)}), 'A') || setweight(to_tsvector(${config}, ${fold(article.tags.join(' '), on)}), 'B')` as unknown as string,
        keywords: (on.unaccent ? sql`unaccent(${keywords})` : keywords) as unknown as string,
        digest: article.digest,
        updatedAt: new Date(),
      };
      await tx.insert(kbArticles).values({ slug: article.slug, ...values }).onConflictDoUpdate({ target: kbArticles.slug, set: values });
    }
    const keep = articles.map((a) => a.slug);
    const removed = await tx
      .delete(kbArticles)
      .where(keep.length ? notInArray(kbArticles.slug, keep) : sql`true`)
      .returning({ slug: kbArticles.slug });
    result.removed = removed.length;
    const [stats] = resultRows<{ present: boolean }>(await tx.execute(sql`select exists (select 1 from kb_lexemes) as present`));
    if (result.added || result.updated || result.removed || !stats?.present) await rebuildWordStatistics(tx, on);
    return result;
  });
}

/**
 * The vocabulary (words of titles, tags and summaries, folded like `keywords`) and each
 * configuration's lexeme document frequencies, from the indexed articles as they now are.
 */
async function rebuildWordStatistics(tx: Pick<Db, 'execute'>, on: SearchFeatures): Promise<void> {
  const summary = on.unaccent ? sql`lower(unaccent(a.summary))` : sql`lower(a.summary)`;
  await tx.execute(sql`delete from kb_words`);
  await tx.execute(sql`
    insert into kb_words (word, ndoc)
    select w, count(distinct a.slug)::int
    from kb_articles a, regexp_split_to_table(a.keywords || ' ' || ${summary}, '[^[:alnum:]]+') as w
    where length(w) >= 2
    group by w`);
  await tx.execute(sql`delete from kb_lexemes`);
  const configs = resultRows<{ config: string; n: number }>(await tx.execute(sql`select config, count(*)::int as n from kb_articles group by config`));
  for (const { config, n } of configs) {
    await tx.execute(sql`insert into kb_lexemes (config, lexeme, ndoc) values (${config}, '', ${n})`);
    await tx.execute(sql`
      insert into kb_lexemes (config, lexeme, ndoc)
      select ${config}, s.word, s.ndoc from ts_stat(${`select search from kb_articles where config = '${config.replace(/'/g, "''")}'`}) as s
      where s.word <> ''`);
  }
}

export interface KnowledgeWatch {
  close(): void;
}

/**
 * Reload the folder when a file in it changes (debounced). Bad files are reported through
 * `onProblems` and left out; the others stay searchable.
 */
export function watchKnowledge(
  db: Db,
  dir: string,
  hooks: { onSynced?: (result: SyncResult) => void; onProblems?: (problems: KnowledgeProblem[]) => void; onError?: (error: unknown) => void },
  debounceMs = 300,
): KnowledgeWatch {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const reload = () => {
    running = running.then(async () => {
      try {
        const { articles, problems } = loadKnowledgeDir(dir);
        if (problems.length) hooks.onProblems?.(problems);
        hooks.onSynced?.(await syncKnowledge(db, articles));
      } catch (error) {
        hooks.onError?.(error);
      }
    });
  };
  let watcher: fs.FSWatcher | null = null;
  try {
    watcher = fs.watch(dir, { persistent: false }, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(reload, debounceMs);
    });
    watcher.on('error', (error) => hooks.onError?.(error));
  } catch (error) {
    hooks.onError?.(error);
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
