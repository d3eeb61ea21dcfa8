import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Database } from './client.ts';
import { migrationsFolder } from './migrations-folder.ts';

const MIGRATION_LOCK = 727_001;

export { migrationsFolder };

/**
 * Apply pending migrations. Safe to call from several processes at once on Postgres:
 * an advisory lock serialises them, and applying twice is a no-op.
 */
export async function migrate(database: Database): Promise<void> {
  if (database.engine === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  await database.exclusive(MIGRATION_LOCK, () =>
    migratePostgres(database.db as unknown as PostgresJsDatabase, { migrationsFolder }),
  );
}

/** True when every migration in the folder has been applied (for /readyz). */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const expected = readMigrationFiles({ migrationsFolder });
  const rows = await database.db.execute<{ hash: string }>(
    sql`select hash from drizzle.__drizzle_migrations`,
  );
  const applied = new Set(resultRows<{ hash: string }>(rows).map((r) => r.hash));
  return expected.every((m) => applied.has(m.hash));
}

/** db.execute returns an array on postgres.js and {rows} on PGlite; normalise. */
export function resultRows<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}
