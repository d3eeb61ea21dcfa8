import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { paceBuckets } from '../db/schema.ts';
import { RetryableError } from './adapter.ts';

/**
 * Outbound pace per platform target (a Slack channel, a Teams conversation), shared by
 * every replica through the `pace_buckets` table, so N processes together stay within
 * the platform's limits.
 *
 * Each limit is a GCRA cell (the Generic Cell Rate Algorithm of ATM networks, which is
 * a token bucket stored as one number): `tat` is the theoretical arrival time of the next
 * message. A message may go at `max(tat, now) − tolerance`; taking it moves `tat` one
 * interval on. With interval T = 1/rate and tolerance τ = (burst − 1)·T it lets at most
 * `burst + rate·W` messages through in any window W, exactly like a bucket of `burst`
 * tokens refilled at `rate`. Because the state is one number, a reservation is ONE
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING`: Postgres' row lock makes concurrent
 * reservations from any replica line up one interval apart, with no advisory lock and
 * no read-modify-write race.
 *
 * Time is the database's clock (`clock_timestamp()`), the one clock all replicas share;
 * tests inject their own.
 *
 * Every outbound channel paces through this one class: Slack and Teams with their documented
 * limits (slack/pace.ts, teams/pace.ts), webhooks and SMTP with none (no platform documents
 * one; a receiver or relay says "slow down" by answering 429 / 421), so for them it is only the
 * shared pause a throttled answer sets, read without a write.
 */
export interface PaceLimit {
  /** Sustained messages per second. */
  perSecond: number;
  /** How many may go back to back before the rate applies. */
  burst: number;
}

/** A platform's limits per target, under its own key prefix. */
export interface PaceTable {
  /** Key prefix, e.g. 'slack' or 'teams'. */
  namespace: string;
  /** Empty: no limit of its own, only the pause a throttled answer sets. */
  limits: readonly PaceLimit[];
}

/** How long a send may wait in-process for its slot before handing it back to the outbox. */
const MAX_WAIT_MS = 5_000;

export interface SharedPaceOptions {
  /** Epoch ms; default the database's clock. */
  now?: () => number;
}

export class SharedPace {
  private readonly cells: Array<{ suffix: string; intervalMs: number; toleranceMs: number }>;
  /** No limit of its own: a reservation only reads the pause. */
  private readonly pauseOnly: boolean;

  constructor(
    private readonly db: Db,
    /** Key prefix, e.g. 'slack' or 'teams'. */
    private readonly namespace: string,
    limits: readonly PaceLimit[],
    private readonly options: SharedPaceOptions = {},
  ) {
    this.pauseOnly = limits.length === 0;
    // A pause-only target has one cell of interval 0: its `tat` is the end of the pause.
    this.cells = this.pauseOnly
      ? [{ suffix: '#0', intervalMs: 0, toleranceMs: 0 }]
      : limits.map((limit, i) => {
          const intervalMs = 1000 / limit.perSecond;
          return { suffix: `#${i}`, intervalMs, toleranceMs: Math.max(0, limit.burst - 1) * intervalMs };
        });
  }

  static of(db: Db, table: PaceTable, options: SharedPaceOptions = {}): SharedPace {
    return new SharedPace(db, table.namespace, table.limits, options);
  }

  /**
   * Send one message to `target` at its pace: wait for the slot (up to `maxWaitMs`, else a
   * RetryableError carrying the wait, so the outbox reschedules instead of holding a worker),
   * send, and when the platform answers "slow down" (`throttledFor` gives its Retry-After in
   * ms, or undefined for any other failure) pause the target for every replica before the
   * error goes on to the outbox.
   */
  async send<T>(target: string, send: () => Promise<T>, throttledFor: (error: unknown) => number | undefined, maxWaitMs = MAX_WAIT_MS): Promise<T> {
    const wait = await this.acquire(target, maxWaitMs);
    if (wait > 0) throw new RetryableError(`paced: ${this.namespace} ${target} is at its limit`, wait);
    return this.unpaced(target, send, throttledFor);
  }

