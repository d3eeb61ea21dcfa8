/**
 * Slack's pace for chat.postMessage: about one message per second per channel, short
 * bursts tolerated (docs.slack.dev "Rate limits", special rate limits for posting
 * messages). One token bucket per channel, refilled continuously; a 429's Retry-After
 * empties a channel's bucket until the platform lets us post again.
 *
 * Small and hand-written: the npm token buckets we looked at (limiter, bottleneck) are
 * not in this project's dependencies, and this needs a "how long until" answer rather
 * than a queue.
 */
export interface PaceOptions {
  /** Messages per second per channel. */
  ratePerSecond?: number;
  /** How many messages may go out back to back before the rate applies. */
  burst?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** No token is handed out before this instant (set by a 429). */
  blockedUntil: number;
}

export class ChannelPace {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(options: PaceOptions = {}) {
    this.ratePerMs = (options.ratePerSecond ?? 1) / 1000;
    this.burst = options.burst ?? 3;
    this.now = options.now ?? Date.now;
  }

  /**
   * Reserve the next slot for a message to `channel`; resolves to how many ms the caller
   * must wait before sending (0 = now). The slot is taken either way.
   */
  reserve(channel: string): number {
    const now = this.now();
    const bucket = this.refill(channel, now);
    const start = Math.max(now, bucket.blockedUntil);
    // Tokens available at `start`: what we have plus what accrues while blocked.
    const available = Math.min(this.burst, bucket.tokens + (start - now) * this.ratePerMs);
    const waitForToken = available >= 1 ? 0 : (1 - available) / this.ratePerMs;
    bucket.tokens -= 1;
    return Math.ceil(start - now + waitForToken);
  }

  /** Hand back a slot that was reserved but not used (the send was not attempted). */
  release(channel: string): void {
    const bucket = this.buckets.get(channel);
    if (bucket) bucket.tokens = Math.min(this.burst, bucket.tokens + 1);
  }

  /** Slack answered 429: nothing goes to this channel for `ms`. */
  pause(channel: string, ms: number): void {
    const now = this.now();
    const bucket = this.refill(channel, now);
    bucket.blockedUntil = Math.max(bucket.blockedUntil, now + ms);
    bucket.tokens = Math.min(bucket.tokens, 0);
  }

  private refill(channel: string, now: number): Bucket {
    let bucket = this.buckets.get(channel);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedAt: now, blockedUntil: 0 };
      this.buckets.set(channel, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * this.ratePerMs);
    bucket.updatedAt = now;
    return bucket;
  }
}
