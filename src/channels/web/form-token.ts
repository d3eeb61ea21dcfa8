import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { TicketLinks } from '../../core/links.ts';

const COOKIE = 'sb_form';
const PURPOSE = 'web-form';
const TOKEN_TTL_SECONDS = 24 * 3600;
const COOKIE_PATTERN = /^[A-Za-z0-9_-]{24}$/;
const TOKEN_PATTERN = /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export type TokenCheck = { ok: true; idempotencyKey: string } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

/**
 * One-time form tokens, doubling as CSRF tokens (OWASP "signed double-submit cookie"):
 * `issuedAt.nonce.hmac(browserCookie|issuedAt.nonce)`. A cross-site page can neither read the
 * cookie nor forge the HMAC; the nonce part becomes the idempotency key, so a double submit
 * of one rendered form creates one ticket or one comment.
 */
export class FormTokens {
  /** The browser id chosen while rendering one response, so several forms on a page share it. */
  private readonly issuedIn = new WeakMap<Context, string>();

  constructor(
    private readonly links: TicketLinks,
    private readonly secureCookie: boolean,
    private readonly now: () => Date,
  ) {}

  /** A fresh token bound to this browser's cookie; sets the cookie when the browser has none. */
  issue(c: Context): string {
    let browser = this.issuedIn.get(c) ?? getCookie(c, COOKIE);
    if (!browser || !COOKIE_PATTERN.test(browser)) {
      browser = randomBytes(18).toString('base64url');
      setCookie(c, COOKIE, browser, { httpOnly: true, sameSite: 'Lax', secure: this.secureCookie, path: '/', maxAge: 30 * 86_400 });
    }
    this.issuedIn.set(c, browser);
    const body = `${Math.floor(this.now().getTime() / 1000)}.${randomBytes(16).toString('base64url')}`;
    return `${body}.${this.links.signValue(PURPOSE, `${browser}|${body}`)}`;
  }

  check(c: Context, token: unknown): TokenCheck {
    const browser = getCookie(c, COOKIE);
    if (typeof token !== 'string' || !token || !browser) return { ok: false, reason: 'missing' };
    const match = TOKEN_PATTERN.exec(token);
    if (!match || !COOKIE_PATTERN.test(browser)) return { ok: false, reason: 'invalid' };
    const [, issuedAt, nonce, signature] = match;
    const body = `${issuedAt}.${nonce}`;
    const expected = Buffer.from(this.links.signValue(PURPOSE, `${browser}|${body}`));
    if (!timingSafeEqual(expected, Buffer.from(signature!))) return { ok: false, reason: 'invalid' };
    if (Number(issuedAt) + TOKEN_TTL_SECONDS < this.now().getTime() / 1000) return { ok: false, reason: 'expired' };
    return { ok: true, idempotencyKey: `web:${body}` };
  }
}
