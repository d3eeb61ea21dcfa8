import { getTableColumns, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type postgres from 'postgres';
import type { Conn } from './client.ts';
import { resultRows } from './migrate.ts';
import { sessionOf } from './reusable.ts';

/**
 * One statement written as text with `$n` parameters, on the database or inside a transaction.
 * On Postgres it is a prepared statement (postgres.js parses and plans it once per connection):
 * for the hot path of a command, where the query builder's cost and the server's planning showed
 * in the profile. Parameters go as the driver gets them from the query builder (JSON as text,
 * timestamps as ISO strings), so write a cast for each (`$1::jsonb`).
 */
export async function preparedRows<T>(conn: Conn, text: string, params: unknown[]): Promise<T[]> {
  const client = postgresClient(conn);
  if (client) return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as T[];
  // PGlite: the same text, its parameters as the query builder's.
  const parts = text.split(/\$(\d+)/);
  const chunks = parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`));
  return resultRows<T>(await conn.execute(sql.join(chunks)));
}

/** Whether statements on this connection are prepared (Postgres through postgres.js; not PGlite). */
export function preparesStatements(conn: Conn): boolean {
  return postgresClient(conn) !== null;
}

function postgresClient(conn: Conn): postgres.Sql | null {
  const client = sessionOf(conn).client as { unsafe?: unknown } | undefined;
  return client && typeof client.unsafe === 'function' ? (client as postgres.Sql) : null;
}

/** A row returned as to_jsonb(...), decoded as the query builder would decode it. */
export function rowFromJson<T extends PgTable>(table: T, json: unknown): T['$inferSelect'] {
  const source = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table) as Record<string, PgColumn>)) {
    const value = source[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T['$inferSelect'];
}
