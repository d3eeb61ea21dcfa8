import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { settings } from '../db/schema.ts';

const DEFAULT_TTL_DAYS = 90;

/**
 * Signed links to the requester's ticket page: HMAC over key + requester + expiry.
 * Every outbound message carries one; the web page accepts nothing else.
 */
export class TicketLinks {
  constructor(
    private readonly secret: string,
    readonly publicUrl: string,
  ) {}

  url(key: string, requesterEmail: string, options: { now?: Date; ttlDays?: number } = {}): string {
    const now = options.now ?? new Date();
    const expires = Math.floor(now.getTime() / 1000) + (options.ttlDays ?? DEFAULT_TTL_DAYS) * 86_400;
    const signature = this.sign(key, requesterEmail, expires);
    return `${this.publicUrl}/t/${encodeURIComponent(key)}?e=${expires}&s=${signature}`;
  }

  /** The agent workspace of a ticket: whoever follows it signs in as themselves (never a requester link). */
  deskUrl(key: string): string {
    return `${this.publicUrl}/desk/t/${encodeURIComponent(key)}`;
  }

  /** 'ok', or why not: a user sees a 403 page offering a fresh link for 'expired' and 'invalid'. */
  verify(key: string, requesterEmail: string, expires: string | undefined, signature: string | undefined, now = new Date()): 'ok' | 'missing' | 'invalid' | 'expired' {
    if (!expires || !signature) return 'missing';
    if (!/^\d{1,12}$/.test(expires) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return 'invalid';
    const expected = Buffer.from(this.sign(key, requesterEmail, Number(expires)));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return Number(expires) * 1000 < now.getTime() ? 'expired' : 'ok';
  }

  /** An HMAC of a value under this secret, for other signed things (e.g. the web form's one-time tokens). */
  signValue(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}|${value}`).digest('base64url');
  }

  private sign(key: string, email: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`ticket-link|${key.toUpperCase()}|${email.toLowerCase()}|${expires}`).digest('base64url');
  }
}

/**
 * The link secret: LINK_SECRET when set, else one generated once and stored in the
 * database so every replica signs alike.
 */
export async function loadLinkSecret(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await db.insert(settings).values({ key: 'link_secret', value: randomBytes(32).toString('base64url') }).onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, 'link_secret'));
  return row!.value;
}
