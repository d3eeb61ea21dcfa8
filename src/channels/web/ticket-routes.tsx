import type { Context, Hono } from 'hono';
import { and, eq, gt } from 'drizzle-orm';
import { anchors, people, ticketEvents } from '../../db/schema.ts';
import { Conflict, Forbidden, NotFound } from '../../core/errors.ts';
import { attachmentHref } from './attachment-route.ts';
import { addComment, getTicket, getTimeline, recordEvent, transition } from '../../core/tickets.ts';
import type { TicketView } from '../../core/view.ts';
import { readPostedForm } from './form-values.ts';
import { pathOf, render, type WebContext } from './render.tsx';
import { slaWhy } from '../../core/sla/explain.ts';
import { REPLY_REQUIRED } from '../../present/forms.ts';
import { timelineOf } from '../../present/notices.ts';
import { ticketScreen } from '../../present/ticket.ts';
import { channelFor } from '../../core/reach.ts';
import { LinkNotSentPage, LinkProblemPage, LinkRequestedPage, ForbiddenPostPage, UnreadableFormPage } from './views/notices.tsx';
import { TicketPage } from './views/ticket.tsx';
import { Layout } from './views/layout.tsx';
import { ratingUrl } from '../../core/decision-links.ts';

const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;
const FRESH_LINK_INTERVAL_MS = 5 * 60_000;
const FLASH: Record<string, string> = { reply: 'Your reply was added.', resolve: 'Marked as resolved. Thanks!', reopen: 'Reopened. The team will pick it up again.' };

type Viewer = { email: string; name?: string };
type Access = { ok: true; ticket: TicketView; self: string; viewer: Viewer } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

function personOf(person: { email: string; name: string | null }): Viewer {
  return { email: person.email, ...(person.name ? { name: person.name } : {}) };
}

/** GET /t/:key and its actions; everything requires the signed link (?e=&s=). */
export function ticketRoutes(app: Hono, web: WebContext): void {
  const { core, tokens } = web;

  const access = async (c: Context): Promise<Access> => {
    const key = c.req.param('key') ?? '';
    const expires = c.req.query('e');
    const signature = c.req.query('s');
    if (!KEY_PATTERN.test(key)) return { ok: false, reason: 'invalid' };
    const ticket = await getTicket(core, key).catch((error: unknown) => {
      if (error instanceof NotFound) return null;
      throw error;
    });
    // An unknown ticket looks exactly like a bad signature.
    if (!ticket) return { ok: false, reason: expires && signature ? 'invalid' : 'missing' };
    const self = `/t/${encodeURIComponent(ticket.key)}?e=${encodeURIComponent(expires ?? '')}&s=${encodeURIComponent(signature ?? '')}`;
    const verdict = web.deps.links.verify(ticket.key, ticket.requester.email, expires, signature, core.now());
    if (verdict === 'ok') return { ok: true, ticket, self, viewer: personOf(ticket.requester) };
    // Links mailed to watchers are signed for them: they may read and reply too.
    if (verdict === 'invalid') {
      for (const watcher of await watchersOf(ticket.id)) {
        if (web.deps.links.verify(ticket.key, watcher.email, expires, signature, core.now()) === 'ok') return { ok: true, ticket, self, viewer: personOf(watcher) };
      }
    }
    return { ok: false, reason: verdict };
  };

  const watchersOf = async (ticketId: number) =>
    core.db
      .selectDistinct({ email: people.email, name: people.name })
      .from(anchors)
      .innerJoin(people, eq(people.id, anchors.personId))
      .where(and(eq(anchors.ticketId, ticketId), eq(anchors.side, 'watcher')));

  const denied = (c: Context, reason: 'missing' | 'invalid' | 'expired') =>
    render(c, <LinkProblemPage ticketKey={(c.req.param('key') ?? '').toUpperCase()} reason={reason} token={tokens.issue(c)} canEmail={core.enabled.has('email')} />, 403);

  const page = async (c: Context, ticket: TicketView, self: string, extra: { flash?: string; replyError?: string; replyValue?: string; status?: 200 | 400; viewer?: Viewer } = {}) => {
    const { catalog } = web.deps;
    const [timeline, requester, why] = await Promise.all([
      getTimeline(core, ticket.key, { includeInternal: false }),
      core.db.select().from(people).where(eq(people.email, ticket.requester.email)).then((rows) => rows[0]),
      slaWhy(core, ticket),
    ]);
    // Nothing can bring this person the updates (no email, no Slack or Teams for them): this page is their only way back.
    const unreachable = requester ? (await channelFor(core.db, requester, core.enabled)) === null : false;
    const actionPath = (verb: string) => self.replace(/\?/, `/${verb}?`);
    // The page is the requester's (a signed link of theirs): their zone, their wording, their actions.
    const screen = ticketScreen({ ticket, catalog, reader: { role: 'requester', email: ticket.requester.email }, readerTimeZone: requester?.timeZone, link: self, now: core.now(), why });
    return render(
      c,
      <TicketPage
        screen={screen}
        timeline={timelineOf(timeline, ticket, 'requester', screen.zone)}
        attachmentLink={(file) => `${attachmentHref(ticket.key, file)}${self.slice(self.indexOf('?'))}`}
        action={actionPath}
        tokens={{ reply: tokens.issue(c), state: tokens.issue(c) }}
        flash={extra.flash}
        replyError={extra.replyError}
        replyValue={extra.replyValue}
        unreachable={unreachable}
        savedLink={unreachable ? `${web.deps.links.publicUrl}${self}` : undefined}
        linkExpires={linkExpiry(self)}
        rate={ticket.status === 'resolved' && (extra.viewer?.email ?? ticket.requester.email) === ticket.requester.email ? { action: pathOf(ratingUrl(web.deps.links, ticket.id)), token: tokens.issue(c) } : undefined}
      />,
      extra.status ?? 200,
    );
  };

  app.get('/t/:key', async (c) => {
    const result = await access(c);
    if (!result.ok) return denied(c, result.reason);
    return page(c, result.ticket, result.self, { flash: FLASH[c.req.query('done') ?? ''], viewer: result.viewer });
  });

  /** A POST on the ticket: signed link, then the one-time token, then the command. */
  const action = (verb: 'reply' | 'resolve' | 'reopen') =>
    app.post(`/t/:key/${verb}`, async (c) => {
      const result = await access(c);
      if (!result.ok) return denied(c, result.reason);
      const { ticket, self, viewer } = result;
      const values = await readPostedForm(c);
      if (!values) return render(c, <UnreadableFormPage />, 400);
      const token = tokens.check(c, values.token);
      if (!token.ok) return render(c, <ForbiddenPostPage />, 403);
      try {
        if (verb === 'reply') {
          const body = (values.body ?? '').trim();
          if (!body) return page(c, ticket, self, { replyError: REPLY_REQUIRED, status: 400, viewer });
          if (body.length > 40_000) return page(c, ticket, self, { replyError: 'That reply is too long (at most 40,000 characters).', replyValue: body, status: 400, viewer });
          await addComment(core, { ticketKey: ticket.key, body, visibility: 'public', author: viewer, channel: 'web', idempotencyKey: token.idempotencyKey, result: 'none' });
        } else {
          await transition(core, { ticketKey: ticket.key, status: verb === 'resolve' ? 'resolved' : 'open', actor: viewer, channel: 'web', idempotencyKey: token.idempotencyKey });
        }
      } catch (error) {
        // Not this person's to do (e.g. a watcher resolving someone else's request): 403, nothing changed.
        if (error instanceof Forbidden) return render(c, <NotAllowedPage ticketKey={ticket.key} back={self} />, 403);
        // Already resolved / reopened elsewhere: the page shows where things stand.
        if (!(error instanceof Conflict)) throw error;
        return c.redirect(self, 303);
      }
      return c.redirect(`${self}&done=${verb}`, 303);
    });
  action('reply');
  action('resolve');
  action('reopen');

  app.post('/t/:key/link', async (c) => {
    const values = await readPostedForm(c);
    if (!values) return render(c, <UnreadableFormPage />, 400);
    if (!tokens.check(c, values.token).ok) return render(c, <ForbiddenPostPage />, 403);
    // Never claim a mail that cannot go: with email off nothing is recorded, and the page says so.
    if (!core.enabled.has('email')) return render(c, <LinkNotSentPage />);
    const key = c.req.param('key');
    if (KEY_PATTERN.test(key)) await requestFreshLink(web, key);
    return render(c, <LinkRequestedPage />);
  });
}

