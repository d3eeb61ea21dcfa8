import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { CoreContext } from '../../core/tickets.ts';
import type { ChannelDeps } from '../types.ts';
import type { FormTokens } from './form-token.ts';

/** What every web handler works with. */
export interface WebContext {
  deps: ChannelDeps;
  core: CoreContext;
  tokens: FormTokens;
}

/** An HTML page; pages can carry personal data or one-time tokens, so nothing is cached. */
export function render(c: Context, page: unknown, status: ContentfulStatusCode = 200) {
  c.header('cache-control', 'no-store');
  return c.html(html`<!doctype html>${page}`, status);
}

/** The path part of an absolute link, so redirects stay on the host the browser used. */
export function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
