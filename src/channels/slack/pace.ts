import type { Db } from '../../db/client.ts';
import { SharedPace, type SharedPaceOptions } from '../../outbox/pace.ts';

/**
 * Slack's pace for chat.postMessage: about one message per second per channel, short
 * bursts tolerated (docs.slack.dev "Rate limits", special rate limits for posting
 * messages). Shared by every replica through the database (src/outbox/pace.ts); a 429's
 * Retry-After pauses the channel for all of them.
 */
export interface PaceOptions extends SharedPaceOptions {
  /** Messages per second per channel. */
  ratePerSecond?: number;
  /** How many messages may go out back to back before the rate applies. */
  burst?: number;
}

export class ChannelPace {
  private readonly shared: SharedPace;

  constructor(db: Db, options: PaceOptions = {}) {
    this.shared = new SharedPace(db, 'slack', [{ perSecond: options.ratePerSecond ?? 1, burst: options.burst ?? 3 }], options.now ? { now: options.now } : {});
  }

  /** Reserve the next slot for a message to `channel`; resolves to the ms to wait first (0 = now). */
  reserve(channel: string): Promise<number> {
    return this.shared.reserve(channel);
  }

  /** Hand back a slot that was reserved but not used (the send was not attempted). */
  release(channel: string): Promise<void> {
    return this.shared.release(channel);
  }

  /** Slack answered 429: nothing goes to this channel for `ms`, from any replica. */
  pause(channel: string, ms: number): Promise<void> {
    return this.shared.pause(channel, ms);
  }
}
