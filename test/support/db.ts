import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadCatalogFile, parseCatalog, syncCatalog } from '../../src/core/catalog.ts';

/**
 * Which engine this test project uses (vitest.config.ts sets TEST_ENGINE): real Postgres at
 * TEST_DATABASE_URL, or embedded PGlite. `postgresUrl` is undefined on PGlite runs.
 */
export const engine: 'postgres' | 'pglite' =
  (process.env.TEST_ENGINE ?? (process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite')) === 'postgres' && process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
export const postgresUrl = engine === 'postgres' ? process.env.TEST_DATABASE_URL : undefined;

export interface TestDatabase extends Database {
  /** postgres:// URL of this throwaway database (Postgres only), for spawning processes. */
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database with the sample catalog loaded: an in-memory PGlite, or a
 * throwaway database created next to TEST_DATABASE_URL and dropped afterwards.
 */
export async function freshDatabase(options: { catalogYaml?: string; engine?: 'postgres' | 'pglite'; max?: number } = {}): Promise<TestDatabase> {
  const chosen = options.engine ?? engine;
  let url: string | undefined;
  if (chosen === 'postgres') {
    if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
    url = await createThrowawayDatabase(postgresUrl);
  }
  const database = await openDatabase({ url, max: options.max ?? 5 });
  await migrate(database);
  const catalog = options.catalogYaml ? parseCatalog(options.catalogYaml, 'test catalog') : loadCatalogFile(undefined);
  await syncCatalog(database.db, catalog);
  return {
    ...database,
    url,
    async drop() {
      await database.close();
      if (url) await dropDatabase(postgresUrl!, url);
    },
  };
}

export async function createThrowawayDatabase(baseUrl: string): Promise<string> {
  const name = `sb_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(baseUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** A controllable clock for core commands. */
export function fixedClock(start: string | Date) {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(at: string | Date) {
      current = new Date(at);
    },
    advance(ms: number) {
      current = new Date(current.getTime() + ms);
    },
  };
}
