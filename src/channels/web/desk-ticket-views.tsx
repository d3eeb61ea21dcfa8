import { PRIORITIES } from '../../core/catalog.ts';
import type { TimelineEntry } from '../../present/notices.ts';
import { actionOf, type TicketScreen } from '../../present/ticket.ts';
import { SignedInBar } from './auth-views.tsx';
import { FactList } from './views/fact-list.tsx';
import { Flash } from './views/flash.tsx';
import { Layout } from './views/layout.tsx';
import { SlaBox } from './views/sla-box.tsx';
import { Timeline } from './views/timeline.tsx';
import { ApprovalSteps, DecisionButtons } from './views/decision.tsx';
import { FieldList } from './views/field-list.tsx';

export interface DeskTicketProps {
  who: string;
  /** The signed-in agent's email (Claim assigns the ticket to them). */
  me: string;
  /** The ticket as this agent sees it (present/ticket.ts): labels, fields in catalog order, times in their zone, their actions. */
  screen: TicketScreen;
  timeline: TimelineEntry[];
  agents: Array<{ email: string; name: string | null; away: boolean }>;
  watchers: Array<{ email: string; name: string | null }>;
  macros: Array<{ key: string; title: string }>;
  macro?: string | undefined;
  tokens: { reply: string; status: string; assign: string; claim: string; priority: string; watcher: string };
  flash?: string | undefined;
  error?: string | undefined;
  replyValue?: string | undefined;
  /** The current approval step, when this agent may decide it (an admin, a lead for a leads' step, or its approver). */
  approval?: { step: number; token: string } | undefined;
}

