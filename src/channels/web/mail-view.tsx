import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import type { Context, Hono } from 'hono';
import { NotFound } from '../../core/errors.ts';
import { getTicket } from '../../core/tickets.ts';
import type { TicketView } from '../../core/view.ts';
import { inboundMessages, type InboundMessage } from '../../db/schema.ts';
import { render } from './render.tsx';
import { Layout } from './views/layout.tsx';
import type { ChannelDeps } from '../types.ts';
import { formatBytes } from '../../core/bytes.ts';

const KEY = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;
const ID = /^\d{1,15}$/;

/** The path of a ticket's mail view; the caller appends the signed link's `?e=&s=`. */
export function mailViewHref(ticketKey: string, messageId?: number): string {
  return `/t/${encodeURIComponent(ticketKey)}/mail${messageId === undefined ? '' : `/${messageId}`}`;
}

/**
 * The ticket's raw-mail view: every message that reached the mailbox for this ticket, with the
 * verdict and reason recorded for it (ticketed, commented, ignored as an auto-reply, bounce, loop,
 * list mail...), and each original as it arrived. For whoever holds the ticket's signed link
 * (?e=&s=, as the ticket page) or an API token (Authorization: Bearer).
 *
 *   GET /t/:key/mail?e=&s=        the list (HTML)
 *   GET /t/:key/mail/:id?e=&s=    one original message, as text/plain
 */
export function mailViewRoutes(app: Hono, deps: ChannelDeps): void {
  const tokenDigests = deps.config.apiTokens.map((t) => createHash('sha256').update(t).digest());

  const allowed = async (c: Context): Promise<TicketView | Response> => {
    const key = c.req.param('key') ?? '';
    if (!KEY.test(key)) return c.notFound();
    const ticket = await getTicket(deps.core, key).catch((error: unknown) => {
      if (error instanceof NotFound) return null;
      throw error;
    });
    if (!ticket) return c.text('Forbidden', 403);
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer) {
      const digest = createHash('sha256').update(bearer).digest();
      if (tokenDigests.some((d) => timingSafeEqual(d, digest))) return ticket;
    }
    const verdict = deps.links.verify(ticket.key, ticket.requester.email, c.req.query('e'), c.req.query('s'), deps.core.now());
    return verdict === 'ok' ? ticket : c.text('Forbidden', 403);
  };

  const rowsOf = (ticketId: number) =>
    deps.database.db
      .select()
      .from(inboundMessages)
      .where(and(eq(inboundMessages.channel, 'email'), eq(inboundMessages.ticketId, ticketId)))
      .orderBy(asc(inboundMessages.id));

  app.get('/t/:key/mail', async (c) => {
    const ticket = await allowed(c);
    if (ticket instanceof Response) return ticket;
    const rows = await rowsOf(ticket.id);
    const search = new URL(c.req.url).search;
    c.header('x-robots-tag', 'noindex');
    return render(c, <MailViewPage ticket={ticket} rows={rows} search={search} />);
  });

  app.get('/t/:key/mail/:id', async (c) => {
    const id = c.req.param('id');
    if (!ID.test(id)) return c.notFound();
    const ticket = await allowed(c);
    if (ticket instanceof Response) return ticket;
    const [row] = await deps.database.db
      .select()
      .from(inboundMessages)
      .where(and(eq(inboundMessages.id, Number(id)), eq(inboundMessages.ticketId, ticket.id)));
    if (!row?.rawPath) return c.notFound();
    const raw = await readFile(path.join(deps.config.dataDir, row.rawPath)).catch(() => null);
    if (!raw) return c.notFound();
    return new Response(new Uint8Array(raw), {
      headers: {
        // Shown as text, never rendered: a hostile HTML part stays inert.
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': `inline; filename="${ticket.key}-${row.id}.eml"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
        'cache-control': 'private, no-store',
      },
    });
  });
}

const OUTCOME_LABELS: Record<string, string> = { ticketed: 'Opened the ticket', commented: 'Added as a comment', ignored: 'Not taken as input' };

function MailViewPage({ ticket, rows, search }: { ticket: TicketView; rows: InboundMessage[]; search: string }) {
  return (
    <Layout title={`Mail for ${ticket.key}`}>
      <h1>
        Mail for {ticket.key}: {ticket.title}
      </h1>
      <p>Every message that reached the desk's mailbox for this ticket, what Switchboard decided about it and why. Automatic mail (auto-replies, bounces, loops, list mail) is recorded here and nowhere else.</p>
      {rows.length === 0 ? (
        <p>No mail for this ticket yet.</p>
      ) : (
        <table class="mail-view">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">From</th>
              <th scope="col">Subject</th>
              <th scope="col">Verdict</th>
              <th scope="col">Reason</th>
              <th scope="col">Original</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const headers = row.headers as { from?: string; subject?: string; size?: number; uncleaned?: { detail: string } };
              return (
                <tr data-outcome={row.outcome}>
                  <td>
                    <time datetime={row.receivedAt.toISOString()}>{row.receivedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC</time>
                  </td>
                  <td>{headers.from ?? ''}</td>
                  <td>{headers.subject ?? ''}</td>
                  <td>{OUTCOME_LABELS[row.outcome] ?? row.outcome}</td>
                  <td>
                    {row.reason ?? ''}
                    {headers.uncleaned ? ` (kept whole: ${headers.uncleaned.detail})` : ''}
                  </td>
                  <td>
                    <a href={`${mailViewHref(ticket.key, row.id)}${search}`}>View original{headers.size ? ` (${formatBytes(headers.size)})` : ''}</a>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
