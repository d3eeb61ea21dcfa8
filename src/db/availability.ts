import type { Logger } from '../logger.ts';

/** Seconds a client is told to wait (Retry-After) while the database is away. */
export const RETRY_AFTER_SECONDS = 2;

/** The database could not be reached in time (thrown by our own deadlines). */
export class DatabaseUnavailable extends Error {
  override name = 'DatabaseUnavailable';
  readonly code = 'DATABASE_UNAVAILABLE';
}

/**
 * Errors that mean "the database is not there right now", as opposed to "this query is wrong":
 * socket errors, postgres.js connection states, and the SQLSTATEs a server sends while it shuts
 * down, restarts or refuses connections (class 08, 57P01-57P03, 53300).
 */
const UNAVAILABLE_CODES = new Set([
  // Node socket errors
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  // postgres.js
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECTION_CLOSED',
  'CONNECT_TIMEOUT',
  // SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // ours
  'DATABASE_UNAVAILABLE',
]);

/** True when `error` (or any error in its `cause` chain, as drizzle wraps them) means the database is away. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailableCause(error) !== null;
}

/** The innermost error that says the database is away, or null. */
export function unavailableCause(error: unknown): Error | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return current as Error;
    // PGlite after close() (shutdown in progress).
    if (current instanceof Error && /PGlite is closed/i.test(current.message)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** One short line for logs and /readyz: "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432". */
export function describeUnavailable(error: unknown): string {
  const cause = unavailableCause(error) ?? (error instanceof Error ? error : new Error(String(error)));
  const code = (cause as { code?: unknown }).code;
  const message = cause.message.split('\n')[0] ?? '';
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/**
 * Log an outage once, not once per retry: the first failure logs a warning; the outage ends at
 * the first success after `quietMs` without failures (a restarting server answers on some
 * connections and drops others for a while: that flapping is one outage, not ten), and that
 * logs how long it lasted. For background loops (outbox, SLA scanner, pollers).
 */
export class OutageLog {
  private since: number | null = null;
  private lastFailure = 0;
  private failures = 0;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly clock: () => number = Date.now,
    private readonly quietMs = 5_000,
  ) {}

  get down(): boolean {
    return this.since !== null;
  }

  /** Consecutive failures in this outage (0 when up). */
  get failureCount(): number {
    return this.failures;
  }

  failed(error: unknown): void {
    this.failures += 1;
    this.lastFailure = this.clock();
    if (this.since !== null) return;
    this.since = this.lastFailure;
    this.log.warn({ reason: describeUnavailable(error) }, `${this.what}: database unavailable; retrying with backoff (logged once per outage)`);
  }

  recovered(): void {
    if (this.since === null || this.clock() - this.lastFailure < this.quietMs) return;
    const downForMs = this.lastFailure - this.since;
    this.log.info({ downForMs, failures: this.failures }, `${this.what}: database reachable again`);
    this.since = null;
    this.failures = 0;
  }
}
