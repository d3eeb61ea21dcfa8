import { DateTime } from 'luxon';
import { PRIORITIES } from '../../core/catalog.ts';
import { STATUS_LABELS, type Status } from '../../core/status.ts';
import type { EventView, TicketView } from '../../core/view.ts';
import { SignedInBar } from './auth-views.tsx';
import type { SlaLine } from './sla-line.ts';
import { Layout } from './views/layout.tsx';
import { RichText } from './views/rich-text.tsx';
import { channelLabel } from './views/timeline.tsx';
import { ApprovalSteps } from './views/decision.tsx';

export interface DeskTicketProps {
  who: string;
  ticket: TicketView;
  queueName: string;
  timeline: EventView[];
  timezone: string;
  next: readonly Status[];
  agents: Array<{ email: string; name: string | null; away: boolean }>;
  watchers: Array<{ email: string; name: string | null }>;
  macros: Array<{ key: string; title: string }>;
  macro?: string | undefined;
  sla: SlaLine | null;
  tokens: { reply: string; status: string; assign: string; priority: string; watcher: string };
  flash?: string | undefined;
  error?: string | undefined;
  replyValue?: string | undefined;
  /** The current approval step, when this agent may decide it (an admin, a lead for a leads' step, or its approver). */
  approval?: { step: number; token: string } | undefined;
}

function Entry({ event, timezone }: { event: EventView; timezone: string }) {
  const internal = event.visibility === 'internal';
  return (
    <li class={`entry entry-${event.type}${internal ? ' internal' : ''}`} id={`event-${event.id}`}>
      <div class="entry-head">
        {internal ? <strong class="tag-internal">Internal note · </strong> : null}
        <span class="who">{event.actor ? (event.actor.name ?? event.actor.email) : 'Switchboard'}</span>
        {event.actor?.role === 'requester' ? <span class="muted"> (requester)</span> : null} <span class="what">{event.type === 'comment' ? 'wrote' : event.type === 'created' ? 'opened this request' : event.body || event.type.replace(/_/g, ' ')}</span>{' '}
        <span class={`via via-${event.channel}`}>via {channelLabel(event.channel)}</span> <time datetime={event.createdAt}>{DateTime.fromISO(event.createdAt).setZone(timezone).toFormat('d LLL, HH:mm')}</time>
      </div>
      {event.body && (event.type === 'comment' || event.type === 'created') ? <RichText text={event.body} /> : null}
    </li>
  );
}

