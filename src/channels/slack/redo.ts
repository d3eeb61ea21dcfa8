import type { App } from '@slack/bolt';
import { isDatabaseUnavailable } from '../../db/availability.ts';
import type { Db } from '../../db/client.ts';
import { backoffDelay } from '../../core/backoff.ts';
import type { Logger } from '../../logger.ts';
import { slackEventRedos } from '../../metrics.ts';
import { abandonEvent, claimEvent, claimRedo, completeEvent, deferEvent, REDO_LEASE_MS } from '../inbound-events.ts';

/** The context key under which the receiver tells the middleware it has taken the event's claim. */
export const CLAIMED_EVENT = 'switchboardClaimedEvent';
/** The context key carrying how many attempts came before this one (0 for the first). */
const ATTEMPTS = 'switchboardEventAttempts';

export interface KeptEventsOptions {
  /** How often to look for events to redo. Default 15 s. */
  intervalMs?: number;
  /** First backoff after a failed attempt (doubling, jittered, up to maxDelayMs). Default 5 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Redos after the first attempt before giving up. Default 8 (about half an hour of backoff). */
  maxRedos?: number;
  /** Give up on an event older than this. Default 1 day. */
  maxAgeMs?: number;
}

/**
 * Slack Events API events are acknowledged before their work runs (the 3-second window), so
 * Slack never redelivers one whose work failed, or whose process died after the 200. Each
 * event is kept with its claim in `inbound_events` until its work is done:
 *   - the receiver claims it with its body before the ack (the one write on the ack path);
 *   - the middleware marks it done after the listeners ran, or, when they failed, schedules a
 *     redo with exponential backoff;
 *   - a sweep (every replica, SKIP LOCKED) redoes the events whose backoff, or whose first
 *     attempt's lease (REDO_LEASE_MS: a process that died mid-work), has run out, through the
 *     same Bolt app, until done or given up (logged as an error, the event kept for a reader).
 * The core commands are idempotent on `slack:event:<event_id>`, so a redo of work that got half
 * way (a ticket filed, its confirmation not posted) finishes it without a second ticket.
 */
export class KeptEvents {
  /** Events this process has claimed and not finished (some wait for a turn behind the ack). */
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<number> | null = null;
  private app: App | null = null;
  private readonly intervalMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRedos: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    options: KeptEventsOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 15_000;
    this.baseDelayMs = options.baseDelayMs ?? 5_000;
    this.maxDelayMs = options.maxDelayMs ?? 10 * 60_000;
    this.maxRedos = options.maxRedos ?? 8;
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3_600_000;
  }

  /** Claim an event before the ack, keeping its body. False: it was taken before (a redelivery). */
  async claim(key: string, body: unknown): Promise<boolean> {
    const taken = await claimEvent(this.db, key, body);
    if (taken) this.inFlight.add(key);
    return taken;
  }

  /** The receiver could not hand a claimed event to Bolt: it stays kept, for the sweep. */
  dropped(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * Bolt global middleware: a redelivery (of an event already claimed) is a no-op; a first
   * delivery runs the listeners, then is marked done, or scheduled for a redo when they failed.
   * Over HTTP the receiver claimed the event before the ack; Socket Mode claims here.
   */
  middleware() {
    return async ({ body, context, next }: { body: unknown; context: Record<string, unknown>; next: () => Promise<void> }) => {
      const eventId = typeof body === 'object' && body !== null && 'event_id' in body && typeof body.event_id === 'string' ? body.event_id : null;
      if (eventId === null) return next();
      const key = `slack:event:${eventId}`;
      if (context[CLAIMED_EVENT] !== key && !(await this.claim(key, body))) return;
      this.inFlight.add(key);
      const attempts = typeof context[ATTEMPTS] === 'number' ? context[ATTEMPTS] : 0;
      try {
        await next();
      } catch (error) {
        if (attempts > 0) slackEventRedos.inc({ outcome: 'failed' });
        const delayMs = backoffDelay(attempts + 1, this.baseDelayMs, this.maxDelayMs);
        await deferEvent(this.db, key, error, delayMs).then(
          (kept) => kept && this.log.warn({ key, attempts: attempts + 1, retryInMs: delayMs, err: error }, 'slack: event work failed after its ack; it will be redone'),
          () => undefined, // database away: the claim's lease runs out and the sweep redoes it
        );
        throw error;
      } finally {
        this.inFlight.delete(key);
      }
      if (attempts > 0) slackEventRedos.inc({ outcome: 'done' });
      // Not marked (database away): the lease runs out and a redo finds the work already done.
      await completeEvent(this.db, key).catch(() => undefined);
    };
  }

  start(app: App): void {
    this.app = app;
    if (this.timer) return;
    const tick = () => {
      this.current = this.sweep();
      this.current
        .catch((error: unknown) => {
          if (!isDatabaseUnavailable(error)) this.log.error({ err: error }, 'slack: redo sweep failed');
        })
        .finally(() => {
          this.current = null;
          if (this.app) {
            this.timer = setTimeout(tick, this.intervalMs);
            this.timer.unref();
          }
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.app = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current?.catch(() => undefined);
  }

  /** Redo what is due, one event at a time, until nothing is. Returns how many were redone. */
  async sweep(): Promise<number> {
    const app = this.app;
    if (!app) return 0;
    let redone = 0;
    for (;;) {
      const due = await claimRedo(this.db, 20, REDO_LEASE_MS, [...this.inFlight]);
      for (const event of due) {
        if (!this.app) return redone;
        if (event.attempts >= this.maxRedos || Date.now() - event.createdAt.getTime() > this.maxAgeMs) {
          await abandonEvent(this.db, event.key, `gave up after ${event.attempts + 1} attempts`);
          slackEventRedos.inc({ outcome: 'abandoned' });
          this.log.error({ key: event.key, attempts: event.attempts + 1 }, 'slack: gave up on an event whose work kept failing; it is kept in inbound_events');
          continue;
        }
        redone += 1;
        // A failure is recorded by the middleware (deferred again); Bolt hands it to app.error.
        await app
          .processEvent({
            body: event.body as Record<string, unknown>,
            ack: async () => {},
            customProperties: { [CLAIMED_EVENT]: event.key, [ATTEMPTS]: event.attempts + 1 },
            retryNum: event.attempts + 1,
            retryReason: 'switchboard_redo',
          })
          .catch(() => undefined);
      }
      if (due.length < 20) return redone;
    }
  }
}
