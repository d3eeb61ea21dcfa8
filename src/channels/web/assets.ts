import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Hono } from 'hono';

interface Asset {
  body: string;
  type: string;
  /** The URL pages link to; the content hash busts caches on change. */
  href: string;
}

function load(name: string, type: string): Asset {
  const body = fs.readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
  const version = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return { body, type, href: `/assets/${name}?v=${version}` };
}

export const stylesheet = load('app.css', 'text/css; charset=utf-8');
export const catalogFilterScript = load('catalog-filter.js', 'text/javascript; charset=utf-8');
export const kbSuggestScript = load('kb-suggest.js', 'text/javascript; charset=utf-8');
export const deskScript = load('desk.js', 'text/javascript; charset=utf-8');

/** The stylesheet and the progressive-enhancement scripts, served from memory. */
export function assetRoutes(app: Hono): void {
  for (const asset of [stylesheet, catalogFilterScript, kbSuggestScript, deskScript]) {
    app.get(asset.href.split('?')[0]!, (c) => c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' }));
  }
}
