/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * random in [base/4, min(cap, base·2^(n-1))]. A formula, not a retry loop, because the outbox
 * stores the next attempt time in the row instead of sleeping on it.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(Math.min(baseMs, ceiling) / 4, Math.round(random() * ceiling));
}
