import { describe, expect, it } from 'vitest';
import { ConversationPace } from '../../../src/channels/teams/pace.ts';

/** The most timestamps inside any window of `ms` (sorted input). */
function busiestWindow(times: number[], ms: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= ms) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('Teams pace: a greedy sender stays within the per-conversation limits', () => {
  it('two simulated hours of sending as fast as allowed: 7/1 s, 8/2 s, 60/30 s, 1 800/h', () => {
    let now = 0;
    const pace = new ConversationPace(undefined, () => now);
    const sent: number[] = [];
    while (now < 2 * 3_600_000) {
      const wait = pace.waitMs('19:thread');
      if (wait === 0) {
        pace.take('19:thread');
        sent.push(now);
      } else now += wait;
    }
    expect(busiestWindow(sent, 1_000)).toBeLessThanOrEqual(7);
    expect(busiestWindow(sent, 2_000)).toBeLessThanOrEqual(8);
    expect(busiestWindow(sent, 30_000)).toBeLessThanOrEqual(60);
    expect(busiestWindow(sent, 3_600_000)).toBeLessThanOrEqual(1_800);
    // And not needlessly slow: the hourly bucket (900 + 0.25/s) is used up.
    expect(sent.length).toBeGreaterThanOrEqual(2_690);
  });

  it('conversations are paced independently', () => {
    const now = 0;
    const pace = new ConversationPace(undefined, () => now);
    for (let i = 0; i < 5; i++) pace.take('a');
    expect(pace.waitMs('a')).toBeGreaterThan(0);
    expect(pace.waitMs('b')).toBe(0);
  });
});
