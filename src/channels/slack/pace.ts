import type { PaceTable } from '../../outbox/pace.ts';

/**
 * Slack's pace for chat.postMessage: about one message per second per channel, short
 * bursts tolerated (docs.slack.dev "Rate limits", special rate limits for posting
 * messages). Paced per channel by the outbox's shared pace (src/outbox/pace.ts); a 429's
 * Retry-After pauses the channel for every replica.
 */
export const SLACK_PACE: PaceTable = { namespace: 'slack', limits: [{ perSecond: 1, burst: 3 }] };
