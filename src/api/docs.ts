import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Hono } from 'hono';
import type { ApiEnv } from './context.ts';

/**
 * /api/v1/docs: Swagger UI served from our own routes, from the pinned swagger-ui-dist
 * package (no CDN, so it works on a machine without internet). @hono/swagger-ui loads the
 * UI from a CDN at run time, which is a blank page offline. The files are read once, at
 * first request, and cached by the browser for a day.
 */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const distDir = () => path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const cache = new Map<string, string>();
const asset = (name: string) => {
  let body = cache.get(name);
  if (body === undefined) {
    body = readFileSync(path.join(distDir(), name), 'utf8');
    cache.set(name, body);
  }
  return body;
};

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Switchboard API</title>
<link rel="stylesheet" href="/api/v1/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/v1/docs/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/init.js"></script>
</body></html>`;

// A file, not an inline script, so a Content-Security-Policy of script-src 'self' allows it.
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

export function docsRoutes(app: Hono<ApiEnv>, enabled: boolean): void {
  if (!enabled) return;
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }));
  for (const [name, type] of Object.entries(ASSETS)) {
    app.get(`/docs/${name}`, (c) => c.body(asset(name), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' }));
  }
}
