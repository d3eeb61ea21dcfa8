import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Conn } from './client.ts';
import { resultRows } from './migrate.ts';

/**
 * One statement written as text with `$n` parameters, on the database or inside a transaction.
 * On Postgres it is a prepared statement (postgres.js parses and plans it once per connection):
 * for the hot path of a command, where the query builder's cost and the server's planning showed
 * in the profile. Parameters go as the driver gets them from the query builder (JSON as text,
 * timestamps as ISO strings), so write a cast for each (`$1::jsonb`).
 */
export async function preparedRows<T>(conn: Conn, text: string, params: unknown[]): Promise<T[]> {
  const session = (conn as unknown as { _: { session: { client?: { unsafe?: unknown } } } })._.session;
  const client = session.client;
  if (client && typeof client.unsafe === 'function') {
    return (await (client as postgres.Sql).unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as T[];
  }
  // PGlite: the same text, its parameters as the query builder's.
  const parts = text.split(/\$(\d+)/);
  const chunks = parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`));
  return resultRows<T>(await conn.execute(sql.join(chunks)));
}
