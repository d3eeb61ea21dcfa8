import { createHash, randomBytes } from 'node:crypto';

/** A fresh secret for a cookie or a link: 256 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this is stored: a database reader cannot turn it back into a working cookie or link. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Tokens we issue are 43 URL-safe characters; anything else is refused before a lookup. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Where to go after signing in: a path on this site only ("/desk/t/IT-4"), never another
 * host ("//evil.example", "/\\evil.example", "https://..."), else undefined.
 */
export function safeNext(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 500) return undefined;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(value)) return undefined;
  return value;
}
