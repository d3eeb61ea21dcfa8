import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { searchKnowledge } from '../../knowledge/search.ts';
import { ARTICLES_DATASET } from './cards.ts';
import type { InvokeAnswer, TeamsTurn } from './platform.ts';

const searchValueSchema = z.looseObject({ queryText: z.string().default(''), dataset: z.string().default('') });

/** Teams shows at most 15 typeahead choices. */
const LIMIT = 15;

export const isArticleSearch = (value: unknown): boolean => searchValueSchema.safeParse(value).data?.dataset === ARTICLES_DATASET;

/**
 * Answers the Reply's article typeahead (`application/search`, dataset `kb`): the best
 * matching articles as { title, value: slug }.
 */
export async function answerArticleSearch(db: Db, ctx: TeamsTurn): Promise<InvokeAnswer> {
  const value = searchValueSchema.safeParse(ctx.activity.value);
  const query = value.success ? value.data.queryText.trim() : '';
  const hits = query.length >= 2 ? await searchKnowledge(db, { q: query, limit: LIMIT }) : [];
  return { status: 200, body: { type: 'application/vnd.microsoft.search.searchResponse', value: { results: hits.map((hit) => ({ title: hit.title, value: hit.slug })) } } };
}
