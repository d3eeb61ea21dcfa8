import { STATUS_LABELS } from '../../../core/status.ts';
import type { EventView, TicketView } from '../../../core/view.ts';
import type { SlaLine } from '../sla-line.ts';
import { Layout } from './layout.tsx';
import { RichText } from './rich-text.tsx';
import { Timeline, type AttachmentLink } from './timeline.tsx';
import { ApprovalSteps, RatingForm } from './decision.tsx';

export interface TicketPageProps {
  ticket: TicketView;
  timeline: EventView[];
  /** The signed download link of a file an email brought in. */
  attachmentLink?: AttachmentLink;
  typeName: string;
  queueName: string;
  /** Label and input type of each custom field, to show stored values. */
  fieldDefs: Record<string, { label: string; type: string }>;
  timezone: string;
  sla: SlaLine | null;
  /** The page's own signed path (/t/KEY?e=..&s=..); actions post to siblings of it. */
  action: (verb: 'reply' | 'resolve' | 'reopen') => string;
  /** One-time tokens, one per form, so a replayed reply never swallows a resolve. */
  tokens: { reply: string; state: string };
  flash?: string | undefined;
  replyError?: string | undefined;
  replyValue?: string | undefined;
  /** No channel can reach the requester: tell them to keep this link. */
  unreachable?: boolean | undefined;
  /** The requester's "How did we do?" form, once the ticket is resolved. */
  rate?: { action: string; token: string } | undefined;
}

/** The requester's view of one request. */
export function TicketPage(props: TicketPageProps) {
  const { ticket } = props;
  const done = ticket.status === 'resolved' || ticket.status === 'closed';
  const fields = Object.entries(ticket.fields).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false);
  return (
    <Layout title={`${ticket.key} ${ticket.title}`}>
      <p class="crumbs">
        <a href="/">All requests</a> › {props.queueName}
      </p>
      <h1>
        <span class="key">{ticket.key}</span> {ticket.title}
      </h1>
      {props.flash ? (
        <div class="notice ok" role="status">
          {props.flash}
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
          <dt>Assigned to</dt>
          <dd>{ticket.assignee ? (ticket.assignee.name ?? ticket.assignee.email) : 'Not assigned yet'}</dd>
        </div>
        <div>
          <dt>Team</dt>
          <dd>{props.queueName}</dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{props.typeName}</dd>
        </div>
      </dl>
      {props.unreachable ? (
        <p class="notice save-link" role="note">
          Save this link: we have no way to send you updates on this request (no email, Slack or Teams reaches you here), so come back to this page to follow it and to answer the desk.
        </p>
      ) : null}
      {props.sla ? <p class={`sla sla-${props.sla.tone}`}>{props.sla.text}</p> : null}
      {props.sla?.why ? (
        <details class="sla-why">
          <summary>Why this time?</summary>
          <p>{props.sla.why.charAt(0).toUpperCase() + props.sla.why.slice(1)}.</p>
        </details>
      ) : null}
      {fields.length ? (
        <dl class="fields">
          {fields.map(([id, value]) => (
            <div>
              <dt>{props.fieldDefs[id]?.label ?? id}</dt>
              <dd>{props.fieldDefs[id]?.type === 'textarea' ? <RichText text={String(value)} /> : value === true ? 'Yes' : String(value)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {ticket.approvals.length ? (
        <section aria-labelledby="approvals-title">
          <h2 id="approvals-title">Approvals</h2>
          <ApprovalSteps steps={ticket.approvals} timezone={props.timezone} />
        </section>
      ) : null}
      {props.rate ? (
        <section aria-labelledby="rate-title" class="rate">
          <h2 id="rate-title">{ticket.satisfaction ? `Your rating: ${ticket.satisfaction.rating} of 5` : 'Rate this request'}</h2>
          <RatingForm action={props.rate.action} token={props.rate.token} selected={ticket.satisfaction?.rating} comment={ticket.satisfaction?.comment ?? undefined} />
        </section>
      ) : null}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">What happened so far</h2>
        <p class="muted small">Times are {props.timezone}.</p>
        <Timeline events={props.timeline} timezone={props.timezone} attachmentLink={props.attachmentLink} />
      </section>
      {ticket.status === 'closed' ? (
        <p class="muted">
          This request is closed. Need more help? <a href="/">Open a new request</a>.
        </p>
      ) : (
        <section aria-labelledby="reply-title" class="reply">
          <h2 id="reply-title">{done ? 'Not fixed after all?' : 'Add a reply'}</h2>
          <form method="post" action={props.action('reply')}>
            <input type="hidden" name="token" value={props.tokens.reply} />
            <div class={`field${props.replyError ? ' has-error' : ''}`}>
              <label for="reply-body">Your reply{done ? ' (this reopens the request)' : ''}</label>
              {props.replyError ? (
                <p class="field-error" id="reply-error">
                  {props.replyError}
                </p>
              ) : null}
              <textarea id="reply-body" name="body" rows={4} required aria-invalid={props.replyError ? 'true' : undefined} aria-describedby={props.replyError ? 'reply-error' : undefined}>
                {props.replyValue ?? ''}
              </textarea>
            </div>
            <button type="submit" class="primary">
              Send reply
            </button>
          </form>
          <form method="post" action={props.action(done ? 'reopen' : 'resolve')} class="inline">
            <input type="hidden" name="token" value={props.tokens.state} />
            <button type="submit">{done ? 'Reopen this request' : 'Mark as resolved'}</button>
          </form>
        </section>
      )}
      {ticket.description && !props.timeline.some((e) => e.type === 'created') ? <RichText text={ticket.description} /> : null}
    </Layout>
  );
}