/** GET /desk/t/:key: the agent workspace — whole timeline (internal notes marked), reply, status, assignee, priority, watchers, macros, SLA. */
export function DeskTicketPage(props: DeskTicketProps) {
  const { ticket } = props;
  const base = `/desk/t/${encodeURIComponent(ticket.key)}`;
  const person = (p: { email: string; name: string | null } | null) => (p ? (p.name ?? p.email) : 'Nobody');
  return (
    <Layout title={`${ticket.key} ${ticket.title}`} deskScript>
      <SignedInBar who={props.who} desk />
      <p class="crumbs">
        <a href="/desk">Desk</a> › <a href={`/desk/tickets?queue=${encodeURIComponent(ticket.queue)}`}>{props.queueName}</a>
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
      <div id="desk-live" data-live="ticket" data-ticket={ticket.key} aria-live="polite" class="live-note muted small"></div>
      <div id="desk-results">
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
            <dd>{person(ticket.requester)}</dd>
          </div>
          <div>
            <dt>Assigned to</dt>
            <dd>{person(ticket.assignee)}</dd>
          </div>
          <div>
            <dt>Came from</dt>
            <dd>{channelLabel(ticket.origin)}</dd>
          </div>
          <div>
            <dt>Watchers</dt>
            <dd>{props.watchers.length ? props.watchers.map((w) => person(w)).join(', ') : 'None'}</dd>
          </div>
        </dl>
        {props.sla ? (
          <section aria-labelledby="sla-title" class="sla-box">
            <h2 id="sla-title" class="small">
              SLA
            </h2>
            <p class={`sla sla-${props.sla.tone}`}>{props.sla.text}</p>
            {props.sla.why ? (
              <details class="sla-why">
                <summary>Why this due time?</summary>
                <p>{props.sla.why.charAt(0).toUpperCase() + props.sla.why.slice(1)}.</p>
              </details>
            ) : null}
          </section>
        ) : null}
        {Object.keys(ticket.fields).length ? (
          <dl class="fields">
            {Object.entries(ticket.fields).map(([k, v]) => (
              <div>
                <dt>{k.replace(/_/g, ' ')}</dt>
                <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
              </div>
            ))}
          </dl>
        ) : null}
        {ticket.approvals.length ? (
          <section aria-labelledby="approvals-title" class="approvals-box">
            <h2 id="approvals-title">Approvals</h2>
            <ApprovalSteps steps={ticket.approvals} timezone={props.timezone} />
            {props.approval ? (
              <form method="post" action={`${base}/approval`} class="decision">
                <input type="hidden" name="token" value={props.approval.token} />
                <input type="hidden" name="step" value={String(props.approval.step)} />
                <div class="field">
                  <label for="approval-comment">Comment (required to reject)</label>
                  <textarea id="approval-comment" name="comment" rows={2}></textarea>
                </div>
                <button type="submit" name="decision" value="approve" class="primary">
                  Approve step {props.approval.step}
                </button>{' '}
                <button type="submit" name="decision" value="reject">
                  Reject
                </button>
              </form>
            ) : null}
          </section>
        ) : null}
        <section aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          <p class="muted small">Times are {props.timezone}. Internal notes are marked and never reach the requester.</p>
          <ol class="timeline">
            {props.timeline.map((event) => (
              <Entry event={event} timezone={props.timezone} />
            ))}
          </ol>
        </section>
      </div>
      <section aria-labelledby="reply-title" class="reply">
        <h2 id="reply-title">Reply</h2>
        {props.macros.length ? (
          <form method="get" action={base} class="field macro-pick">
            <label for="desk-macro">Canned reply</label>
            <select id="desk-macro" name="macro">
              {props.macros.map((m) => (
                <option value={m.key} selected={m.key === props.macro}>
                  {m.title}
                </option>
              ))}
            </select>{' '}
            <button type="submit">Use it</button>
          </form>
        ) : null}
        <form method="post" action={`${base}/reply`}>
          <input type="hidden" name="token" value={props.tokens.reply} />
          <div class="field">
            <label for="desk-reply">Message</label>
            <textarea id="desk-reply" name="body" rows={5} required aria-describedby="desk-reply-help">
              {props.replyValue ?? ''}
            </textarea>
            <p id="desk-reply-help" class="help small">
              An internal note unless you send it to the requester. Press r to come here.
            </p>
          </div>
          {/* The first button is the form's default: Enter never reaches the requester by accident. */}
          <button type="submit" name="visibility" value="internal">
            Add internal note
          </button>{' '}
          <button type="submit" name="visibility" value="public" class="primary">
            Send to requester
          </button>
        </form>
      </section>
      <section aria-labelledby="manage-title" class="reply">
        <h2 id="manage-title">Status, assignee, priority, watchers</h2>
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
        <form method="post" action={`${base}/priority`} class="field">
          <input type="hidden" name="token" value={props.tokens.priority} />
          <label for="desk-priority">Priority</label>
          <select id="desk-priority" name="priority">
            {PRIORITIES.map((p) => (
              <option value={p} selected={ticket.priority === p}>
                {p}
              </option>
            ))}
          </select>{' '}
          <button type="submit">Change priority</button>
        </form>
        <form method="post" action={`${base}/watcher`} class="field">
          <input type="hidden" name="token" value={props.tokens.watcher} />
          <label for="desk-watcher">Add a watcher (email)</label>
          <input id="desk-watcher" name="email" type="email" required autocomplete="off" />{' '}
          <button type="submit">Add watcher</button>
        </form>
      </section>
    </Layout>
  );
}