  /** A call outside the target's pace (an edit under another limit) whose "slow down" still pauses the target. */
  async unpaced<T>(target: string, send: () => Promise<T>, throttledFor: (error: unknown) => number | undefined): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const pauseMs = throttledFor(error);
      if (pauseMs !== undefined) await this.pause(target, pauseMs);
      throw error;
    }
  }

  /**
   * Take the next slot for `target` in every limit; resolves to how many ms the caller
   * must wait before sending (0 = now). The slot is taken either way (release() hands it back).
   */
  async reserve(target: string): Promise<number> {
    const now = this.nowSql();
    if (this.pauseOnly) {
      const [row] = await this.db
        .select({ waitMs: sql<number>`greatest(0, ${paceBuckets.tatMs} - ${now})` })
        .from(paceBuckets)
        .where(eq(paceBuckets.key, this.key(target, '#0')));
      return Math.ceil(Math.max(0, Number(row?.waitMs ?? 0)));
    }
    const rows = await this.db
      .insert(paceBuckets)
      .values(
        this.cells.map((cell) => ({
          key: this.key(target, cell.suffix),
          // A new cell: this message goes now, the next one interval later.
          tatMs: sql`${now} + ${cell.intervalMs}::double precision`,
          intervalMs: cell.intervalMs,
          toleranceMs: cell.toleranceMs,
        })),
      )
      .onConflictDoUpdate({
        target: paceBuckets.key,
        set: {
          // excluded.tat_ms − excluded.interval_ms is this statement's `now`.
          tatMs: sql`greatest(${paceBuckets.tatMs}, excluded.tat_ms - excluded.interval_ms) + excluded.interval_ms`,
          intervalMs: sql`excluded.interval_ms`,
          toleranceMs: sql`excluded.tolerance_ms`,
          updatedAt: sql`now()`,
        },
      })
      .returning({ waitMs: sql<number>`greatest(0, ${paceBuckets.tatMs} - ${paceBuckets.intervalMs} - ${paceBuckets.toleranceMs} - ${now})` });
    return Math.ceil(Math.max(0, ...rows.map((row) => Number(row.waitMs))));
  }

  /** Hand back a slot that was reserved but not used (the send was not attempted). */
  async release(target: string): Promise<void> {
    if (this.pauseOnly) return;
    await this.db
      .update(paceBuckets)
      .set({ tatMs: sql`${paceBuckets.tatMs} - ${paceBuckets.intervalMs}`, updatedAt: sql`now()` })
      .where(inArray(paceBuckets.key, this.cells.map((cell) => this.key(target, cell.suffix))));
  }

  /**
   * The platform answered 429 for `target`: nothing goes there for `ms`, on any replica,
   * and then at the sustained rate (no burst). Applied to the first (shortest) limit; the
   * longer windows keep their count.
   */
  async pause(target: string, ms: number): Promise<void> {
    const cell = this.cells[0]!;
    const now = this.nowSql();
    const until = sql`${now} + ${Math.max(0, ms)}::double precision + ${cell.toleranceMs}::double precision`;
    await this.db
      .insert(paceBuckets)
      .values({ key: this.key(target, cell.suffix), tatMs: until, intervalMs: cell.intervalMs, toleranceMs: cell.toleranceMs })
      .onConflictDoUpdate({ target: paceBuckets.key, set: { tatMs: sql`greatest(${paceBuckets.tatMs}, excluded.tat_ms)`, updatedAt: sql`now()` } });
  }

  /**
   * Wait up to `maxWaitMs` for a slot and take it (resolves 0), or hand the slot back and
   * resolve to the wait when it is longer (the caller reschedules instead of holding a worker).
   */
  async acquire(target: string, maxWaitMs: number): Promise<number> {
    const wait = await this.reserve(target);
    if (wait > maxWaitMs) {
      await this.release(target);
      return wait;
    }
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return 0;
  }

  private key(target: string, suffix: string): string {
    return `${this.namespace}:${target}${suffix}`;
  }

  private nowSql(): SQL {
    return this.options.now
      ? sql`${this.options.now()}::double precision`
      : sql`(extract(epoch from clock_timestamp()) * 1000)::double precision`;
  }
}
