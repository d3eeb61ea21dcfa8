/**
 * Per-conversation pacing within Teams' documented bot limits (per bot per conversation:
 * 7 messages / 1 s, 8 / 2 s, 60 / 30 s, 1 800 / 1 h).
 *
 * Two token buckets per conversation. A bucket of capacity C refilled at r tokens/s lets
 * at most C + r·W messages through in any window of W seconds, so:
 * - the short bucket (C = 5, r = 1.5/s) allows 6.5 per 1 s, 8 per 2 s, 50 per 30 s;
 * - the hourly bucket (C = 900, r = 0.25/s) allows 1 800 per hour.
 */
export interface BucketSpec {
  capacity: number;
  perSecond: number;
}

export const TEAMS_BUCKETS: readonly BucketSpec[] = [
  { capacity: 5, perSecond: 1.5 },
  { capacity: 900, perSecond: 0.25 },
];

interface BucketState {
  tokens: number;
  updatedAt: number;
}

export class ConversationPace {
  private readonly states = new Map<string, BucketState[]>();

  constructor(
    private readonly buckets: readonly BucketSpec[] = TEAMS_BUCKETS,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** How long (ms) until `conversationId` may send one more message; 0 = now. */
  waitMs(conversationId: string): number {
    const states = this.refill(conversationId);
    let wait = 0;
    states.forEach((state, i) => {
      const spec = this.buckets[i]!;
      if (state.tokens < 1) wait = Math.max(wait, Math.ceil(((1 - state.tokens) / spec.perSecond) * 1000));
    });
    return wait;
  }

  /** Take a token from every bucket of the conversation (call when waitMs() is 0). */
  take(conversationId: string): void {
    for (const state of this.refill(conversationId)) state.tokens -= 1;
  }

  /** Wait up to `maxWaitMs` for a slot and take it; returns the remaining wait when it is longer. */
  async acquire(conversationId: string, maxWaitMs: number): Promise<number> {
    for (;;) {
      const wait = this.waitMs(conversationId);
      if (wait === 0) {
        this.take(conversationId);
        return 0;
      }
      if (wait > maxWaitMs) return wait;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private refill(conversationId: string): BucketState[] {
    const now = this.clock();
    let states = this.states.get(conversationId);
    if (!states) {
      states = this.buckets.map((spec) => ({ tokens: spec.capacity, updatedAt: now }));
      this.states.set(conversationId, states);
    }
    states.forEach((state, i) => {
      const spec = this.buckets[i]!;
      state.tokens = Math.min(spec.capacity, state.tokens + ((now - state.updatedAt) / 1000) * spec.perSecond);
      state.updatedAt = now;
    });
    return states;
  }
}
