import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { NOTIFY_CHANNEL, parseNotifyPayload } from '../../core/mirror.ts';
import { getTicket } from '../../core/reads.ts';
import type { Database } from '../../db/client.ts';
import type { Person } from '../../db/schema.ts';
import type { WebContext } from './render.tsx';

/** Who may use the desk: the signed-in agent and their queues, or the response that refuses them. */
export type DeskGate = { ok: true; person: Person; queues: string[] } | { ok: false; response: Response | Promise<Response> };

type Listener = (event: { queue: string; ticketId: number }) => void;

/**
 * One LISTEN per process on the outbox's NOTIFY channel (every ticket event sends one on commit,
 * src/core/mirror.ts), fanned out to the open desk pages. Listening starts with the first page.
 */
class DeskHub {
  private listeners = new Set<Listener>();
  private unlisten: Promise<() => Promise<void>> | null = null;

  constructor(private readonly database: Database) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.unlisten ??= this.database.listen(NOTIFY_CHANNEL, (payload) => {
      const event = parseNotifyPayload(payload);
      if (!event) return;
      for (const l of this.listeners) l(event);
    });
    return () => {
      this.listeners.delete(listener);
    };
  }
}

const KEEPALIVE_MS = 25_000;
/**
 * Several events in a burst (a reply, its SLA note, a status change) become at most two refreshes:
 * the first at once, the rest together at the end of this window.
 */
const COALESCE_MS = 150;

/**
 * GET /desk/live (server-sent events): `changed` whenever a ticket of the agent's queues changes
 * (or, with ?ticket=KEY, that ticket). The page's script (assets/desk.js) then reloads its list or
 * timeline; without JavaScript nothing connects and a reload shows the same.
 */
export function deskLiveRoutes(app: Hono, web: WebContext, deskGate: (c: Context, here: string) => Promise<DeskGate>): void {
  const hub = new DeskHub(web.deps.database);
  app.get('/desk/live', async (c) => {
    const gated = await deskGate(c, '/desk');
    if (!gated.ok) return gated.response;
    const queues = new Set(gated.queues);
    const key = c.req.query('ticket');
    let ticketId: number | null = null;
    if (key) {
      const ticket = await getTicket(web.core, key).catch(() => null);
      if (!ticket || !queues.has(ticket.queue)) return c.body(null, 404);
      ticketId = ticket.id;
    }
    c.header('cache-control', 'no-store');
    return streamSSE(c, async (stream) => {
      let timer: NodeJS.Timeout | null = null;
      let pending: string | null = null;
      let sequence = 0;
      const send = (queue: string) => {
        sequence += 1;
        void stream.writeSSE({ event: 'changed', data: JSON.stringify({ queue }), id: String(sequence) }).catch(() => {});
        // What else changes within the window is told once, at its end.
        timer = setTimeout(() => {
          timer = null;
          if (pending === null) return;
          const next = pending;
          pending = null;
          send(next);
        }, COALESCE_MS);
      };
      const unsubscribe = hub.subscribe((event) => {
        if (!queues.has(event.queue) || (ticketId !== null && event.ticketId !== ticketId)) return;
        // The first change is told at once (no wait on the reply a person is watching for).
        if (timer) pending = event.queue;
        else send(event.queue);
      });
      await stream.writeSSE({ event: 'ready', data: '{}', retry: 3000 });
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      while (!stream.aborted && !stream.closed) {
        await Promise.race([closed, stream.sleep(KEEPALIVE_MS)]);
        if (stream.aborted || stream.closed) break;
        await stream.write(': keepalive\n\n').catch(() => {});
      }
      unsubscribe();
      if (timer) clearTimeout(timer);
    });
  });
}
