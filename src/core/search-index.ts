import { sql, type SQL } from 'drizzle-orm';
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
 * What a ticket says about itself: key, title, description, field values. Indexed once, by the
 * statement that numbers the ticket (src/core/ticket-insert.ts), so `key` is that statement's
 * SQL for the real key.
 */
export function ticketDoc(key: SQL, title: string, description: string, fields: unknown): SQL {
  return sql`setweight(to_tsvector(${SEARCH_CONFIG}::regconfig, ${key}), 'A') || ${doc(title, 'A')} || ${doc(description, 'B')} || ${doc(fieldText(fields), 'C')}`;
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
