import { and, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { resultRows } from '../db/migrate.ts';
import { tickets } from '../db/schema.ts';
import { SEARCH_CONFIG } from './search-index.ts';

/**
 * Full-text search over the desk's index (ticket_search, kept by src/core/search-index.ts), the
 * same SQL on Postgres and PGlite: `websearch_to_tsquery` ("quoted phrases", or, -not), the
 * `desk_search` configuration (english stems, unaccent), `ts_rank` and `ts_headline`.
 *
 * Ranking is over the newest RANKED_AMONG matches: a rare word ranks every ticket that has it; a
 * word in half a million tickets ranks the newest thousand of them instead of reading all of their
 * documents (what keeps a common-word search fast at a million tickets; the bench shows both).
 */
export const RANKED_AMONG = 1000;

export interface SearchScope {
  q: string;
  /** Internal notes too: for agents (and the API), never for requesters. */
  includeInternal: boolean;
}

const tsquery = (q: string) => sql`websearch_to_tsquery(${SEARCH_CONFIG}::regconfig, ${q.slice(0, 200)})`;

function matches(scope: SearchScope, alias: SQL): SQL {
  const query = tsquery(scope.q);
  return scope.includeInternal ? sql`(${alias}.public_doc @@ ${query} or ${alias}.internal_doc @@ ${query})` : sql`${alias}.public_doc @@ ${query}`;
}

/** A condition on `tickets` for lists sorted otherwise than by rank. */
export function searchCondition(scope: SearchScope): SQL {
  return sql`exists (select 1 from ticket_search s where s.ticket_id = ${tickets.id} and ${matches(scope, sql`s`)})`;
}

/** A word in at least this share of tickets is common: walking tickets newest first finds RANKED_AMONG hits soon. */
const COMMON_SHARE = 0.02;

/**
 * The share of tickets holding the rarest word of the query, from the planner's statistics
 * (pg_stats most_common_elems of the index): 0 when a word is not among the common ones, or
 * before the first ANALYZE. Postgres' own estimate for a rare word is too high to trust: with
 * it, the planner walks a million documents newest first looking for the newest thousand hits.
 */
async function rarestShare(db: Db, q: string): Promise<number> {
  const rows = resultRows<{ share: number | null }>(
    await db.execute(sql`
      with words as (select unnest(tsvector_to_array(to_tsvector(${SEARCH_CONFIG}::regconfig, ${q.slice(0, 200)}))) as word),
      common as (
        select e.elem, max(e.freq) as freq
        from pg_stats st, unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) as e(elem, freq)
        where st.tablename = 'ticket_search' and st.attname in ('public_doc', 'internal_doc')
        group by e.elem)
      select min(coalesce(c.freq, 0)) as share from words w left join common c on c.elem = w.word`),
  );
  return Number(rows[0]?.share ?? 0);
}

/** Ids of the matching tickets, best first, `limit` of them from `offset`. */
export async function searchTicketIds(db: Db, scope: SearchScope, where: SQL[], offset: number, limit: number): Promise<number[]> {
  const query = tsquery(scope.q);
  // A common word: walk the tickets newest first until RANKED_AMONG hits (the primary key's order).
  // A rare one: every hit from the GIN index, then sorted ("+ 0" keeps the planner off the walk).
  const common = (await rarestShare(db, scope.q)) >= COMMON_SHARE;
  const newestFirst = common ? sql`s.ticket_id desc` : sql`s.ticket_id + 0 desc`;
  const document = scope.includeInternal ? sql`(h.public_doc || h.internal_doc)` : sql`h.public_doc`;
  const filtered = where.length ? sql`and ${and(...where)}` : sql``;
  const rows = resultRows<{ id: number }>(
    await db.execute(sql`
      with hits as materialized (
        select s.ticket_id, s.public_doc, s.internal_doc
        from ticket_search s join ${tickets} on ${tickets.id} = s.ticket_id
        where ${matches(scope, sql`s`)} ${filtered}
        order by ${newestFirst}
        limit ${RANKED_AMONG}
      )
      select h.ticket_id as id from hits h
      order by ts_rank(${document}, ${query}) desc, h.ticket_id desc
      offset ${offset} limit ${limit}`),
  );
  return rows.map((r) => Number(r.id));
}

const HEADLINE_OPTIONS = 'StartSel=\u0001, StopSel=\u0002, MaxWords=24, MinWords=8, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "';

/**
 * A highlighted passage per ticket: title, description and the comments that match (internal
 * ones only in an internal scope). Hits sit between \u0001 and \u0002; the text is NOT escaped.
 */
export async function snippetsFor(db: Db, scope: SearchScope, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const query = tsquery(scope.q);
  const visible = scope.includeInternal ? sql`true` : sql`e.visibility = 'public'`;
  const rows = resultRows<{ id: number; snippet: string }>(
    await db.execute(sql`
      select t.id, ts_headline(${SEARCH_CONFIG}::regconfig,
        left(t.title || E'\n' || t.description || E'\n' || coalesce((
          select string_agg(c.body, E'\n' order by c.id) from (
            select e.id, left(e.body, 10000) as body from ticket_events e
            where e.ticket_id = t.id and e.type = 'comment' and ${visible}
              and to_tsvector(${SEARCH_CONFIG}::regconfig, left(e.body, 10000)) @@ ${query}
            order by e.id limit 3) c), ''), 30000),
        ${query}, ${HEADLINE_OPTIONS}) as snippet
      from ${tickets} t where t.id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`),
  );
  return new Map(rows.map((row) => [Number(row.id), row.snippet]));
}
