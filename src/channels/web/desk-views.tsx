import { DateTime } from 'luxon';
import { STATUS_LABELS, type Status } from '../../core/status.ts';
import type { EventView, TicketView } from '../../core/view.ts';
import { SignedInBar } from './auth-views.tsx';
import { Layout } from './views/layout.tsx';
import { RichText } from './views/rich-text.tsx';
import { channelLabel } from './views/timeline.tsx';

export interface DeskQueue {
  key: string;
  name: string;
  role: string;
  tickets: TicketView[];
}

/** GET /desk: the queues the agent works, each with its tickets that are not done. */
export function DeskHomePage({ who, queues, away, token, flash }: { who: string; queues: DeskQueue[]; away: boolean; token: string; flash?: string | undefined }) {
  return (
    <Layout title="Desk">
      <SignedInBar who={who} desk />
      <h1>Your queues</h1>
      {flash ? (
        <p class="notice ok" role="status">
          {flash}
        </p>
      ) : null}
      <form method="post" action="/desk/availability" class="availability">
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="away" value={away ? 'false' : 'true'} />
        <span>{away ? 'You are away: new tickets go to the others.' : 'You are available for new tickets.'}</span>{' '}
        <button type="submit">{away ? 'I am back' : 'Mark me away'}</button>
      </form>
      {queues.map((queue) => (
        <section aria-labelledby={`q-${queue.key}`} class="desk-queue">
          <h2 id={`q-${queue.key}`}>
            {queue.name} <span class="muted small">({queue.key} · {queue.role})</span>
          </h2>
          {queue.tickets.length ? (
            <ul class="types">
              {queue.tickets.map((t) => (
                <li class="type">
                  <a href={`/desk/t/${encodeURIComponent(t.key)}`}>
                    <span class="key">{t.key}</span> {t.title}
                  </a>
                  <p class="muted small">
                    <span class={`status status-${t.status}`}>{STATUS_LABELS[t.status]}</span> · {t.priority} · {t.assignee ? (t.assignee.name ?? t.assignee.email) : 'unassigned'}
                  </p>
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">Nothing open.</p>
          )}
        </section>
      ))}
    </Layout>
  );
}

export interface DeskTicketProps {
  who: string;
  ticket: TicketView;
  queueName: string;
  timeline: EventView[];
  timezone: string;
  next: readonly Status[];
  agents: Array<{ email: string; name: string | null; away: boolean }>;
  tokens: { reply: string; status: string; assign: string };
  flash?: string | undefined;
  error?: string | undefined;
  replyValue?: string | undefined;
}

/** GET /desk/t/:key: the agent workspace — the whole timeline (internal notes marked), reply, status, assign. */
export function DeskTicketPage(props: DeskTicketProps) {
  const { ticket } = props;
  const base = `/desk/t/${encodeURIComponent(ticket.key)}`;
  return (
    <Layout title={`${ticket.key} ${ticket.title}`}>
      <SignedInBar who={props.who} desk />
      <p class="crumbs">
        <a href="/desk">Desk</a> › {props.queueName}
      </p>
      <h1>
        <span class="key">{ticket.key}</span> {ticket.title}
      </h1>
      {props.flash ? (
        <div class="notice ok" role="status">
          {props.flash}
        </div>
      ) : null}
      {props.error ? (
        <div class="error-summary" role="alert">
          <p>{props.error}</p>
        </div>
      ) : null}
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span class={`status status-${ticket.status}`}>{STATUS_LABELS[ticket.status]}</span>
          </dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{ticket.priority}</dd>
        </div>
        <div>
          <dt>Requester</dt>
          <dd>{ticket.requester.name ?? ticket.requester.email}</dd>
        </div>
        <div>
          <dt>Assigned to</dt>
          <dd>{ticket.assignee ? (ticket.assignee.name ?? ticket.assignee.email) : 'Nobody'}</dd>
        </div>
      </dl>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <p class="muted small">Times are {props.timezone}. Internal notes are marked and never reach the requester.</p>
        <ol class="timeline">
          {props.timeline.map((event) => (
            <li class={`entry entry-${event.type}${event.visibility === 'internal' ? ' internal' : ''}`} id={`event-${event.id}`}>
              <div class="entry-head">
                {event.visibility === 'internal' ? <strong class="tag-internal">Internal note · </strong> : null}
                <span class="who">{event.actor ? (event.actor.name ?? event.actor.email) : 'Switchboard'}</span>
                {event.actor?.role === 'requester' ? <span class="muted"> (requester)</span> : null} <span class="what">{event.type === 'comment' ? 'wrote' : event.type === 'created' ? 'opened this request' : event.body || event.type.replace(/_/g, ' ')}</span>{' '}
                <span class={`via via-${event.channel}`}>via {channelLabel(event.channel)}</span>{' '}
                <time datetime={event.createdAt}>{DateTime.fromISO(event.createdAt).setZone(props.timezone).toFormat('d LLL, HH:mm')}</time>
              </div>
              {event.body && (event.type === 'comment' || event.type === 'created') ? <RichText text={event.body} /> : null}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="reply-title" class="reply">
        <h2 id="reply-title">Reply</h2>
        <form method="post" action={`${base}/reply`}>
          <input type="hidden" name="token" value={props.tokens.reply} />
          <div class="field">
            <label for="desk-reply">Message</label>
            <textarea id="desk-reply" name="body" rows={4} required>
              {props.replyValue ?? ''}
            </textarea>
          </div>
          <button type="submit" name="visibility" value="public" class="primary">
            Send to requester
          </button>{' '}
          <button type="submit" name="visibility" value="internal">
            Add internal note
          </button>
        </form>
      </section>
      <section aria-labelledby="manage-title" class="reply">
        <h2 id="manage-title">Status and assignee</h2>
        {props.next.length ? (
          <form method="post" action={`${base}/status`} class="field">
            <input type="hidden" name="token" value={props.tokens.status} />
            <label for="desk-status">Status</label>
            <select id="desk-status" name="status">
              {props.next.map((status) => (
                <option value={status}>{STATUS_LABELS[status]}</option>
              ))}
            </select>{' '}
            <button type="submit">Change status</button>
          </form>
        ) : (
          <p class="muted">This ticket is closed.</p>
        )}
        <form method="post" action={`${base}/assign`} class="field">
          <input type="hidden" name="token" value={props.tokens.assign} />
          <label for="desk-assignee">Assignee</label>
          <select id="desk-assignee" name="assignee">
            <option value="">Nobody</option>
            {props.agents.map((agent) => (
              <option value={agent.email} selected={ticket.assignee?.email === agent.email}>
                {`${agent.name ?? agent.email}${agent.away ? ' (away)' : ''}`}
              </option>
            ))}
          </select>{' '}
          <button type="submit">Assign</button>
        </form>
      </section>
    </Layout>
  );
}

export function DeskForbiddenPage({ who, message }: { who: string; message: string }) {
  return (
    <Layout title="Not allowed">
      <SignedInBar who={who} />
      <h1>Not allowed</h1>
      <p class="lead" role="alert">
        {message}
      </p>
      <p>
        <a href="/my">Your requests</a>
      </p>
    </Layout>
  );
}
