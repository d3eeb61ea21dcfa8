import { sql } from 'drizzle-orm';
import type { Conn } from '../db/client.ts';

/** The text-search configuration of the desk (migration 0014): english stems, unaccent where the engine has it. */
export const SEARCH_CONFIG = 'desk_search';
/** Enough of a long text for search; keeps every tsvector far below Postgres' 1 MB limit. */
const INDEXED_CHARS = 10_000;

const doc = (text: string, weight: 'A' | 'B' | 'C' | 'D') => sql`setweight(to_tsvector(${SEARCH_CONFIG}::regconfig, ${text.slice(0, INDEXED_CHARS)}), ${weight})`;

function fieldText(fields: unknown): string {
  if (!fields || typeof fields !== 'object') return '';
  return Object.values(fields as Record<string, unknown>)
    .filter((v) => v !== null && v !== undefined && v !== '')
    .map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
    .join(' ');
}

/**
 * What a ticket says about itself: key, title, description, field values, as SQL text for the
 * statement that numbers the ticket (src/core/ticket-insert.ts), so `keyExpr` is that statement's
 * expression for the real key; `add` binds a parameter and returns its placeholder.
 */
/** The texts a ticket is indexed by besides its key: title, description, field values, each cut to what search keeps. */
export function ticketSearchTexts(title: string, description: string, fields: unknown): { title: string; description: string; fields: string } {
  return { title: title.slice(0, INDEXED_CHARS), description: description.slice(0, INDEXED_CHARS), fields: fieldText(fields).slice(0, INDEXED_CHARS) };
}

export function ticketDocSql(keyExpr: string, title: string, description: string, fields: unknown, add: (value: unknown, cast: string) => string): string {
  const config = `'${SEARCH_CONFIG}'::regconfig`;
  const weighted = (text: string, weight: 'A' | 'B' | 'C') => `setweight(to_tsvector(${config}, ${add(text.slice(0, INDEXED_CHARS), 'text')}), '${weight}')`;
  return `setweight(to_tsvector(${config}, ${keyExpr}), 'A') || ${weighted(title, 'A')} || ${weighted(description, 'B')} || ${weighted(fieldText(fields), 'C')}`;
}

/** Add a comment's words to its ticket's index, public or internal, in the comment's transaction. */
export async function indexComment(tx: Conn, ticketId: number, body: string, visibility: 'public' | 'internal'): Promise<void> {
  if (!body.trim()) return;
  const words = doc(body, 'D');
  if (visibility === 'internal') {
    await tx.execute(sql`
      insert into ticket_search (ticket_id, internal_doc) values (${ticketId}, ${words})
      on conflict (ticket_id) do update set internal_doc = ticket_search.internal_doc || excluded.internal_doc`);
  } else {
    await tx.execute(sql`
      insert into ticket_search (ticket_id, public_doc) values (${ticketId}, ${words})
      on conflict (ticket_id) do update set public_doc = ticket_search.public_doc || excluded.public_doc`);
  }
}
