import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { NotFound } from '../../core/errors.ts';
import { getTicket } from '../../core/tickets.ts';
import type { ChannelDeps } from '../types.ts';

const KEY = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;
const SEGMENT = /^[\w.\- ]{1,120}$/;

/** The public path of a stored attachment; the ticket page appends its own `?e=&s=`. */
export function attachmentHref(ticketKey: string, file: { path: string }): string {
  const [, folder, name] = file.path.split(path.sep);
  return `/t/${encodeURIComponent(ticketKey)}/attachments/${encodeURIComponent(folder ?? '')}/${encodeURIComponent(name ?? '')}`;
}

/**
 * GET /t/:key/attachments/:folder/:name?e=&s= — a file an email brought in, for whoever holds
 * the ticket's signed link. Only files the ticket's own timeline or mail anchors list are served.
 */
export function attachmentRoutes(app: Hono, deps: ChannelDeps): void {
  app.get('/t/:key/attachments/:folder/:name', async (c) => {
    const { key, folder, name } = c.req.param();
    if (!KEY.test(key) || !SEGMENT.test(folder) || !SEGMENT.test(name) || folder.startsWith('.') || name.startsWith('.')) return c.notFound();
    const ticket = await getTicket(deps.core, key).catch((error: unknown) => {
      if (error instanceof NotFound) return null;
      throw error;
    });
    if (!ticket) return c.text('Forbidden', 403);
    const verdict = deps.links.verify(ticket.key, ticket.requester.email, c.req.query('e'), c.req.query('s'), deps.core.now());
    if (verdict !== 'ok') return c.text('Forbidden', 403);

    const relative = path.join('attachments', folder, name);
    const wanted = JSON.stringify([{ path: relative }]);
    const listed = await deps.database.db.execute<{ content_type: string; filename: string }>(sql`
      select f->>'contentType' as content_type, f->>'filename' as filename from (
        select jsonb_array_elements(data->'attachments') as f from ticket_events where ticket_id = ${ticket.id} and data->'attachments' @> ${wanted}::jsonb
        union all
        select jsonb_array_elements(data->'attachments') as f from anchors where ticket_id = ${ticket.id} and data->'attachments' @> ${wanted}::jsonb
      ) files where f->>'path' = ${relative} limit 1`);
    const rows = Array.isArray(listed) ? listed : ((listed as { rows?: unknown[] }).rows ?? []);
    const file = rows[0] as { content_type: string; filename: string } | undefined;
    if (!file) return c.notFound();
    const absolute = path.join(deps.config.dataDir, relative);
    const info = await stat(absolute).catch(() => null);
    if (!info) return c.notFound();
    return new Response(Readable.toWeb(createReadStream(absolute)) as ReadableStream, {
      headers: {
        'content-type': file.content_type || 'application/octet-stream',
        'content-length': String(info.size),
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      },
    });
  });
}
