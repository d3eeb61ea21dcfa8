import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Db } from '../db/client.ts';
import { reusable } from '../db/reusable.ts';
import { people, sessions, type Person } from '../db/schema.ts';
import { hashToken, newToken, TOKEN_PATTERN } from './tokens.ts';

export const SESSION_COOKIE = 'sb_session';
const SESSION_HOURS = 12;

export interface SignedIn {
  sessionId: number;
  person: Person;
}

/** The live session of a token's hash: not ended, not expired (`now` as an ISO string), of an active person. */
const liveSession = reusable('live_session', (conn) =>
  conn
    .select({ sessionId: sessions.id, person: people })
    .from(sessions)
    .innerJoin(people, eq(people.id, sessions.personId))
    .where(and(eq(sessions.tokenHash, sql.placeholder('hash')), isNull(sessions.endedAt), gt(sessions.expiresAt, sql.placeholder('now')), eq(people.active, true))),
);

/**
 * Server-side sessions: the cookie holds a random token, the row its SHA-256. A session
 * ends on sign-out, after 12 hours, or at once when the person is deactivated (SCIM).
 */
export class Sessions {
  constructor(
    private readonly db: Db,
    private readonly secureCookie: boolean,
    private readonly now: () => Date,
  ) {}

  /** A new session for the person (never reusing a token the browser had: no fixation). */
  async start(c: Context, personId: number, method: 'oidc' | 'link'): Promise<void> {
    const token = newToken();
    const now = this.now();
    await this.db.insert(sessions).values({ tokenHash: hashToken(token), personId, method, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000) });
    setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure: this.secureCookie, path: '/', maxAge: SESSION_HOURS * 3600 });
  }

  /** The signed-in person, or null (no cookie, unknown, ended, expired, or deactivated). */
  async current(c: Context): Promise<SignedIn | null> {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token || !TOKEN_PATTERN.test(token)) return null;
    const [row] = await liveSession(this.db, { hash: hashToken(token), now: this.now().toISOString() });
    return row ?? null;
  }

  async end(c: Context): Promise<void> {
    const token = getCookie(c, SESSION_COOKIE);
    if (token && TOKEN_PATTERN.test(token)) {
      await this.db.update(sessions).set({ endedAt: this.now() }).where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.endedAt)));
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: this.secureCookie, httpOnly: true, sameSite: 'Lax' });
  }
}