/** When the page's signed link stops working (its `e`, epoch seconds). */
function linkExpiry(self: string): Date | undefined {
  const expires = Number(new URLSearchParams(self.slice(self.indexOf('?'))).get('e'));
  return Number.isFinite(expires) && expires > 0 ? new Date(expires * 1000) : undefined;
}

/** 403 for an action this person's role does not allow: nothing was changed. */
function NotAllowedPage({ ticketKey, back }: { ticketKey: string; back: string }) {
  return (
    <Layout title="Not allowed">
      <h1>You can't do that on {ticketKey}</h1>
      <p class="lead">Only the person who asked, or the team working on it, can change this request. Nothing was changed.</p>
      <p>
        <a href={back}>Back to {ticketKey}</a>
      </p>
    </Layout>
  );
}

/**
 * Record an access_link_requested event (mirrored only to the requester's email), at most
 * once per ticket every five minutes. Says nothing about whether the ticket exists.
 */
async function requestFreshLink(web: WebContext, key: string): Promise<void> {
  const { core } = web;
  const ticket = await getTicket(core, key).catch(() => null);
  if (!ticket) return;
  const now = core.now();
  const [recent] = await core.db
    .select({ id: ticketEvents.id })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticket.id), eq(ticketEvents.type, 'access_link_requested'), gt(ticketEvents.createdAt, new Date(now.getTime() - FRESH_LINK_INTERVAL_MS))))
    .limit(1);
  if (recent) return;
  // The bucketed key also stops two simultaneous clicks from both getting through.
  const bucket = Math.floor(now.getTime() / FRESH_LINK_INTERVAL_MS);
  await recordEvent(core, { ticketKey: ticket.key, type: 'access_link_requested', visibility: 'internal', channel: 'web', data: {}, idempotencyKey: `web:access-link:${ticket.key}:${bucket}` });
}
