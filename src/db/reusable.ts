import type { Conn } from './client.ts';

interface Prepared<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
}

export interface DriverSession {
  client: unknown;
}

/**
 * A hot statement built once, with `sql.placeholder(...)` for its values, and run on any
 * connection: the database or an open transaction, Postgres or PGlite.
 *
 * The query builder otherwise builds a statement's text anew on every call, walking every column
 * and chunk (~100–150 µs of CPU for a select of the tickets table on the 2-core VM, more than the
 * driver's and the server's work for a lookup by key). `build` runs once per driver; each call
 * then only binds its values. Drizzle's own `.prepare(name)` ties the statement to the connection
 * it was built on; here the built statement is run through the caller's connection (its session's
 * client), so it also works inside a transaction. On Postgres it is a prepared statement (postgres.js
 * prepares it once per connection).
 */
export function reusable<R>(name: string, build: (conn: Conn) => { prepare(name: string): Prepared<R> }): (conn: Conn, values: Record<string, unknown>) => Promise<R> {
  const byDriver = new Map<unknown, Prepared<R>>();
  return (conn, values) => {
    const session = sessionOf(conn);
    let built = byDriver.get(session.constructor);
    if (!built) {
      built = build(conn).prepare(name);
      byDriver.set(session.constructor, built);
    }
    // The built statement with this connection's client in place of the one it was built on.
    const bound = Object.create(built) as Prepared<R> & DriverSession;
    bound.client = session.client;
    return bound.execute(values);
  };
}

/** The driver session under a database or transaction (a Drizzle internal, reached here alone). */
export function sessionOf(conn: Conn): DriverSession {
  return (conn as unknown as { _: { session: DriverSession } })._.session;
}
