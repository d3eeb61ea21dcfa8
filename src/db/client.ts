import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';
import { pgliteExtensions } from './pglite-extensions.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything queries can run on: the database or an open transaction. */
export type Conn = Db | Tx;

export interface Database {
  db: Db;
  engine: 'pglite' | 'postgres';
  /** Subscribe to NOTIFY on a channel; returns an unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Run `fn` while holding a session advisory lock (Postgres), so N processes can call
   * it at once and only one runs it at a time. PGlite is one process: it just runs.
   */
  exclusive<T>(lockId: number, fn: () => Promise<T>): Promise<T>;
  /**
   * Try to become the one leader for `lockId` (a session advisory lock on a connection of its
   * own, held until released or the connection drops). Null when another session leads.
   * PGlite is one process: always granted.
   */
  tryLeadership(lockId: number): Promise<Leadership | null>;
  /** Cheap liveness check used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A held leadership lock. */
export interface Leadership {
  /** False once the lock's connection is gone (another process may lead now). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; unset = embedded PGlite. */
  url?: string | undefined;
  /** PGlite data folder; unset (with no url) = in-memory. */
  dataDir?: string | undefined;
  /** postgres.js pool size. */
  max?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.max ?? 10) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  let client: PGlite;
  if (dataDir) {
    const dir = path.join(dataDir, 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    client = await PGlite.create(dir, { extensions: pgliteExtensions });
  } else {
    client = await PGlite.create({ extensions: pgliteExtensions });
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    engine: 'pglite',
    async listen(channel, onNotify) {
      const unsubscribe = await client.listen(channel, onNotify);
      return async () => unsubscribe();
    },
    exclusive: (_lockId, fn) => fn(),
    tryLeadership: async () => ({ stillHeld: async () => !client.closed, release: async () => {} }),
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    // Short connect timeout so /readyz answers quickly when the database is gone.
    connect_timeout: 5,
    connection: { application_name: 'switchboard' },
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    engine: 'postgres',
    async listen(channel, onNotify) {
      const sub = await client.listen(channel, (payload) => onNotify(payload));
      return async () => sub.unlisten();
    },
    async exclusive(lockId, fn) {
      const conn = await client.reserve();
      try {
        await conn`select pg_advisory_lock(${lockId})`;
        try {
          return await fn();
        } finally {
          await conn`select pg_advisory_unlock(${lockId})`;
        }
      } finally {
        conn.release();
      }
    },
    async tryLeadership(lockId) {
      const conn = await client.reserve();
      let held = false;
      try {
        const [row] = await conn`select pg_try_advisory_lock(${String(lockId)}::bigint) as granted`;
        held = row?.granted === true;
      } finally {
        if (!held) conn.release();
      }
      if (!held) return null;
      let released = false;
      return {
        async stillHeld() {
          if (released) return false;
          try {
            const [row] = await conn`select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted`;
            return (row?.n ?? 0) > 0;
          } catch {
            return false;
          }
        },
        async release() {
          if (released) return;
          released = true;
          await conn`select pg_advisory_unlock(${String(lockId)}::bigint)`.catch(() => {});
          conn.release();
        },
      };
    },
    async ping() {
      await client`select 1`;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}
