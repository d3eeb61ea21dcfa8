import type { PaceLimit, PaceTable } from '../../outbox/pace.ts';

/**
 * Per-conversation pacing within Teams' documented bot limits (per bot per conversation:
 * 7 messages / 1 s, 8 / 2 s, 60 / 30 s, 1 800 / 1 h), by the outbox's shared pace
 * (src/outbox/pace.ts); a 429's Retry-After pauses the conversation for every replica.
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

export const TEAMS_PACE: PaceTable = { namespace: 'teams', limits: TEAMS_LIMITS };