/** GET /desk/t/:key: the agent workspace — whole timeline (internal notes marked), reply, status, assignee, priority, watchers, macros, SLA. */
export function DeskTicketPage(props: DeskTicketProps) {
  const { screen } = props;
  const base = `/desk/t/${encodeURIComponent(screen.key)}`;
  const claim = actionOf(screen, 'claim');
  const status = actionOf(screen, 'status');
  const priority = actionOf(screen, 'priority');
  const reply = actionOf(screen, 'reply');
  const note = actionOf(screen, 'note');
  const assignable = claim !== undefined || actionOf(screen, 'assign') !== undefined;
  return (
    <Layout title={`${screen.key} ${screen.title}`} deskScript>
      <SignedInBar who={props.who} desk />
      <p class="crumbs">
        <a href="/desk">Desk</a> › <a href={`/desk/tickets?queue=${encodeURIComponent(screen.queue)}`}>{screen.queueName}</a>
      </p>
      <h1>
        <span class="key">{screen.key}</span> {screen.title}
      </h1>
      <Flash ok={props.flash} error={props.error} />
      <div id="desk-live" data-live="ticket" data-ticket={screen.key} aria-live="polite" class="live-note muted small"></div>
      <DeskTicketResults {...props} />
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
        {reply || note ? (
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
              {note?.label ?? 'Add internal note'}
            </button>{' '}
            {reply ? (
              <button type="submit" name="visibility" value="public" class="primary">
                Send to requester
              </button>
            ) : null}
          </form>
        ) : (
          <p class="muted">This ticket is closed: replies and notes are over. The requester can open a new request.</p>
        )}
      </section>
      <section aria-labelledby="manage-title" class="reply">
        <h2 id="manage-title">Status, assignee, priority, watchers</h2>
        {status ? (
          <form method="post" action={`${base}/status`} class="field">
            <input type="hidden" name="token" value={props.tokens.status} />
            <label for="desk-status">{status.label}</label>
            <select id="desk-status" name="status">
              {(status.options ?? []).map((option) => (
                <option value={option.value}>{option.label}</option>
              ))}
            </select>{' '}
            <button type="submit">Change status</button>
          </form>
        ) : (
          <p class="muted">{screen.status.value === 'closed' ? 'This ticket is closed.' : `No status change is open from ${screen.status.label}.`}</p>
        )}
        {assignable ? (
          <form method="post" action={`${base}/assign`} class="field">
            <input type="hidden" name="token" value={props.tokens.assign} />
            <label for="desk-assignee">Assignee</label>
            <select id="desk-assignee" name="assignee">
              <option value="">Nobody</option>
              {props.agents.map((agent) => (
                <option value={agent.email} selected={screen.assigneeEmail === agent.email}>
                  {`${agent.name ?? agent.email}${agent.away ? ' (away)' : ''}`}
                </option>
              ))}
            </select>{' '}
            <button type="submit">Assign</button>
          </form>
        ) : null}
        {priority ? (
          <form method="post" action={`${base}/priority`} class="field">
            <input type="hidden" name="token" value={props.tokens.priority} />
            <label for="desk-priority">{priority.label}</label>
            <select id="desk-priority" name="priority">
              {PRIORITIES.map((p) => (
                <option value={p} selected={screen.priority.value === p}>
                  {p === screen.priority.value ? screen.priority.label : (priority.options ?? []).find((o) => o.value === p)?.label ?? p}
                </option>
              ))}
            </select>{' '}
            <button type="submit">Change priority</button>
          </form>
        ) : null}
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

/** The props the live part of the workspace needs (GET /desk/t/:key?part=results renders it alone). */
export type DeskTicketResultsProps = Pick<DeskTicketProps, 'me' | 'screen' | 'timeline' | 'watchers' | 'approval'> & { tokens: Pick<DeskTicketProps['tokens'], 'claim'> };

/**
 * What changes while an agent looks at a ticket: its facts, watchers, claim, SLA, fields, approvals
 * and timeline. The page embeds it; its live updates (assets/desk.js) fetch it alone, without the
 * reply and management forms, their agent list and their one-time tokens.
 */
export function DeskTicketResults(props: DeskTicketResultsProps) {
  const { screen } = props;
  const base = `/desk/t/${encodeURIComponent(screen.key)}`;
  const person = (p: { email: string; name: string | null }) => p.name ?? p.email;
  const claim = actionOf(screen, 'claim');
  const assignee = screen.facts.find((f) => f.id === 'assignee');
  return (
    <div id="desk-results">
      <FactList screen={screen}>
        <div>
          <dt>Watchers</dt>
          <dd>{props.watchers.length ? props.watchers.map((w) => person(w)).join(', ') : 'None'}</dd>
        </div>
      </FactList>
      {claim ? (
        <form method="post" action={`${base}/assign`} class="inline claim">
          <input type="hidden" name="token" value={props.tokens.claim} />
          <input type="hidden" name="assignee" value={props.me} />
          <button type="submit" class="primary">
            {claim.label}
          </button>{' '}
          <span class="muted small">{assignee ? `${assignee.label}: ${assignee.value}` : null}</span>
        </form>
      ) : null}
      {screen.sla ? (
        <section aria-labelledby="sla-title" class="sla-box">
          <h2 id="sla-title" class="small">
            SLA
          </h2>
          <SlaBox sla={screen.sla} whyLabel="Why this due time?" />
        </section>
      ) : null}
      <FieldList fields={screen.fields} />
      {screen.steps.length ? (
        <section aria-labelledby="approvals-title" class="approvals-box">
          <h2 id="approvals-title">Approvals</h2>
          <ApprovalSteps steps={screen.steps} timezone={screen.zone} />
          {props.approval ? (
            <form method="post" action={`${base}/approval`} class="decision">
              <input type="hidden" name="token" value={props.approval.token} />
              <input type="hidden" name="step" value={String(props.approval.step)} />
              <div class="field">
                <label for="approval-comment">Comment (required to reject)</label>
                <textarea id="approval-comment" name="comment" rows={2}></textarea>
              </div>
              <DecisionButtons approve={`Approve step ${props.approval.step}`} />
            </form>
          ) : null}
        </section>
      ) : null}
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <p class="muted small">Times are {screen.zone}. Internal notes are marked and never reach the requester.</p>
        <Timeline entries={props.timeline} />
      </section>
    </div>
  );
}
