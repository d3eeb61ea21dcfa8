/**
 * Follow-ups (the queue's `follow_up`, calendar minutes): nudges to a requester the desk is
 * waiting on (`remind_waiting`), then an automatic resolve (`resolve_waiting_after`), and the
 * close of a resolved ticket (`close_resolved_after`). The ticket keeps the next instant
 * (follow_up_at) and the nudges sent (follow_up_step); any other status, a requester's reply
 * included (it reopens the ticket), clears them.
 */
export interface FollowUpSettings {
  remind_waiting?: number[];
  resolve_waiting_after?: number;
  close_resolved_after?: number;
}

export function followUpSettings(raw: unknown): FollowUpSettings {
  return raw && typeof raw === 'object' ? (raw as FollowUpSettings) : {};
}

/** Minutes after entering waiting_on_requester at which follow-up `step` is due (nudges, then the resolve). */
export function waitingOffset(settings: FollowUpSettings, step: number): number | null {
  const nudges = settings.remind_waiting ?? [];
  if (step < nudges.length) return nudges[step]!;
  if (step === nudges.length && settings.resolve_waiting_after) return settings.resolve_waiting_after;
  return null;
}

/** The follow-up columns after a move to `to` at `now`. */
export function followUpOnStatus(raw: unknown, to: string, now: Date): { followUpAt: Date | null; followUpStep: number } {
  const settings = followUpSettings(raw);
  const at = (minutes: number | null | undefined) => (minutes ? new Date(now.getTime() + minutes * 60_000) : null);
  if (to === 'waiting_on_requester') return { followUpAt: at(waitingOffset(settings, 0)), followUpStep: 0 };
  if (to === 'resolved') return { followUpAt: at(settings.close_resolved_after), followUpStep: 0 };
  return { followUpAt: null, followUpStep: 0 };
}
