import type { Db } from '../../db/client.ts';
import { SharedPace, type PaceLimit, type SharedPaceOptions } from '../../outbox/pace.ts';

/**
 * Per-conversation pacing within Teams' documented bot limits (per bot per conversation:
 * 7 messages / 1 s, 8 / 2 s, 60 / 30 s, 1 800 / 1 h), shared by every replica through the
 * database (src/outbox/pace.ts).
 *
 * Two limits per conversation. A limit of burst C at r messages/s lets at most C + r·W
 * messages through in any window of W seconds, so:
 * - the short one (C = 5, r = 1.5/s) allows 6.5 per 1 s, 8 per 2 s, 50 per 30 s;
 * - the hourly one (C = 900, r = 0.25/s) allows 1 800 per hour.
 */
export const TEAMS_LIMITS: readonly PaceLimit[] = [
  { burst: 5, perSecond: 1.5 },
  { burst: 900, perSecond: 0.25 },
];

export class ConversationPace {
  private readonly shared: SharedPace;

  constructor(db: Db, options: SharedPaceOptions & { limits?: readonly PaceLimit[] } = {}) {
    this.shared = new SharedPace(db, 'teams', options.limits ?? TEAMS_LIMITS, options.now ? { now: options.now } : {});
  }

  /** Wait up to `maxWaitMs` for a slot and take it (0); or the remaining wait when it is longer (slot handed back). */
  acquire(conversationId: string, maxWaitMs: number): Promise<number> {
    return this.shared.acquire(conversationId, maxWaitMs);
  }

  /** Reserve a slot; resolves to the ms to wait first (0 = now). */
  reserve(conversationId: string): Promise<number> {
    return this.shared.reserve(conversationId);
  }

  release(conversationId: string): Promise<void> {
    return this.shared.release(conversationId);
  }

  /** Teams answered 429: nothing goes to this conversation for `ms`, from any replica. */
  pause(conversationId: string, ms: number): Promise<void> {
    return this.shared.pause(conversationId, ms);
  }
}
