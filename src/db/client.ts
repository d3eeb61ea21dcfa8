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
import { seedFromTemplate } from './pglite-template.ts';
import { pgliteExtensions } from './pglite-extensions.ts';
import { DatabaseUnavailable, describeUnavailable } from './availability.ts';
import { lockEmbeddedDatabase } from './embedded-lock.ts';

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
  /** Cheap liveness check used by /readyz; rejects with DatabaseUnavailable after `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  /**
   * Is the database reachable right now? One shared probe (a bounded ping) answers every caller
   * for a moment, so a burst of slow requests costs one round trip, not one each.
   */
  probe(): Promise<Health>;
  /**
   * When a pooled connection was last lost (the server restarted or went away), as epoch ms; 0 =
   * never. A request that straddled such a loss may wait on a dead connection even though the
   * probe, on a fresh one, says the server is back.
   */
  lastConnectionLoss(): number;
  close(): Promise<void>;
}

export type Health = { ok: true } | { ok: false; reason: string };

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

/**
 * The embedded server's buffer pool lives in its WebAssembly heap, which never shrinks. Postgres'
 * default 128 MB of shared_buffers (what initdb writes) is sized for a server with many clients;
 * one process with a small database is served as well by 16 MB, with the operating system's file
 * cache behind it: ~60 MB less resident memory, idle or not. Passed at start (-c), so the data
 * directory's own postgresql.conf (time zone, text search configuration) stays as initdb wrote it.
 */
const EMBEDDED_SETTINGS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
/**
 * initdb of a new embedded database: 1 MB WAL segments instead of 16 MB. A fresh DATA_DIR is a
 * copy of the template (pglite-template.ts), and its one 16 MB segment was 40% of the bytes copied.
 */
const EMBEDDED_INITDB = ['--wal-segsize=1'];

async function openPglite(dataDir: string | undefined): Promise<Database> {
  let client: PGlite;
  let unlock: (() => Promise<void>) | null = null;
  if (dataDir) {
    const dir = path.join(dataDir, 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    unlock = await lockEmbeddedDatabase(dir);
    try {
      const create = (folder: string, settings: string[] = []) =>
        PGlite.create(folder, { extensions: pgliteExtensions, startParams: [...EMBEDDED_SETTINGS, ...settings], initDbStartParams: EMBEDDED_INITDB });
      await seedFromTemplate(dir, create, EMBEDDED_INITDB);
      client = await create(dir);
    } catch (error) {
      await unlock();
      throw error;
    }
  } else {
    client = await PGlite.create({ extensions: pgliteExtensions, startParams: EMBEDDED_SETTINGS });
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
    ping: (timeoutMs = PING_TIMEOUT_MS) => bounded(db.execute(sql`select 1`), timeoutMs),
    probe: sharedProbe(() => bounded(db.execute(sql`select 1`), PING_TIMEOUT_MS)),
    lastConnectionLoss: () => 0,
    async close() {
      if (!client.closed) await client.close();
      await unlock?.();
      unlock = null;
    },
  };
}

/**
 * The query builder sends a statement without a name unless it was built with `.prepare(name)`,
 * and postgres.js, to learn a nameless statement's parameter types, asks the server to describe it
 * first and waits for the answer: two round trips and a parse and plan on the server, every time.
 * Through this wrapper (the pool's client and every transaction's and savepoint's) each
 * statement is prepared once per connection and then only bound and executed: one round trip,
 * ~75 µs less of this process's CPU per statement on the 2-core VM (bench:mirror, 45 statements
 * a reply). postgres.js re-prepares on its own when a migration changed a table under a cached plan.
 */
export function preparingEveryStatement<T extends postgres.Sql>(client: T): T {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key === 'unsafe') {
        return (text: string, params?: unknown[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(text, params as postgres.ParameterOrJSON<never>[], { ...options, prepare: true });
      }
      if (key === 'begin' || key === 'savepoint') {
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const fn = args[last] as (sql: postgres.Sql) => unknown;
          return (Reflect.get(target, key) as (...a: unknown[]) => unknown)(...args.slice(0, last), (inner: postgres.Sql) => fn(preparingEveryStatement(inner)));
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

async function openPostgres(url: string, max: number): Promise<Database> {
  let lostAt = 0;
  const client = postgres(url, {
    max,
    onnotice: () => {},
    // Short connect timeout, as the probe's: a connect to a server that is shutting down can
    // hang until it, and a request waiting on it would outlast the bounded wait's ~2 s promise
    // (the outage test once saw a 503 after 5.1 s with 5 here).
    connect_timeout: 2,
    // Reconnect attempts (seconds, after a failed one): postgres.js's default grows to 20 s, so a
    // 10 s outage could leave the pool (and LISTEN) asleep long after the server is back. Cap it
    // at half a second, jittered: a few cheap refused connects per second while it is down.
    backoff: reconnectBackoff,
    connection: { application_name: 'switchboard' },
    // No idle_timeout on this pool: a connection closes only when it is lost (or at its max lifetime).
    onclose: () => {
      lostAt = Date.now();
    },
  });
  const db = drizzlePostgres(preparingEveryStatement(client), { schema }) as unknown as Db;
  // The probe has a connection of its own: it asks "is the server there?", and must not queue
  // behind a busy pool (that would call a slow database "away").
  const probeClient = postgres(url, {
    max: 1,
    idle_timeout: 30,
    connect_timeout: 2,
    backoff: reconnectBackoff,
    onnotice: () => {},
    connection: { application_name: 'switchboard-probe' },
  });
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
    ping: (timeoutMs = PING_TIMEOUT_MS) => bounded(client`select 1`, timeoutMs),
    probe: sharedProbe(() => bounded(probeClient`select 1`, PING_TIMEOUT_MS)),
    lastConnectionLoss: () => lostAt,
    async close() {
      await Promise.all([client.end({ timeout: 5 }), probeClient.end({ timeout: 1 })]);
    },
  };
}

/** How long a ping may take before the database counts as unreachable. */
const PING_TIMEOUT_MS = 1_000;
/** How long one probe's answer is reused. */
const PROBE_TTL_MS = 250;

/** postgres.js `backoff`: seconds before the next connect attempt after `retries` failed ones. */
export function reconnectBackoff(retries: number): number {
  return Math.min(0.5, 0.02 * 2 ** retries) * (0.5 + Math.random() / 2);
}

/** Reject with DatabaseUnavailable when `promise` has not settled within `ms`. */
export function bounded<T>(promise: PromiseLike<T>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DatabaseUnavailable(`the database did not answer within ${ms} ms`)), ms);
    Promise.resolve(promise).then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** One probe in flight at a time, its answer kept for PROBE_TTL_MS. */
function sharedProbe(ping: () => Promise<void>): () => Promise<Health> {
  let current: Promise<Health> | null = null;
  let at = 0;
  return () => {
    if (current && Date.now() - at < PROBE_TTL_MS) return current;
    at = Date.now();
    current = ping().then(
      (): Health => ({ ok: true }),
      (error: unknown): Health => ({ ok: false, reason: describeUnavailable(error) }),
    );
    return current;
  };
}
