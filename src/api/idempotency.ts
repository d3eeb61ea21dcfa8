import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Context, Next } from 'hono';
import { apiIdempotency } from '../db/schema.ts';
import type { ApiEnv } from './context.ts';
import { apiError } from '../http/errors.ts';

/**
 * An Idempotency-Key belongs to the first request sent with it. A repeat of that request
 * goes through (the core command replays its first result); the same key with a different
 * method, path or body is 422 `idempotency_key_reused`, as Stripe does and the IETF
 * draft "The Idempotency-Key HTTP Header Field" (§2.7) asks. Keys are per API client.
 *
 * The key is claimed before the command runs, so two different bodies racing on one key
 * cannot both get through; a request that fails (4xx/5xx) gives its key back, so a
 * corrected retry may use it.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a Hono middleware returns what next() returns (void) or a response.
export async function idempotencyGuard(c: Context<ApiEnv>, next: Next, client: string): Promise<Response | void> {
  const key = c.req.header('idempotency-key');
  if (!key || c.req.method !== 'POST') return next();
  const db = c.var.core.db;
  const scoped = `api:${client}:${key}`;
  const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${canonicalBody(await c.req.text())}`).digest('hex');
  const claimed = await db.insert(apiIdempotency).values({ key: scoped, fingerprint }).onConflictDoNothing().returning({ key: apiIdempotency.key });
  if (!claimed.length) {
    const [first] = await db.select({ fingerprint: apiIdempotency.fingerprint }).from(apiIdempotency).where(eq(apiIdempotency.key, scoped));
    if (first && first.fingerprint !== fingerprint) {
      return apiError(c, 422, 'idempotency_key_reused', 'this Idempotency-Key was first used with a different request (method, path or body); send a new key for a new request');
    }
    return next();
  }
  try {
    await next();
  } finally {
    if (c.res.status >= 400 || c.error) await db.delete(apiIdempotency).where(eq(apiIdempotency.key, scoped)).catch(() => undefined);
  }
}

/** JSON with its keys sorted (a client that re-serialises the same body is still repeating it); anything else as sent. */
function canonicalBody(raw: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(raw)));
  } catch {
    return raw;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}
